"""Opening a dossier's stored document (attachment): who may; and the access log of every read of a
dossier's personal data by staff (SECURITY V16.3.2, Law 91/2025: the data subject may ask who read it).

`open_for` answers the same NotFound for a dossier the user may not see, a missing attachment
and an attachment of another dossier (no enumeration, SECURITY V8.2.2); a view by anyone but the owner is logged
(`DocumentAccess`: who, when, dossier, attachment, purpose) before the bytes are handed out.

    record_read(user, ids, now, purpose, channel)   log reads of dossiers' data (the staff dossier page,
                                                    a task page, GET /api/v1/dossiers/{code} and
                                                    /tasks/{id}, the rows of the search CSV export);
                                                    nothing for the owner or a non-staff account
    reads_of(dossier_ids) -> list[Read]             the log of those dossiers, oldest first: what the
                                                    data subject's export includes"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine import agencies, permissions, sql
from engine.errors import NotFound
from engine.models import Attachment, DocumentAccess, Dossier, User
from engine.models.access import ACCESS_CHANNELS, ACCESS_PURPOSES

#: shown in the page (an <img> / <iframe> / a link); anything else is downloaded
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


@dataclass(frozen=True)
class Read:
    """One logged read: who (username), when (UTC), which dossier, which document (None: the dossier's
    data), why (ACCESS_PURPOSES) and through which channel (ACCESS_CHANNELS)."""

    dossier_id: int
    username: str
    at: datetime
    purpose: str
    channel: str
    attachment_id: int | None


@dataclass(frozen=True)
class Opened:
    attachment: Attachment
    path: Path
    inline: bool


def stored_path(folder: Path, sha256: str) -> Path:
    """Where engine.attachments.store keeps a content (by SHA-256, outside the web root)."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise NotFound("No such document")
    return folder / sha256[:2] / sha256


async def open_for(code: str, attachment_id: int, user: User, folder: Path, now: datetime,
                   purpose: str = "dossier") -> Opened:
    dossier = await Dossier.get_or_none(code=code)
    if (dossier is None or not permissions.can_see(user, dossier.submitted_by_id)
            or not await agencies.may_see(user, dossier.agency_code)):  # staff: their agencies' dossiers only
        raise NotFound("No such document", code=code)
    attachment = await Attachment.get_or_none(id=attachment_id, dossier_id=dossier.id)
    if attachment is None:
        raise NotFound("No such document", code=code)
    path = stored_path(folder, attachment.sha256)
    if not path.is_file():
        raise NotFound("The document's file is missing", code=code)
    if dossier.submitted_by_id != user.id:  # staff, managers, admins: every view is logged
        await DocumentAccess.create(dossier_id=dossier.id, attachment_id=attachment.id, user_id=user.id,
                                    username=user.username, at=now.astimezone(UTC), channel="page",
                                    purpose=purpose if purpose in ACCESS_PURPOSES else "dossier")
    return Opened(attachment, path, attachment.content_type in INLINE_TYPES)


INSERT_ROWS = 500  # access-log rows per INSERT (7 parameters each: within every driver's limit)


async def attachments_of(dossier_id: int) -> list[Attachment]:
    return await Attachment.filter(dossier_id=dossier_id).order_by("at", "id")


async def record_read(user: User, dossiers: Iterable[tuple[int, int | None]], now: datetime, purpose: str,
                      channel: str) -> int:
    """Log a staff read of each (dossier id, owner id) given; the owner's own reads and non-staff
    accounts are not logged. One INSERT for all; the number of rows written."""
    if not permissions.is_staff(user):
        return 0
    purpose = purpose if purpose in ACCESS_PURPOSES else "dossier"
    channel = channel if channel in ACCESS_CHANNELS else "page"
    ids = [dossier_id for dossier_id, owner_id in dossiers if owner_id != user.id]
    at = now.astimezone(UTC)
    for start in range(0, len(ids), INSERT_ROWS):  # raw multi-row INSERTs, no model objects (every staff read)
        chunk = ids[start:start + INSERT_ROWS]
        await sql.fetch(sql.db(), "INSERT INTO document_access (dossier_id, attachment_id, user_id, username, at, "
                                  "purpose, channel) VALUES " + ", ".join("(?, NULL, ?, ?, ?, ?, ?)" for _ in chunk),
                        [v for dossier_id in chunk for v in (dossier_id, user.id, user.username, at, purpose, channel)])
    return len(ids)


async def reads_of(dossier_ids: Iterable[int]) -> list[Read]:
    """Every logged read of these dossiers' personal data (documents and data), oldest first."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return []
    rows = await DocumentAccess.filter(dossier_id__in=ids).order_by("at", "id")
    return [Read(r.dossier_id, r.username, r.at, r.purpose, r.channel, r.attachment_id) for r in rows]
