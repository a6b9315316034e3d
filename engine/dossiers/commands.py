"""Dossier commands: load → decide (workflow step, lifecycle plan: pure) → `store.commit` (one
transaction guarded by the revision, projections + events + outbox). Each takes the runtime first.
Submission is in engine/dossiers/submit.py.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine import agencies, attention, permissions, sql
from engine import events as ev
from engine.dossier_lifecycle import EXTEND, SLA_KINDS, Plan, Step, plan
from engine.dossiers.lifecycle_events import dt, lifecycle_events
from engine.dossiers.row import DossierRow, TaskRow
from engine.dossiers.store import (
    Change,
    Loaded,
    commit,
    load,
    load_dossier,
    load_task,
    pause_statements,
    workflow_change,
)
from engine.dossiers.submit import LOCAL_TZ, clean
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.lifecycle import Status, auto_close_due
from engine.models import Dossier, User
from engine.versions import VersionInfo
from engine.workflow import runner
from engine.workflow.runner import StepResult, TaskNotReady

if TYPE_CHECKING:
    from engine.runtime import Runtime

WAITING_FOR_CITIZEN = (int(Status.SUPPLEMENT_REQUESTED), int(Status.AWAITING_FINANCIAL_OBLIGATION))
IN_PROCESS = (int(Status.ACCEPTED), int(Status.IN_PROCESS))


# ------------------------------------------------------------------ tasks
async def _check_scope(user: User, loaded: Loaded, *, task_id: str) -> None:
    """Staff of another agency get the answer of a missing task (no enumeration)."""
    if not await agencies.may_see(user, loaded.dossier.agency_code):
        raise NotFound("No such task in your inbox", task_id=task_id)


async def complete_task(rt: Runtime, task_id: str, data: dict[str, Any], user: User, now: datetime,
                        loaded: Loaded | None = None) -> DossierRow:
    """Complete a READY task with data checked against its form (only its writable fields are kept)."""
    loaded = loaded or await load_task(task_id)
    task = loaded.task
    assert task is not None and task.id == task_id
    await _check_scope(user, loaded, task_id=task_id)
    if not permissions.can_work_on(user, task.role):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    if task.state != "ready":
        raise Conflict("The task is already completed", task_id=task_id)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("Another officer has claimed this task", task_id=task_id)
    d = loaded.dossier
    if d.lifecycle_status in WAITING_FOR_CITIZEN and task.kind == "bpmn":
        raise Conflict("The dossier is waiting for the citizen; its tasks resume afterwards", task_id=task_id,
                       rule="waiting_for_citizen", status=d.lifecycle_status)
    await rt.fresh_calendar()
    version = loaded.version
    if task.kind == "apology":  # engine-owned: re-appoints the dossier once (ND118 art. 19.6)
        if not isinstance(data, dict):
            raise InvalidData("Invalid data", fields={"data": ["must be an object"]})
        step = Step(EXTEND, new_due_at=_parse_instant(rt, data.get("new_due_at")),
                    note=str(data.get("reason") or ""))
        change = Change(audit_data_diff={k: data.get(k) for k in ("new_due_at", "reason")})
        change.statements.append(("UPDATE human_task SET state = 'completed', completed_at = ?, completed_by = ? "
                                  "WHERE id = ? AND state = 'ready'", [now, user.username, task.id], True))
        change.event(ev.TaskCompleted, d, d.revision + 1, now, user.username, task_id=task.id,
                     element_id=task.element_id, verdict=None, data_keys=("new_due_at", "reason"))
        return await _commit_lifecycle(rt, loaded, change, [step], now, user.username, workflow_open=True)
    try:
        data = clean(rt, loaded.form_schema, data)
    except InvalidData as exc:  # the stored form's rules cannot be evaluated: refused as is, and flagged
        if "_form" in (exc.params.get("fields") or {}):
            await attention.flag(rt, loaded, attention.RuleFailed(task.element_id, "form_rules", "form_rule"),
                                 user.username, now)
        raise
    try:
        result = runner.complete_task(d.state, version.spec, version.subprocess_specs, task_id, data,
                                      engine=rt.script_engine)
    except TaskNotReady:
        raise Conflict("The task is no longer waiting for input", task_id=task_id) from None
    merged = {**result.data, **data}
    try:
        rules = attention.holding_rules(rt, version.elements.get(task.element_id) or {}, task.element_id, merged)
    except attention.RuleFailed as failed:  # no legal step it cannot evaluate: refused, flagged (never a 500)
        await attention.flag_and_refuse(rt, loaded, failed, user.username, now)
    steps = [Step(rule["command"], reasons=_reasons(merged.get(rule["reasons"])) if rule.get("reasons") else ())
             for rule in rules]
    channel = next((result_channel(merged.get(rule["channel"])) for rule in rules if rule.get("channel")), "")
    change = workflow_change(rt, loaded, result, now, user.username, d.revision + 1, completed_task=task)
    attention.cleared(change.columns, loaded)
    try:
        return await _commit_lifecycle(rt, loaded, change, steps, now, user.username,
                                       workflow_open=result.status == "waiting", result=result, channel=channel)
    except InvalidData as exc:  # a refusal or supplement request that says nothing: name the form's field
        named = [rule["reasons"] for rule in rules if rule.get("reasons")]
        if named and "reasons" in (exc.params.get("fields") or {}):
            exc.params["field"] = named[0]
        raise


def result_channel(value: Any) -> str:
    """How a result went out, from the value of the field a return_result rule names."""
    text = str(value or "").strip().lower()
    return text if text in ("electronic", "both") else "paper" if text else ""


def _reasons(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v).strip())
    return (str(value),) if value not in (None, "") else ()


def _parse_instant(rt: Runtime, value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidData("Invalid date", fields={"new_due_at": ["date"]}) from None
    if parsed.tzinfo is None:  # a local date or time typed by an officer
        parsed = parsed.replace(tzinfo=LOCAL_TZ)
        if len(value) == 10:
            parsed = rt.calendar.end_of_working_day(parsed.replace(hour=12))
    return parsed.astimezone(UTC)


async def claim(rt: Runtime, task_id: str, user: User, now: datetime,
                loaded: Loaded | None = None) -> TaskRow:
    loaded = loaded or await load_task(task_id)
    task = loaded.task
    assert task is not None
    await _check_scope(user, loaded, task_id=task_id)
    if not permissions.can_work_on(user, task.role):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    if task.state == "ready" and task.claimed_by_id == user.id:
        return task
    if task.state != "ready" or task.claimed_by_id is not None:
        raise Conflict("The task was claimed or completed by someone else", task_id=task_id)
    d = loaded.dossier
    change = Change()
    change.statements.append(("UPDATE human_task SET claimed_by_id = ?, claimed_at = ? WHERE id = ? "
                              "AND state = 'ready' AND claimed_by_id IS NULL", [user.id, now, task.id], True))
    change.event(ev.TaskClaimed, d, d.revision + 1, now, user.username, task_id=task.id, element_id=task.element_id)
    await commit(rt, loaded, change, now)
    return task.__class__(**{**task.__dict__, "claimed_by_id": user.id, "claimed_at": now.astimezone(UTC)})


async def release(rt: Runtime, task_id: str, user: User, now: datetime,
                  loaded: Loaded | None = None) -> TaskRow:
    loaded = loaded or await load_task(task_id)
    task = loaded.task
    assert task is not None
    await _check_scope(user, loaded, task_id=task_id)
    if not permissions.can_work_on(user, task.role):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    if task.state != "ready" or task.claimed_by_id != user.id:
        raise Conflict("You do not hold this task", task_id=task_id)
    d = loaded.dossier
    change = Change()
    change.statements.append(("UPDATE human_task SET claimed_by_id = NULL, claimed_at = NULL WHERE id = ? "
                              "AND state = 'ready' AND claimed_by_id = ?", [task.id, user.id], True))
    change.event(ev.TaskReleased, d, d.revision + 1, now, user.username, task_id=task.id,
                 element_id=task.element_id)
    await commit(rt, loaded, change, now)
    return task.__class__(**{**task.__dict__, "claimed_by_id": None, "claimed_at": None})


# ------------------------------------------------------------------ lifecycle
async def open_tasks(dossier_id: int) -> list[dict[str, Any]]:
    return await sql.fetch(sql.db(), "SELECT id, element_id, role, kind FROM human_task WHERE dossier_id = ? "
                                     "AND state = 'ready' ORDER BY created_at, id", [dossier_id])


async def step(rt: Runtime, code: str, lifecycle_step: Step, user: User, now: datetime,
               *, channel: str = "") -> DossierRow:
    """A lifecycle step asked for directly (API, staff pages): e.g. a supplement request, a withdrawal."""
    loaded = await load("d.code", code)
    if loaded is None:
        raise NotFound("No such dossier", code=code)
    d = loaded.dossier
    if (user.kind == "citizen" and d.submitted_by_id != user.id) or not await agencies.may_see(user, d.agency_code):
        raise NotFound("No such dossier", code=code)
    tasks = [permissions.open_task(_Obj(t), loaded.version.elements) for t in await open_tasks(d.id)]
    overridden = permissions.check_step(user, lifecycle_step.command, owner_id=d.submitted_by_id,
                                        open_tasks=tasks, override=lifecycle_step.override)
    if lifecycle_step.override and user.kind != "manager":
        raise PermissionDenied("Only a manager may override", command=lifecycle_step.command)
    await rt.fresh_calendar()
    if lifecycle_step.command == "return_supplement":
        return await _return_supplement(rt, loaded, lifecycle_step, user.username, now)
    change = Change()
    arrived = _arrival(d) if lifecycle_step.command == "receive_supplement" else None
    # A refusal asked for directly (not a task's decision) is the dossier's answer: the workflow's
    # open steps end with it, and the one-stop unit returns the refusal (Form 03) as the result.
    return await _commit_lifecycle(rt, loaded, change, [lifecycle_step], now, user.username,
                                   workflow_open=d.status == "processing", channel=channel, flagged=overridden,
                                   plan_at=arrived, end_workflow=lifecycle_step.command == "refuse")


def _arrival(d: DossierRow) -> datetime | None:
    """When the citizen's online supplement arrived (the open supplement pause's `arrived_at`)."""
    open_pause = next((p for p in reversed(d.pauses or []) if p.get("reason") == "supplement"
                       and p.get("end_at") is None), None)
    return dt(open_pause.get("arrived_at")) if open_pause else None


async def _return_supplement(rt: Runtime, loaded: Loaded, lifecycle_step: Step, actor: str,
                             now: datetime) -> DossierRow:
    """The officer finds the online supplement still incomplete: the dossier keeps waiting, and the
    15-day closing period counts again from this notice."""
    d = loaded.dossier
    if d.lifecycle_status != int(Status.SUPPLEMENT_REQUESTED) or _arrival(d) is None:
        raise Conflict("No supplement has arrived to return", command="return_supplement",
                       from_status=d.lifecycle_status)
    reasons = tuple(r.strip() for r in lifecycle_step.reasons if r.strip())
    if not reasons:
        raise InvalidData("Say what is still missing", fields={"reasons": ["required"]})
    now = now.astimezone(UTC)
    pauses = copy.deepcopy(d.pauses or [])
    for pause in pauses:
        if pause.get("end_at") is None:
            pause.pop("arrived_at", None)
    change = Change(columns={"pauses": pauses})
    change.cancel_timer_kinds |= {"auto_close"}
    change.timers.append({"kind": "auto_close", "due_at": auto_close_due(now, rt.calendar), "payload": {}})
    change.event(ev.SupplementReturned, d, d.revision + 1, now, actor, reasons=reasons)
    return await commit(rt, loaded, change, now)


class _Obj:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.__dict__.update(raw)


async def engine_step(rt: Runtime, dossier_id: int, lifecycle_step: Step, now: datetime,
                      *, fired_timer: int | None = None) -> DossierRow:
    """A lifecycle step the engine takes by itself (e.g. the auto-close of an unanswered supplement)."""
    loaded = await load_dossier(dossier_id=dossier_id)
    await rt.fresh_calendar()
    change = Change(mark_timers_fired=[fired_timer] if fired_timer else [])
    return await _commit_lifecycle(rt, loaded, change, [lifecycle_step], now, "engine",
                                   workflow_open=loaded.dossier.status == "processing")


async def _commit_lifecycle(rt: Runtime, loaded: Loaded, change: Change, steps: Sequence[Step], now: datetime,
                            actor: str, *, workflow_open: bool, result: StepResult | None = None,
                            channel: str = "", flagged: bool = False, plan_at: datetime | None = None,
                            end_workflow: bool = False) -> DossierRow:
    """Plan the lifecycle steps on top of `change` and commit both."""
    d = loaded.dossier
    now = now.astimezone(UTC)
    revision = d.revision + 1
    if not steps:
        return await commit(rt, loaded, change, now)
    facts = copy.deepcopy(d.facts())
    # a supplement confirmed after its online arrival: the pause ends, and the clock restarts, at the arrival
    lifecycle: Plan = plan(facts, steps, plan_at or now, loaded.version.limit, rt.calendar,
                           workflow_open=workflow_open, policy=rt.lifecycle_policy)
    if lifecycle.cancel_workflow or (end_workflow and d.status == "processing"):
        v = loaded.version
        cancelled = runner.cancel(result.state if result else d.state, v.spec, v.subprocess_specs,
                                  engine=rt.script_engine)
        workflow_change(rt, loaded, cancelled, now, actor, revision, change=change)
        change.columns["status"] = "cancelled"
    change.columns.update(lifecycle.updates)
    change.timers += [{"kind": t["kind"], "due_at": t["due_at"], "payload": t["payload"]} for t in lifecycle.timers]
    change.cancel_timer_kinds |= lifecycle.cancel_kinds
    pause_statements(d.id, d.pauses or [], lifecycle.updates.get("pauses", facts.get("pauses") or []), change)
    status_after = int(lifecycle.updates.get("lifecycle_status", d.lifecycle_status))
    if status_after not in IN_PROCESS:  # the apology task only makes sense while the dossier is in process
        for task in await open_tasks(d.id):
            if task["kind"] == "apology":
                change.statements.append(("UPDATE human_task SET state = 'cancelled', completed_at = ? "
                                          "WHERE id = ? AND state = 'ready'", [now, task["id"]], False))
                change.event(ev.TaskCancelled, d, revision, now, actor, task_id=task["id"],
                             element_id=task["element_id"])
    for audit in lifecycle.audits:
        lifecycle_events(change, d, revision, now, actor, audit, channel=channel, flagged=flagged)
    if status_after == int(Status.FINISHED) and d.lifecycle_status != int(Status.FINISHED):
        refused = bool(lifecycle.updates.get("refusal"))
        change.inserts.setdefault("dossier_result", []).append({
            "dossier_id": d.id, "outcome": "refused" if refused else "granted", "document": None,
            "channel": None, "issued_at": now, "returned_at": None})
    if status_after == int(Status.RETURNED) and d.lifecycle_status != int(Status.RETURNED):
        change.statements.append(("UPDATE dossier_result SET returned_at = ?, channel = ? WHERE dossier_id = ?",
                                  [now, channel or None, d.id], False))
    return await commit(rt, loaded, change, now)


# ------------------------------------------------------------------ the workflow underneath
async def fire_due_timers(rt: Runtime, dossier_id: int, now: datetime, loaded: Loaded | None = None) -> DossierRow:
    """Advance a dossier whose BPMN timers are due (called by engine.timers; `loaded` read with its batch:
    if the dossier changed since, the commit's revision check raises Conflict)."""
    loaded = loaded or await load_dossier(dossier_id=dossier_id)
    await rt.fresh_calendar()
    d, v = loaded.dossier, loaded.version
    result = runner.fire_timers(d.state, v.spec, v.subprocess_specs, engine=rt.script_engine)
    change = Change()
    change.event(ev.TimerFired, d, d.revision + 1, now, "engine",
                 elements=tuple(s.element_id for s in result.steps if s.kind.endswith("Event"))[:20])
    workflow_change(rt, loaded, result, now, "engine", d.revision + 1, change=change)
    return await commit(rt, loaded, change, now)


async def deliver_message(rt: Runtime, code: str, name: str, payload: Any, now: datetime, actor: str) -> DossierRow:
    loaded = await load_dossier(code=code)
    d, v = loaded.dossier, loaded.version
    try:
        result = runner.deliver_message(d.state, v.spec, v.subprocess_specs, name, payload, engine=rt.script_engine)
    except runner.NotWaiting:
        raise Conflict(f"The dossier is not waiting for message {name!r}") from None
    change = Change()
    change.event(ev.MessageReceived, d, d.revision + 1, now, actor, name=name)
    workflow_change(rt, loaded, result, now, actor, d.revision + 1, change=change)
    return await commit(rt, loaded, change, now)


async def migrate_to(rt: Runtime, dossier_id: int, version: VersionInfo, actor: str, now: datetime,
                     *, dry_run: bool) -> dict[str, Any]:
    """Move a running dossier onto another version of its procedure, or say why it cannot."""
    loaded = await load_dossier(dossier_id=dossier_id)
    d, old = loaded.dossier, loaded.version
    report, result = runner.migrate(d.state, old.spec, old.subprocess_specs, version.spec,
                                    version.subprocess_specs, dry_run=dry_run, engine=rt.script_engine)
    report = {"code": d.code, "from": old.number, "to": version.number, **report}
    if result is not None:
        change = Change(audit_data_diff={"version": [old.number, version.number]})
        change.event(ev.Migrated, d, d.revision + 1, now, actor, from_version=old.number, to_version=version.number)
        result.data_diff = {}
        workflow_change(rt, loaded, result, now, actor, d.revision + 1, change=change, version=version)
        change.columns["procedure_version_id"] = version.id
        await commit(rt, loaded, change, now)
    return report


async def get_for(code: str, user: User | None) -> Dossier:
    """A dossier the user may see (ORM model, for pages that read more than the hot path)."""
    dossier = await Dossier.get_or_none(code=code)
    if dossier is None or not permissions.can_see(user, dossier.submitted_by_id) or not await agencies.may_see(
            user, dossier.agency_code):
        raise NotFound("No such dossier", code=code)
    return dossier


_ = SLA_KINDS
