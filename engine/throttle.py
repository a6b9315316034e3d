"""Throttling stored in the database, so every process shares it and a restart does not reset it.

A bucket counts hits in a window; past the limit the key is blocked for `block` from that hit.
Sign-in: per account 5 failures in 15 min, per address 30 (a success clears the account's count).
Tracking: per address 10 look-ups in 10 min.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from engine.errors import TooManyAttempts
from engine.models import ThrottleBucket


@dataclass(frozen=True)
class Rule:
    limit: int
    window: timedelta
    block: timedelta


LOGIN_ACCOUNT = Rule(5, timedelta(minutes=15), timedelta(minutes=15))
LOGIN_ADDRESS = Rule(30, timedelta(minutes=15), timedelta(minutes=15))
TRACKING = Rule(10, timedelta(minutes=10), timedelta(minutes=10))


def _key(kind: str, value: str) -> str:
    return f"{kind}:{value}"[:200]


async def check(kind: str, value: str, now: datetime) -> None:
    """Raise TooManyAttempts while the key is blocked."""
    row = await ThrottleBucket.get_or_none(key=_key(kind, value))
    if row is not None and row.blocked_until is not None and row.blocked_until > now:
        raise TooManyAttempts("Too many attempts; try again later",
                              retry_after=max(1, int((row.blocked_until - now).total_seconds())))


async def hit(kind: str, value: str, rule: Rule, now: datetime) -> bool:
    """Count one hit; True when it crossed the limit (the key is now blocked)."""
    key = _key(kind, value)
    async with in_transaction():
        row = await ThrottleBucket.select_for_update().get_or_none(key=key)
        if row is None:
            await ThrottleBucket.create(key=key, started_at=now, hits=1)
            return rule.limit < 1
        if now - row.started_at > rule.window:
            row.started_at, row.hits = now, 0
        row.hits += 1
        if row.hits > rule.limit:
            row.blocked_until = now + rule.block
        await row.save()
        return row.blocked_until is not None and row.blocked_until > now


async def clear(kind: str, value: str) -> None:
    await ThrottleBucket.filter(key=_key(kind, value)).delete()


async def purge(now: datetime) -> None:
    """Drop buckets nobody touched for a day."""
    await ThrottleBucket.filter(started_at__lt=now - timedelta(days=1)).delete()
