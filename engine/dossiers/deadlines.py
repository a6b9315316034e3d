"""What each kind of Timer row does when it fires (the runtime's timer kinds; nothing registers on import).

    bpmn          advance the dossier's workflow (its BPMN timers are due)
    sla_due_soon  event `due_soon`: the dossier is 2 working days from its due
    sla_apology   opens the apology task for the specialists before the due (ND118 art. 19.6), unless
                  the dossier was already re-appointed or is no longer in process
    sla_overdue   event `overdue`
    auto_close    stops a dossier whose supplement request went unanswered (ND118 art. 19.5)

Each effect, its events and the timer's 'fired' mark are one `store.commit`: a crash repeats nothing.
`prefetch` reads a batch's dossiers in one query (engine.timers hands each row its dossier under
"loaded"); a dossier changed since is caught by the commit's revision check (Conflict: back to pending).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine import events as ev
from engine.dossier_lifecycle import Step
from engine.dossiers import commands
from engine.dossiers.store import Change, Loaded, commit, load_dossier, load_many
from engine.errors import Conflict
from engine.lifecycle import Command, Status

if TYPE_CHECKING:
    from engine.runtime import Runtime, TimerHandler

APOLOGY_TASK = {"element_id": "apology", "name": "apology", "lane": None, "role": "specialist",
                "form_ref": None, "kind": "apology"}
IN_PROCESS = (int(Status.ACCEPTED), int(Status.IN_PROCESS))


prefetch = load_many  # the runtime's timer_prefetch


async def _load(timer: dict[str, Any]) -> Loaded:
    loaded: Loaded | None = timer.get("loaded")
    return loaded or await load_dossier(dossier_id=timer["dossier_id"])


async def fire_bpmn(rt: Runtime, timer: dict[str, Any], now: datetime) -> None:
    await commands.fire_due_timers(rt, timer["dossier_id"], now, await _load(timer))


def _event_only(cls: type[ev.Event]) -> TimerHandler:
    async def handler(rt: Runtime, timer: dict[str, Any], now: datetime) -> None:
        loaded = await _load(timer)
        d = loaded.dossier
        due = (timer.get("payload") or {}).get("due_at")
        change = Change(mark_timers_fired=[timer["id"]])
        change.event(cls, d, d.revision + 1, now, "engine",
                     due_at=datetime.fromisoformat(due) if due else d.due_adjusted_at)
        await commit(rt, loaded, change, now)

    return handler


async def open_apology_task(rt: Runtime, timer: dict[str, Any], now: datetime) -> None:
    loaded = await _load(timer)
    d = loaded.dossier
    change = Change(mark_timers_fired=[timer["id"]])
    open_already = any(t["kind"] == "apology" for t in await commands.open_tasks(d.id))
    if d.lifecycle_status in IN_PROCESS and not d.extension and not open_already:
        task_id = str(uuid.uuid4())
        change.new_tasks.append({**APOLOGY_TASK, "id": task_id, "created_at": now, "due_at": None})
        change.event(ev.TaskOpened, d, d.revision + 1, now, "engine", task_id=task_id, element_id="apology",
                     name="apology", role="specialist", due_at=None, task_kind="apology")
    await commit(rt, loaded, change, now)


async def auto_close(rt: Runtime, timer: dict[str, Any], now: datetime) -> None:
    loaded = await _load(timer)
    if loaded.dossier.lifecycle_status != int(Status.SUPPLEMENT_REQUESTED):
        await commit(rt, loaded, Change(mark_timers_fired=[timer["id"]]), now)
        return  # the citizen answered (the timer would have been cancelled) or the dossier ended
    try:
        await commands.engine_step(rt, loaded.dossier.id, Step(Command.STOP.value, note="auto_close"), now,
                                   fired_timer=timer["id"])
    except Conflict as exc:
        if exc.params.get("command"):  # the lifecycle no longer allows it: nothing to do
            return
        raise


TIMER_KINDS: dict[str, TimerHandler] = {
    "bpmn": fire_bpmn,
    "sla_due_soon": _event_only(ev.DueSoon),
    "sla_overdue": _event_only(ev.Overdue),
    "sla_apology": open_apology_task,
    "auto_close": auto_close,
}
