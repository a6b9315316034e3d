"""E-mail digests of staff notices: `compose` (pure: a user's unread notices since the last digest →
subject and text) and `send_digests` (every staff account, through a `send` callable).

The seam for the e-mail integration: `send_digests(now, send, phrase)` calls `send(digest)` for each
user with something new, and records the digest only after `send` returned (a failed send is
tried again next time: at least once). `motcua notices digest` runs it (web/cli.py); the wording
comes from `phrase(text_key, params)`, which the web layer supplies in the user's language (the
engine never translates). Accounts carry no e-mail address yet: the sender maps `digest.username`
to one (or skips it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine import permissions, sql, staff_notices
from engine.models import StaffNoticeDigest, User
from engine.staff_notices import Notice
from engine.workdays import LOCAL_TZ

Phrase = Callable[[str, Mapping[str, Any]], str]
Link = Callable[[Notice], str]
MAX_LINES = 50  # a longer digest says how many more are waiting on the notices page


@dataclass(frozen=True)
class Digest:
    user_id: int
    username: str
    subject: str
    text: str
    count: int
    last_at: datetime  # the newest notice included: the next digest starts after it


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
                  len(fresh), fresh[-1].at)


async def send_digests(now: datetime, send: Callable[[Digest], Awaitable[None]],
                       phrase: Callable[[User], Phrase], link: Link = lambda _n: "") -> list[Digest]:
    """Compose and send the digest of every active staff account with new unread notices."""
    sent = []
    last = {r.user_id: r.last_at for r in await StaffNoticeDigest.all()}
    for user in await User.filter(is_active=True, kind__in=permissions.STAFF_KINDS).order_by("id"):
        notices = await staff_notices.listing(user, now, unread_only=True, limit=500)
        digest = compose(user, notices, last.get(user.id), phrase(user), link)
        if digest is None:
            continue
        await send(digest)
        await sql.fetch(sql.db(), "INSERT INTO staff_notice_digest (user_id, last_at) VALUES (?, ?) "
                                  "ON CONFLICT (user_id) DO UPDATE SET last_at = excluded.last_at",
                        [user.id, sql.utc(digest.last_at)])
        sent.append(digest)
    return sent
