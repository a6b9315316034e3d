"""Idempotent API calls: the first answer to a call with an `Idempotency-Key` is kept 24 h and
replayed to retries with the same key (same user, same request); the same key on a different
request is refused. A slot is reserved before the call runs, so two concurrent tries never both run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from engine.errors import Conflict, InvalidData
from engine.models import IdempotencyRecord

KEEP = timedelta(hours=24)
#: a reservation still unanswered after this belongs to a process killed mid-call (kill -9, power
#: loss): a retry takes it over instead of hearing "still being processed" for 24 h. Running the call
#: again is safe: each command is one transaction guarded by its own state checks (a completed task
#: answers 409), so a retry never duplicates an effect.
ABANDONED = timedelta(seconds=10)
MAX_KEY = 200


@dataclass(frozen=True)
class Stored:
    status: int
    content_type: str
    body: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


async def reserve(user_id: int, key: str, method: str, path: str, print_: str, now: datetime) -> Stored | None:
    """Reserve the key for this call; or the stored first answer to replay. Raises Conflict while the
    first call is still running and InvalidData when the key was used for another request."""
    if not key or len(key) > MAX_KEY:
        raise InvalidData("Invalid idempotency key", fields={"Idempotency-Key": [f"1 to {MAX_KEY} characters"]})
    await IdempotencyRecord.filter(created_at__lt=now - KEEP).delete()
    try:
        await IdempotencyRecord.create(user_id=user_id, key=key, method=method, path=path[:500],
                                       fingerprint=print_, created_at=now)
        return None
    except IntegrityError:
        pass
    first = await IdempotencyRecord.get_or_none(user_id=user_id, key=key)
    if first is None:  # the first try failed and gave the key back in between: run this one
        return await reserve(user_id, key, method, path, print_, now)
    if first.fingerprint != print_:
        raise InvalidData("This Idempotency-Key was used for a different request",
                          fields={"Idempotency-Key": ["already used for another request"]})
    if first.status == 0 and first.created_at < now - ABANDONED:
        taken = await IdempotencyRecord.filter(user_id=user_id, key=key, status=0,
                                               created_at=first.created_at).update(created_at=now)
        if taken:
            return None
    if first.status == 0:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly",
                       rule="idempotency_in_progress")
    return Stored(first.status, first.content_type, first.body)


async def store(user_id: int, key: str, status: int, content_type: str, body: str) -> None:
    await IdempotencyRecord.filter(user_id=user_id, key=key).update(status=status, content_type=content_type[:100],
                                                                    body=body)


async def release(user_id: int, key: str) -> None:
    """The call failed before it answered (a 5xx): the key is free for a retry."""
    await IdempotencyRecord.filter(user_id=user_id, key=key, status=0).delete()
