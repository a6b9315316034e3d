"""Bearer token → user, and a page session's user id → user (`accounts.active_user`), cached in the
process for a few seconds (every API request and every page asks).

An entry is used while it is younger than `TTL`, its token has not expired, and the `accounts`
configuration revision has not moved. Deactivating an account, changing its roles or kind, or
revoking a token bumps that revision (`engine.runtime.bump_now`): this process drops its entries at
once, other processes within `REVISION_CHECK` (one indexed read per second at most), and no entry
outlives `TTL` whatever happens.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from engine import runtime
from engine.models import User

ACCOUNTS = "accounts"  # the config_revision key of users and tokens
TTL = 5.0  # seconds an entry is trusted at most
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Entry:
    user: User
    expires_at: datetime
    loaded: float
    revision: int


class TokenCache:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self.revision = -1
        self._checked = float("-inf")
        self._local = -1

    async def current_revision(self) -> int:
        """The accounts revision, re-read at most every REVISION_CHECK seconds (at once after a
        change made by this process)."""
        now = time.monotonic()
        local = runtime._local_changes.get(ACCOUNTS, 0)
        if now - self._checked >= runtime.REVISION_CHECK or local != self._local:
            self._local = local
            revision = await runtime.read_revision(ACCOUNTS)
            if revision != self.revision:
                self.entries.clear()
                self.revision = revision
            self._checked = now
        return self.revision

    async def get(self, token_hash: str, now: datetime) -> User | None:
        revision = await self.current_revision()
        entry = self.entries.get(token_hash)
        if entry is None:
            return None
        if (entry.revision != revision or time.monotonic() - entry.loaded >= TTL or entry.expires_at <= now):
            del self.entries[token_hash]
            return None
        return entry.user

    def put(self, token_hash: str, user: User, expires_at: datetime, revision: int) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[token_hash] = Entry(user, expires_at, time.monotonic(), revision)

    def clear(self) -> None:
        self.entries.clear()


CACHE = TokenCache()


async def changed() -> None:
    """Accounts or tokens changed: drop this process's entries, tell the others (config_revision)."""
    CACHE.clear()
    await runtime.bump_now(ACCOUNTS)
