"""The record of citizen notifications (integrations/notify.py sends them): who to tell and how,
one row per message keyed by the outbox key (a redelivered event does not send twice), the
delivery receipts of the SMS gateway, the admin-edited templates and the demo catcher's mailbox.

Not a dossier projection: these rows are written after the dossier's transaction, by the outbox
subscriber, so they never hold the dossier's write path."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from engine.errors import InvalidData
from engine.models import CaughtMessage, Dossier, Notification, NotificationTemplate, Procedure, ProcedureVersion
from engine.models.notification import NOTIFY_STATUSES

#: the event kinds a citizen is told of (engine.events kinds: a public contract)
KINDS = ("submitted", "accepted", "supplement_requested", "financial_obligation_requested", "reappointed",
         "result_ready", "refused", "returned")
CHANNELS = ("email", "sms")
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Contact:
    """What a message to the applicant needs: the addresses and choices written at submit."""

    dossier_id: int
    code: str
    name: str
    email: str
    phone: str
    channels: frozenset[str]  # NOTIFY_CHOICES the citizen ticked
    procedure: str
    procedure_en: str
    due_at: datetime | None

    def address(self, channel: str) -> str:
        """The address of `channel` when the citizen chose it and gave one ("" otherwise)."""
        if channel not in self.channels and not (channel == "sms" and "ascii" in self.channels):
            return ""
        return self.email if channel == "email" else self.phone


async def contact(code: str) -> Contact | None:
    dossier = await Dossier.get_or_none(code=code)
    if dossier is None or dossier.purged_at is not None:
        return None
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    procedure = await Procedure.get(id=version.procedure_id)
    chosen = frozenset(c for c in dossier.notify_channels.split(",") if c)
    return Contact(dossier.id, dossier.code, dossier.applicant_name, dossier.applicant_email, dossier.applicant_phone,
                   chosen, procedure.name, procedure.name_en or procedure.name,
                   dossier.due_adjusted_at or dossier.due_original_at)


def mask(address: str) -> str:
    """An address shown on pages: enough to recognise it, not to use it."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"[:64]
    digits = re.sub(r"\D", "", address)
    return f"{digits[:3]}****{digits[-3:]}" if len(digits) >= 7 else "***"


async def begin(key: str, dossier_id: int, channel: str, template: str, recipient: str,
                now: datetime) -> Notification | None:
    """The record of one message, created queued; None when an earlier delivery already sent it."""
    try:
        return await Notification.create(key=key[:120], dossier_id=dossier_id, at=now, channel=channel,
                                         template=template, recipient=mask(recipient), status="queued",
                                         updated_at=now)
    except IntegrityError:
        found = await Notification.get(key=key[:120])
        return None if found.status in ("sent", "delivered") else found


async def finish(record: Notification, now: datetime, *, provider_id: str = "", error: str = "") -> None:
    record.status = "failed" if error else "sent"
    record.provider_id, record.error, record.updated_at = provider_id[:200], error[:300], now
    await record.save(update_fields=["status", "provider_id", "error", "updated_at"])


async def receipt(provider_id: str, status: str, now: datetime) -> int:
    """The gateway's delivery receipt: `status` delivered or failed; the rows updated (0 = unknown id)."""
    if status not in NOTIFY_STATUSES or not provider_id:
        return 0
    return await Notification.filter(provider_id=provider_id[:200]).update(status=status, updated_at=now)


async def for_dossier(dossier_id: int) -> list[Notification]:
    return await Notification.filter(dossier_id=dossier_id).order_by("at", "id")


# ------------------------------------------------------------------ templates (admin edits)
async def edited() -> dict[tuple[str, str, str], NotificationTemplate]:
    return {(t.kind, t.channel, t.language): t for t in await NotificationTemplate.all()}


async def save_template(kind: str, channel: str, language: str, subject: str, body: str, by: str,
                        now: datetime) -> None:
    if kind not in KINDS or channel not in CHANNELS or language not in LANGUAGES:
        raise InvalidData("No such template", fields={"template": ["one of the shipped templates"]})
    await NotificationTemplate.update_or_create(
        {"subject": subject[:200], "body": body, "updated_at": now, "updated_by": by[:150]},
        kind=kind, channel=channel, language=language)


async def reset_template(kind: str, channel: str, language: str) -> None:
    await NotificationTemplate.filter(kind=kind, channel=channel, language=language).delete()


# ------------------------------------------------------------------ the demo catcher
async def catch(channel: str, recipient: str, subject: str, text: str, html: str, attachments: Sequence[str],
                now: datetime) -> int:
    row = await CaughtMessage.create(at=now, channel=channel, recipient=recipient[:254], subject=subject[:300],
                                     text=text, html=html, attachments=list(attachments))
    return int(row.id)


async def caught(limit: int = 100) -> list[dict[str, Any]]:
    rows = await CaughtMessage.all().order_by("-id").limit(limit)
    return [{"id": r.id, "at": r.at, "channel": r.channel, "recipient": r.recipient, "subject": r.subject,
             "text": r.text, "html": r.html, "attachments": r.attachments} for r in rows]
