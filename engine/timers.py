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

Handlers: `register(kind, handler)`, handler = `async (timer_row, now) -> None`. A handler should
mark its row 'fired' in its own transaction when its effect must not repeat after a crash (the
'bpmn' one does, through dossiers._write_projections); otherwise fire_due marks it afterwards.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import engine.workflow.expression_functions  # noqa: F401  registers add_working_days & co. in every process
from engine import dossier_rows as rows
from engine import dossiers
from engine.errors import Conflict, MotcuaError

log = logging.getLogger("motcua.timers")

Handler = Callable[[dict[str, Any], datetime], Awaitable[None]]
LEASE = timedelta(seconds=60)
_COLUMNS = "id, dossier_id, task_id, element_id, kind, due_at, state, fired_at, payload"
_handlers: dict[str, Handler] = {}


def register(kind: str, handler: Handler) -> None:
    """Make `handler` fire the due rows of `kind` (one handler per kind; the last one wins)."""
    if not kind or len(kind) > 32:
        raise ValueError(f"invalid timer kind {kind!r}")
    _handlers[kind] = handler


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


async def _fire_bpmn(timer: dict[str, Any], now: datetime) -> None:
    await dossiers.fire_due_timers(timer["dossier_id"], now)


register("bpmn", _fire_bpmn)


def _row(raw: dict[str, Any]) -> dict[str, Any]:
    return {**raw, "due_at": rows.instant(raw["due_at"]), "fired_at": rows.instant(raw["fired_at"]),
            "payload": rows.unjson(raw["payload"]) or {}}


def _in(ids: list[int]) -> str:
    return "(" + ", ".join("?" for _ in ids) + ")"


async def _claim(candidate: dict[str, Any], now: datetime) -> list[int]:
    """Claim the row (and for 'bpmn' its dossier's other due BPMN rows); the ids this worker got."""
    if candidate["kind"] == "bpmn":
        where, params = "dossier_id = ? AND kind = 'bpmn' AND due_at < ?", [candidate["dossier_id"], now]
    else:
        where, params = "id = ?", [candidate["id"]]
    claimed = await rows.fetch(rows.db(), (
        f"UPDATE timer SET state = 'firing', fired_at = ? WHERE state = 'pending' AND {where} RETURNING id"),
        [now, *params])
    return [r["id"] for r in claimed]


async def _release(ids: list[int]) -> None:
    await rows.fetch(rows.db(), (
        f"UPDATE timer SET state = 'pending', fired_at = NULL WHERE state = 'firing' AND id IN {_in(ids)} "
        "RETURNING id"), ids)


async def _mark_fired(ids: list[int]) -> None:
    await rows.fetch(rows.db(), (
        f"UPDATE timer SET state = 'fired' WHERE state = 'firing' AND id IN {_in(ids)} RETURNING id"), ids)


async def fire_due(now: datetime, limit: int = 100) -> int:
    """Fire up to `limit` timers due strictly before `now` (SpiffWorkflow fires only when
    due < now); returns how many timer rows this call fired. Never raises for one bad timer."""
    return (await fire_batch(now, limit)).fired


@dataclass(frozen=True)
class Batch:
    seen: int  # due rows found (a full batch means: look again)
    fired: int  # rows this call fired


async def fire_batch(now: datetime, limit: int) -> Batch:
    now = now.astimezone(UTC)
    due = await rows.fetch(rows.db(), (
        f"SELECT {_COLUMNS} FROM timer WHERE state = 'pending' AND due_at < ? ORDER BY due_at, id LIMIT ?"),
        [now, limit])
    fired = 0
    for candidate in due:
        ids = await _claim(candidate, now)
        if candidate["id"] not in ids:  # another worker has it (or took it with its dossier)
            if ids:  # rows of that dossier due since: back, for the sweep that reaches them
                await _release(ids)
            continue
        timer = _row({**candidate, "state": "firing", "fired_at": now})
        fired += await _dispatch(timer, ids, now)
    return Batch(len(due), fired)


async def _dispatch(timer: dict[str, Any], ids: list[int], now: datetime) -> int:
    handler = _handlers.get(timer["kind"])
    if handler is None:
        log.error("timer %s: no handler for kind %r; left 'firing', retried in %ss",
                  timer["id"], timer["kind"], int(LEASE.total_seconds()))
        return 0
    try:
        await handler(timer, now)
    except Conflict:
        log.info("timer %s: dossier %s changed concurrently; back to pending", timer["id"], timer["dossier_id"])
        await _release(ids)
        return 0
    except Exception as exc:  # one bad timer must not stop the others
        # the type and where it was raised, never the message: it may quote task data (personal data)
        code = exc.code if isinstance(exc, MotcuaError) else type(exc).__name__
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else "?"
        log.error("timer %s (kind %s, dossier %s) failed: %s at %s; retried in %ss", timer["id"], timer["kind"],
                  timer["dossier_id"], code, where, int(LEASE.total_seconds()))
        return 0
    await _mark_fired(ids)
    return len(ids)


async def recover_stuck(now: datetime, lease: timedelta = LEASE) -> int:
    """Put rows 'firing' for longer than `lease` (crashed worker, failing handler) back to 'pending'."""
    cutoff = (now - lease).astimezone(UTC)
    stuck = await rows.fetch(rows.db(), "SELECT id FROM timer WHERE state = 'firing' AND fired_at < ?", [cutoff])
    if not stuck:  # the common case stays a read: no write lock taken on SQLite
        return 0
    back = await rows.fetch(rows.db(), (
        f"UPDATE timer SET state = 'pending', fired_at = NULL WHERE state = 'firing' AND fired_at < ? "
        f"AND id IN {_in([r['id'] for r in stuck])} RETURNING id"), [cutoff, *(r["id"] for r in stuck)])
    ids = sorted(r["id"] for r in back)
    if ids:
        log.warning("timers %s were 'firing' for over %ss (crashed worker or failing handler): back to pending",
                    ids, int(lease.total_seconds()))
    return len(ids)


async def next_due() -> datetime | None:
    """The earliest due instant of a pending timer (one indexed MIN query)."""
    found = await rows.fetch_one(rows.db(), "SELECT MIN(due_at) AS due FROM timer WHERE state = 'pending'")
    return rows.instant(found["due"]) if found else None
