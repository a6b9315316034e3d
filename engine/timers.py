"""fire_due(now): claim each due Timer row exactly once and hand it to the handler of its kind.

The Timer rows are the truth (HOUSE_STYLE rule 3); whoever calls `fire_due` (the worker's
scheduler, a test) only decides *when* to look. Life of a row::

    pending --claim--> firing --handler ok--> fired
                         |--Conflict---------> pending   (the dossier moved meanwhile: next sweep)
                         |--handler raised---> stays firing: a lease, retried after LEASE
                         '--unknown kind-----> stays firing: a lease, retried after LEASE (ERROR log)

Exactly once. The claim is one conditional UPDATE … WHERE state = 'pending' … RETURNING id:
SQLite runs writers one at a time, and PostgreSQL re-checks the WHERE clause of a row another
transaction just updated, so of several workers racing for a row exactly one gets it back.
A BPMN fire advances every due timer of its dossier at once (SpiffWorkflow's refresh_timers),
so the 'bpmn' claim takes all the due BPMN rows of that dossier in the same statement; the
dossier's revision check (engine/dossiers.py) then makes its commit the only one.

Leases. `fired_at` is the claim instant while a row is 'firing'. A row left 'firing' longer than
LEASE belongs to a worker that crashed (or to a failing handler / a kind nobody registered):
`recover_stuck` puts it back to 'pending', so a restart loses nothing. A failing timer is thus
retried once per LEASE, with an ERROR line each time, until someone fixes the cause.

Handlers are the runtime's `timer_kinds` (engine.dossiers.deadlines: nothing registers on import),
`async (rt, timer_row, now) -> None`. A handler marks its row 'fired' in the commit of its effect
(store.commit) so a crash repeats nothing; otherwise fire_due marks it afterwards (one statement for
the batch's fired rows; a crash before it leaves them to the lease). Claiming, leases and recovery
are engine.claims, shared with the outbox.

Per batch, not per fire: one read of the due rows, one claim, the runtime's `timer_prefetch` (one
read of the batch's dossiers, handed to the first row of each dossier as "loaded": a dossier changed
meanwhile fails its commit's revision check and goes back to pending) and one 'fired' mark.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import OperationalError

from engine import claims, sql
from engine.errors import Conflict, MotcuaError

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger("motcua.timers")

QUEUE = claims.Queue("timer", "firing", "fired_at", lease=timedelta(seconds=60))
LEASE = QUEUE.lease
CHANNEL = "motcua_timer"  # PostgreSQL NOTIFY channel: a timer due within NOTIFY_WITHIN was armed (engine.scheduler)
NOTIFY_WITHIN = timedelta(seconds=5)  # later ones are found by the scheduler's 1 s watch long before they are due
CONCURRENCY = 16  # dossiers fired at once within one batch (each still its own revision-checked commit)
_COLUMNS = "id, dossier_id, task_id, element_id, kind, due_at, state, fired_at, payload"


def _row(raw: dict[str, Any]) -> dict[str, Any]:
    return {**raw, "due_at": sql.instant(raw["due_at"]), "fired_at": sql.instant(raw["fired_at"]),
            "payload": sql.unjson(raw["payload"]) or {}}


async def _claim_batch(due: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """One statement for the whole batch: each candidate row, and for a 'bpmn' one every due BPMN
    row of its dossier. Only what this worker got comes back (a racing worker's rows do not)."""
    ids = [c["id"] for c in due if c["kind"] != "bpmn"]
    bpmn = sorted({c["dossier_id"] for c in due if c["kind"] == "bpmn"})
    parts = ([f"id IN {claims.in_list(ids)}"] if ids else []) + (
        [f"(kind = 'bpmn' AND dossier_id IN {claims.in_list(bpmn)})"] if bpmn else [])
    try:
        return await claims.claim_rows(QUEUE, f"due_at < ? AND ({' OR '.join(parts)})", [now, *ids, *bpmn], now,
                                       "id, dossier_id, kind")
    except OperationalError as exc:  # two workers' claims locking rows in opposite orders: PostgreSQL
        if "deadlock" not in str(exc).lower():  # aborts one; its rows stay pending for the next look
            raise
        log.info("timer claim lost a deadlock to another worker; looking again")
        return []


Unit = tuple[dict[str, Any], list[int]]  # (the row handed to the handler, the claimed ids it covers)


def _units(due: list[dict[str, Any]], got: list[dict[str, Any]]) -> tuple[dict[int, list[Unit]], list[int]]:
    """What to fire, per dossier in due order; and the ids to give back (a dossier's later BPMN rows,
    when its due one went to another worker)."""
    mine = {r["id"] for r in got}
    bpmn: dict[int, list[int]] = {}
    for r in got:
        if r["kind"] == "bpmn":
            bpmn.setdefault(r["dossier_id"], []).append(r["id"])
    units: dict[int, list[Unit]] = {}
    for candidate in due:
        if candidate["id"] not in mine:
            continue
        ids = sorted(bpmn.pop(candidate["dossier_id"], [])) if candidate["kind"] == "bpmn" else [candidate["id"]]
        if ids:  # a dossier's BPMN rows fire once, with its first candidate
            units.setdefault(candidate["dossier_id"], []).append((candidate, ids))
    return units, sorted(i for rest in bpmn.values() for i in rest)


async def fire_due(rt: Runtime, now: datetime, limit: int = 100) -> int:
    """Fire up to `limit` timers due strictly before `now` (SpiffWorkflow fires only when
    due < now); returns how many timer rows this call fired. Never raises for one bad timer."""
    return (await fire_batch(rt, now, limit)).fired


@dataclass(frozen=True)
class Batch:
    seen: int  # due rows found (a full batch means: look again)
    fired: int  # rows this call fired


async def fire_batch(rt: Runtime, now: datetime, limit: int) -> Batch:
    now = now.astimezone(UTC)
    due = await sql.fetch(sql.db(), (
        f"SELECT {_COLUMNS} FROM timer WHERE state = 'pending' AND due_at < ? ORDER BY due_at, id LIMIT ?"),
        [now, limit])
    if not due:
        return Batch(0, 0)
    units, back = _units(due, await _claim_batch(due, now))
    await claims.release(QUEUE, back)
    loaded = await rt.timer_prefetch(sorted(units)) if rt.timer_prefetch and units else {}
    gate = asyncio.Semaphore(CONCURRENCY)
    fired: list[int] = []

    async def fire_group(dossier_id: int, group: list[Unit]) -> None:
        """One dossier's due rows, one after another (each its own command); dossiers in parallel.
        Only the first finds the dossier prefetched: the next ones read it after the first's commit."""
        async with gate:
            for i, (candidate, ids) in enumerate(group):
                timer = _row({**candidate, "state": "firing", "fired_at": now})
                if i == 0 and dossier_id in loaded:
                    timer["loaded"] = loaded[dossier_id]
                if await _dispatch(rt, timer, ids, now):
                    fired.extend(ids)

    await asyncio.gather(*(fire_group(d, g) for d, g in units.items()))
    await claims.finish(QUEUE, sorted(fired), "fired")  # what the handlers' commits did not mark already
    return Batch(len(due), len(fired))


async def _dispatch(rt: Runtime, timer: dict[str, Any], ids: list[int], now: datetime) -> bool:
    """Run the handler; whether its rows fired (a conflict gives them back, a failure leaves the lease)."""
    handler = rt.timer_kinds.get(timer["kind"])
    if handler is None:
        log.error("timer %s: no handler for kind %r; left 'firing', retried in %ss",
                  timer["id"], timer["kind"], int(LEASE.total_seconds()))
        return False
    try:
        await handler(rt, timer, now)
    except Conflict:
        log.info("timer %s: dossier %s changed concurrently; back to pending", timer["id"], timer["dossier_id"])
        await claims.release(QUEUE, ids)
        return False
    except Exception as exc:  # one bad timer must not stop the others
        # the type and where it was raised, never the message: it may quote task data (personal data)
        code = exc.code if isinstance(exc, MotcuaError) else type(exc).__name__
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
        log.error("timer %s (kind %s, dossier %s) failed: %s at %s; retried in %ss", timer["id"], timer["kind"],
                  timer["dossier_id"], code, where, int(LEASE.total_seconds()))
        return False
    return True


async def recover_stuck(now: datetime, lease: timedelta = LEASE) -> int:
    """Put rows 'firing' for longer than `lease` (crashed worker, failing handler) back to 'pending'."""
    return len(await claims.recover(QUEUE, now, lease))


async def next_due() -> datetime | None:
    """The earliest due instant of a pending timer (one indexed MIN query)."""
    found = await sql.fetch_one(sql.db(), "SELECT MIN(due_at) AS due FROM timer WHERE state = 'pending'")
    return sql.instant(found["due"]) if found else None


async def health(now: datetime) -> dict[str, Any]:
    """Timer rows by state, the next due instant and how late the oldest overdue pending one is."""
    found = await sql.fetch(sql.db(), "SELECT state, COUNT(*) AS n FROM timer GROUP BY state")
    counts = {r["state"]: int(r["n"]) for r in found}
    due = await next_due()
    late = (now - due).total_seconds() if due is not None and due < now else 0.0
    return {"pending": counts.get("pending", 0), "firing": counts.get("firing", 0), "fired": counts.get("fired", 0),
            "cancelled": counts.get("cancelled", 0), "next_due_at": due, "oldest_overdue_seconds": late}
