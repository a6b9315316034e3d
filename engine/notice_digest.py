"""E-mail digests of staff notices: `compose` (pure: a user's unread notices since the last digest →
subject and text) and `send_digests` (every staff account, through a `send` callable).

`send_digests(now, send, phrase)` calls `send(digest)` for each user with something new and an
e-mail address (`user_account.email`; the others are counted as skipped), and records the digest
only after `send` returned: a send that raises is logged, counted as failed and tried again next
time (at least once). With `urgent=True` only the heads of the one-stop unit with a new escalation
get theirs (everything new, so the daily digest does not repeat it); `latest_escalation()` is the
cheap question the worker asks first. The web layer sends (web/staff/digests.py) and supplies the
wording, `phrase(text_key, params)`, in the user's language (the engine never translates)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine import permissions, sql, staff_notices
from engine.models import StaffNotice, StaffNoticeDigest, User
from engine.staff_notices import HEAD_ROLE, Notice
from engine.workdays import LOCAL_TZ

Phrase = Callable[[str, Mapping[str, Any]], str]
Link = Callable[[Notice], str]
MAX_LINES = 50  # a longer digest says how many more are waiting on the notices page
log = logging.getLogger("motcua.digests")


@dataclass(frozen=True)
class Digest:
    user_id: int
    username: str
    subject: str
    text: str
    count: int
    last_at: datetime  # the newest notice included: the next digest starts after it
    email: str = ""  # the account's address ("": the digest is skipped)
    escalations: int = 0  # how many of the notices are escalations (an urgent digest needs one)


@dataclass
class Run:
    """What one `send_digests` did: sent (and recorded), skipped (no address), failed (send raised)."""

    sent: list[Digest] = field(default_factory=list)
    skipped: list[Digest] = field(default_factory=list)
    failed: list[Digest] = field(default_factory=list)


def compose(user: User, notices: Sequence[Notice], since: datetime | None, phrase: Phrase,
            link: Link = lambda _n: "") -> Digest | None:
    """The digest of `user`'s unread notices newer than `since` (None when there is nothing new)."""
    fresh = sorted((n for n in notices if not n.read and (since is None or n.at > since)), key=lambda n: n.at)
    if not fresh:
        return None
    tz = ZoneInfo(LOCAL_TZ)
    lines = [phrase("digest_greeting", {"name": user.full_name or user.username}), ""]
    for n in fresh[:MAX_LINES]:
        where = link(n)
        lines.append(f"- {n.at.astimezone(tz):%d/%m/%Y %H:%M} {phrase(n.text_key, n.params)}"
                     + (f" {where}" if where else ""))
    if len(fresh) > MAX_LINES:
        lines.append(phrase("digest_more", {"count": len(fresh) - MAX_LINES}))
    return Digest(user.id, user.username, phrase("digest_subject", {"count": len(fresh)}), "\n".join(lines) + "\n",
                  len(fresh), fresh[-1].at, user.email, sum(1 for n in fresh if n.escalation))


async def send_digests(now: datetime, send: Callable[[Digest], Awaitable[None]],
                       phrase: Callable[[User], Phrase], link: Link = lambda _n: "", *, urgent: bool = False) -> Run:
    """Compose and send the digest of every active staff account with new unread notices (`urgent`:
    only the heads of the one-stop unit, and only when an escalation is among them)."""
    run = Run()
    last = {r.user_id: r.last_at for r in await StaffNoticeDigest.all()}
    for user in await User.filter(is_active=True, kind__in=permissions.STAFF_KINDS).order_by("id"):
        if urgent and not user.has_role(HEAD_ROLE):
            continue
        notices = await staff_notices.listing(user, now, unread_only=True, limit=500)
        digest = compose(user, notices, last.get(user.id), phrase(user), link)
        if digest is None or (urgent and not digest.escalations):
            continue
        if not digest.email:
            run.skipped.append(digest)
            continue
        try:
            await send(digest)
        except Exception:  # SMTP down, recipient refused…: not recorded, so the next run tries again
            log.warning("the notice digest of user %s could not be sent", user.id, exc_info=True)
            run.failed.append(digest)
            continue
        await sql.fetch(sql.db(), "INSERT INTO staff_notice_digest (user_id, last_at) VALUES (?, ?) "
                                  "ON CONFLICT (user_id) DO UPDATE SET last_at = excluded.last_at",
                        [user.id, sql.utc(digest.last_at)])
        run.sent.append(digest)
    return run


async def latest_escalation() -> int:
    """The id of the newest escalation notice (0: none): the worker sends urgent digests when it grows."""
    newest = await StaffNotice.filter(role=HEAD_ROLE, kind="escalation").order_by("-id").first()
    return int(newest.id) if newest else 0
