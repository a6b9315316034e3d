"""Server-side page sessions: create, load, touch, save, revoke, revoke every session of a user, purge.

The browser's cookie holds a 256-bit random token; the table keeps only its SHA-256 (`session.id`),
so a leaked copy of the table opens no session. A session is valid while it is not revoked, before
its absolute end (`expires_at`, set at creation: a sign-in creates a new session) and while it was
seen within the idle timeout. `last_seen_at` is written at most once per TOUCH_EVERY, so a session
may end up to that much before its exact idle limit, never after.

Sign-out and rotation revoke a row (`revoked_at`); a password change and a deactivation revoke every
row of the account. `purge` deletes revoked and expired rows (the web process calls it from time to
time; a revoked token then matches nothing at all).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q

from engine import sql as rows
from engine.models import Session

TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)


@dataclass
class Loaded:
    """A valid session as read at the start of a request."""

    key: str  # the stored id (hash of the token)
    user_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    last_seen_at: datetime | None = None


def key_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """43 url-safe characters, 256 random bits."""
    return secrets.token_urlsafe(32)


async def create(user_id: int | None, data: dict[str, Any], now: datetime, timeouts: Timeouts) -> str:
    """A new session; returns the token for the cookie (only its hash is stored)."""
    token = new_token()
    await Session.create(id=key_of(token), user_id=user_id, data=data, created_at=now, last_seen_at=now,
                         expires_at=now + timeouts.absolute)
    return token


async def load(token: str, now: datetime, timeouts: Timeouts) -> Loaded | None:
    """The session of a cookie's token, or None: unknown, revoked, past its absolute end or idle too long."""
    if not token or len(token) > 100:
        return None
    row = await rows.fetch_one(rows.db(), (
        'SELECT id, user_id, data, last_seen_at, expires_at, revoked_at FROM "session" WHERE id = ?'),
        [key_of(token)])
    if row is None or row["revoked_at"] is not None:
        return None
    last_seen, expires = rows.instant(row["last_seen_at"]), rows.instant(row["expires_at"])
    if expires is None or last_seen is None or now >= expires or now - last_seen >= timeouts.idle:
        return None
    data = rows.unjson(row["data"])
    return Loaded(key=row["id"], user_id=row["user_id"], data=data if isinstance(data, dict) else {},
                  last_seen_at=last_seen)


async def touch(key: str, now: datetime) -> None:
    await Session.filter(id=key, revoked_at=None).update(last_seen_at=now)


async def save(key: str, data: dict[str, Any], now: datetime) -> None:
    """Write the session's data (and mark it seen); a revoked row stays revoked."""
    await Session.filter(id=key, revoked_at=None).update(data=data, last_seen_at=now)


async def revoke(key: str, now: datetime) -> None:
    await Session.filter(id=key, revoked_at=None).update(revoked_at=now)


async def revoke_all_for_user(user_id: int, now: datetime, *, keep: str | None = None) -> int:
    """End every session of the account (but `keep`, the stored id of the caller's own, if given)."""
    query = Session.filter(user_id=user_id, revoked_at=None)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=now)


async def purge(now: datetime, timeouts: Timeouts) -> int:
    """Delete revoked sessions and those past their absolute end or idle limit."""
    return await Session.filter(Q(revoked_at__not_isnull=True) | Q(expires_at__lte=now)
                                | Q(last_seen_at__lte=now - timeouts.idle)).delete()
