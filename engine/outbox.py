"""Transactional outbox: dossier events delivered to subscribers, at least once, in order per dossier.

`rows_for(...)` builds the outbox rows of a command's events; `engine.dossiers.store.commit`
inserts them in the command's own transaction, one row per (event, subscriber that wants its
kind), so a crash either keeps the change and its deliveries or neither. `dispatch(rt, now)`
(run by `motcua worker`) claims due rows (engine.claims: claim once, lease, recover) and calls
the subscriber; the idempotency key `<dossier code>:<revision>:<n>` lets a subscriber apply a
repeated delivery once in effect.

Order per dossier: a row is due only when every earlier row of the same subscriber and dossier
is done. A failed delivery goes back to pending after an exponential backoff (BASE × 2^(tries−1),
capped at CAP); after MAX_ATTEMPTS it is dead-lettered, which holds that dossier's later rows
for that subscriber until an admin retries it (`retry`) — order is never broken silently.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from engine import claims, sql
from engine.events import Event

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger("motcua.outbox")

QUEUE = claims.Queue("outbox", "delivering", "claimed_at", lease=timedelta(seconds=60))
MAX_ATTEMPTS = 8
BASE = timedelta(seconds=2)
CAP = timedelta(hours=1)
STATES = ("pending", "delivering", "done", "dead")
_COLUMNS = "id, subscriber, dossier_id, key, kind, payload, at, state, attempts, next_at, last_error"


@dataclass(frozen=True)
class Delivery:
    id: int
    subscriber: str
    key: str  # idempotency key: "<dossier code>:<revision>:<n>"
    kind: str
    payload: dict[str, Any]  # events.Event.to_dict()
    attempt: int  # 1 for the first try


class Subscriber(Protocol):
    """Receives dossier events. `kinds` None = every kind. `deliver` raises to ask for a retry."""

    name: str
    kinds: frozenset[str] | None

    async def deliver(self, delivery: Delivery) -> None:
        ...


def rows_for(events: Sequence[Event], subscribers: Sequence[Subscriber], dossier_id: int,
             now: datetime) -> list[dict[str, Any]]:
    """The outbox rows of a command's events (n numbers the events of one revision from 0)."""
    out = []
    counters: dict[int, int] = {}
    for event in events:
        n = counters.get(event.revision, 0)
        counters[event.revision] = n + 1
        key = f"{event.dossier_code}:{event.revision}:{n}"
        payload: str | None = None  # encoded once per event, whatever the number of subscribers
        for sub in subscribers:
            if sub.kinds is None or event.kind in sub.kinds:
                payload = payload or sql.jsonb(event.to_dict())
                out.append({"subscriber": sub.name, "dossier_id": dossier_id, "key": key, "kind": event.kind,
                            "payload": payload, "at": sql.utc(event.at), "state": "pending",
                            "attempts": 0, "next_at": sql.utc(now), "claimed_at": None, "delivered_at": None,
                            "last_error": ""})
    return out


@dataclass(frozen=True)
class Dispatched:
    seen: int
    delivered: int
    failed: int
    dead: int


def backoff(attempts: int) -> timedelta:
    doubled: timedelta = BASE * (2 ** max(0, attempts - 1))
    return min(CAP, doubled)


async def dispatch(rt: Runtime, now: datetime, limit: int = 200, concurrency: int = 32) -> Dispatched:
    """Deliver up to `limit` due rows (at most one per subscriber and dossier: order), concurrently."""
    now = now.astimezone(UTC)
    names = list(rt.subscribers)
    if not names:
        return Dispatched(0, 0, 0, 0)
    marks = ", ".join("?" for _ in names)
    # One statement claims the batch: the earliest not-done row of each (subscriber, dossier) when it is
    # pending and due. PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
    # PostgreSQL: the batch is picked once (ARRAY(...) is an InitPlan). With `id IN (SELECT …)` the planner
    # may run the locking sub-select again for every pending row (a semi join; chosen when its statistics
    # still say "few pending rows" after a burst): 35,000 pending rows of a 25 M-row outbox then held one
    # claim for over ten minutes (bench/reports.py on the 1 M database).
    pg = sql.is_postgres(sql.db())
    picked = ("SELECT o.id FROM outbox o WHERE o.state = 'pending' AND o.next_at <= ? "
              f"AND o.subscriber IN ({marks}) AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.subscriber = o.subscriber "
              "AND p.dossier_id = o.dossier_id AND p.id < o.id AND p.state <> 'done') ORDER BY o.id LIMIT ?"
              + (" FOR UPDATE OF o SKIP LOCKED" if pg else ""))
    mine = await claims.claim_rows(QUEUE, f"id = ANY(ARRAY({picked}))" if pg else f"id IN ({picked})",
                                   [now, *names, limit], now, _COLUMNS, extra_set=", attempts = attempts + 1")
    if not mine:
        return Dispatched(0, 0, 0, 0)
    mine.sort(key=lambda row: row["id"])
    gate = asyncio.Semaphore(concurrency)
    delivered: list[int] = []
    failures: list[tuple[dict[str, Any], str]] = []

    async def one(row: dict[str, Any]) -> None:
        sub = rt.subscribers.get(row["subscriber"])
        delivery = Delivery(row["id"], row["subscriber"], row["key"], row["kind"], sql.unjson(row["payload"]) or {},
                            int(row["attempts"]))  # as claimed: this try counted
        async with gate:
            try:
                if sub is None:
                    raise LookupError(f"no subscriber {row['subscriber']!r} in this process")
                await sub.deliver(delivery)
            except Exception as exc:  # one failing delivery must not stop the others
                failures.append((row, f"{type(exc).__name__}: {exc}"[:300]))
                return
        delivered.append(row["id"])

    await asyncio.gather(*(one(row) for row in mine))
    if delivered:
        await claims.finish(QUEUE, delivered, "done", ", delivered_at = ?", [now])
    dead = 0
    for row, error in failures:
        attempts = int(row["attempts"])
        if attempts >= MAX_ATTEMPTS:
            dead += 1
            await claims.finish(QUEUE, [row["id"]], "dead", ", last_error = ?", [error])
            log.error("outbox %s (%s → %s) dead after %d tries", row["id"], row["kind"], row["subscriber"], attempts)
        else:
            await claims.release(QUEUE, [row["id"]], ", next_at = ?, last_error = ?",
                                 [now + backoff(attempts), error])
            log.warning("outbox %s (%s → %s) failed (try %d), retried later", row["id"], row["kind"],
                        row["subscriber"], attempts)
    return Dispatched(len(mine), len(delivered), len(failures) - dead, dead)


async def resend(subscriber: str, dossiers: Sequence[tuple[int, str, int]], now: datetime,
                 tag: str = "resend") -> int:
    """Append one delivery of kind `resend` per (dossier id, code, revision) for `subscriber`: behind
    that dossier's other rows (order kept), with a key of its own (`<code>:<revision>:<tag>-<instant>`),
    so a receiver that lost what it had acknowledged takes it again. Used by `motcua portal reconcile`."""
    now = now.astimezone(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%f")
    rows = [{"subscriber": subscriber, "dossier_id": dossier_id, "key": f"{code}:{revision}:{tag}-{stamp}",
             "kind": "resend", "payload": sql.jsonb({"kind": "resend", "dossier_code": code, "revision": revision,
                                                     "at": now.isoformat(), "actor": tag}),
             "at": now, "state": "pending", "attempts": 0, "next_at": now, "claimed_at": None,
             "delivered_at": None, "last_error": ""} for dossier_id, code, revision in dossiers]
    async def insert(tx: sql.Tx) -> None:  # one transaction; chunks for SQLite's bound-parameter limit
        for start in range(0, len(rows), 500):
            await tx.insert_many("outbox", rows[start:start + 500])
    if rows:
        await sql.transaction(insert)
    return len(rows)


async def recover_stuck(now: datetime, lease: timedelta | None = None) -> int:
    return len(await claims.recover(QUEUE, now, lease))


async def next_due() -> datetime | None:
    found = await sql.fetch_one(sql.db(), "SELECT MIN(next_at) AS due FROM outbox WHERE state = 'pending'")
    return sql.instant(found["due"]) if found else None


async def summary() -> list[dict[str, Any]]:
    """Deliveries per subscriber and state (the admin page and API)."""
    found = await sql.fetch(sql.db(), (
        "SELECT subscriber, state, COUNT(*) AS n, MIN(at) AS oldest FROM outbox GROUP BY subscriber, state "
        "ORDER BY subscriber, state"))
    out: dict[str, dict[str, Any]] = {}
    for r in found:
        entry = out.setdefault(r["subscriber"], {"subscriber": r["subscriber"], **{s: 0 for s in STATES},
                                                 "oldest_waiting_at": None})
        entry[r["state"]] = int(r["n"])
        if r["state"] in ("pending", "delivering", "dead"):
            oldest = sql.instant(r["oldest"])
            if oldest and (entry["oldest_waiting_at"] is None or oldest < entry["oldest_waiting_at"]):
                entry["oldest_waiting_at"] = oldest
    return list(out.values())


async def listing(*, state: str | None = None, subscriber: str | None = None, failed_only: bool = False,
                  limit: int = 100) -> list[dict[str, Any]]:
    """Deliveries, newest first: `failed_only` = pending rows that already failed at least once."""
    where, params = ["1 = 1"], []
    if state:
        where.append("state = ?")
        params.append(state)
    if subscriber:
        where.append("subscriber = ?")
        params.append(subscriber)
    if failed_only:
        where.append("last_error <> ''")
    found = await sql.fetch(sql.db(), (
        f"SELECT {_COLUMNS} FROM outbox WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"), [*params, limit])
    return [{**r, "payload": sql.unjson(r["payload"]), "at": sql.instant(r["at"]),
             "next_at": sql.instant(r["next_at"])} for r in found]


async def retry(ids: Sequence[int], now: datetime) -> int:
    """Put dead (or waiting) deliveries back to pending, due now, with a fresh count of tries."""
    if not ids:
        return 0
    found = await sql.fetch(sql.db(), (
        "UPDATE outbox SET state = 'pending', attempts = 0, next_at = ?, claimed_at = NULL "
        f"WHERE state IN ('dead', 'pending') AND id IN ({', '.join('?' for _ in ids)}) RETURNING id"),
        [now.astimezone(UTC), *ids])
    return len(found)
