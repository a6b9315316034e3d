"""Claim once, lease, recover: the one way a worker takes a row of a queue table (timers, outbox).

A claim is one conditional UPDATE … WHERE state = '<pending>' … RETURNING id: SQLite runs
writers one at a time and PostgreSQL re-checks the WHERE clause of a row another transaction
just updated, so of several workers racing for a row exactly one gets it back. The claim
instant is kept in `claimed_at_column`; a row left claimed longer than the lease belongs to a
crashed worker (or a failing handler) and `recover` puts it back.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine import sql

log = logging.getLogger("motcua.claims")


@dataclass(frozen=True)
class Queue:
    table: str
    claimed_state: str  # firing | delivering
    claimed_at_column: str  # fired_at | claimed_at
    lease: timedelta = timedelta(seconds=60)
    pending_state: str = "pending"


def in_list(ids: Sequence[int]) -> str:
    return "(" + ", ".join("?" for _ in ids) + ")"


async def claim(queue: Queue, where: str, params: Sequence[Any], now: datetime,
                extra_set: str = "") -> list[int]:
    """Claim the pending rows matching `where`; the ids this caller got (maybe none)."""
    return sorted(r["id"] for r in await claim_rows(queue, where, params, now, "id", extra_set))


async def claim_rows(queue: Queue, where: str, params: Sequence[Any], now: datetime, returning: str,
                     extra_set: str = "") -> list[dict[str, Any]]:
    """`claim`, one statement for many rows; the claimed rows' `returning` columns (as claimed)."""
    return await sql.fetch(sql.db(), (
        f"UPDATE {queue.table} SET state = ?, {queue.claimed_at_column} = ?{extra_set} "
        f"WHERE state = ? AND {where} RETURNING {returning}"),
        [queue.claimed_state, now.astimezone(UTC), queue.pending_state, *params])


async def release(queue: Queue, ids: Sequence[int], extra_set: str = "", params: Sequence[Any] = ()) -> None:
    """Give claimed rows back (the handler said: not now)."""
    if ids:
        await sql.fetch(sql.db(), (
            f"UPDATE {queue.table} SET state = ?, {queue.claimed_at_column} = NULL{extra_set} "
            f"WHERE state = ? AND id IN {in_list(ids)} RETURNING id"),
            [queue.pending_state, *params, queue.claimed_state, *ids])


async def finish(queue: Queue, ids: Sequence[int], state: str, extra_set: str = "",
                 params: Sequence[Any] = ()) -> None:
    """Move claimed rows to their end state (fired, done, dead…)."""
    if ids:
        await sql.fetch(sql.db(), (
            f"UPDATE {queue.table} SET state = ?{extra_set} WHERE state = ? AND id IN {in_list(ids)} RETURNING id"),
            [state, *params, queue.claimed_state, *ids])


async def recover(queue: Queue, now: datetime, lease: timedelta | None = None) -> list[int]:
    """Put rows claimed for longer than the lease back to pending; their ids."""
    lease = queue.lease if lease is None else lease
    cutoff = (now - lease).astimezone(UTC)
    stuck = await sql.fetch(sql.db(), (
        f"SELECT id FROM {queue.table} WHERE state = ? AND {queue.claimed_at_column} < ?"),
        [queue.claimed_state, cutoff])
    if not stuck:  # the common case stays a read: no write lock taken on SQLite
        return []
    back = await sql.fetch(sql.db(), (
        f"UPDATE {queue.table} SET state = ?, {queue.claimed_at_column} = NULL WHERE state = ? "
        f"AND {queue.claimed_at_column} < ? AND id IN {in_list([r['id'] for r in stuck])} RETURNING id"),
        [queue.pending_state, queue.claimed_state, cutoff, *(r["id"] for r in stuck)])
    ids = sorted(r["id"] for r in back)
    if ids:
        log.warning("%s rows %s were '%s' for over %ss (crashed worker or failing handler): back to pending",
                    queue.table, ids, queue.claimed_state, int(lease.total_seconds()))
    return ids
