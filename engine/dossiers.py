"""Dossier commands. Each is one transaction guarded by the dossier's revision:

    load → run the workflow step (pure, engine/workflow/runner.py) → in one transaction:
    UPDATE dossier … WHERE revision = r (0 rows: someone else won → Conflict), write the
    projections (HumanTask, Timer), append the audit event.

A crash anywhere before COMMIT leaves the previous state intact.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from engine import procedures
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied, WorkflowFailed
from engine.models import AuditEvent, Dossier, DossierCounter, HumanTask, ProcedureVersion, Timer, User
from engine.models.dossier import CHANNELS, SUBMITTER_KINDS
from engine.procedures import LoadedVersion
from engine.workflow import runner
from engine.workflow.runner import StepResult, TaskNotReady

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_OF_ENGINE = {"waiting": "processing", "completed": "completed", "error": "failed"}


def _json_native(value: Any, path: str = "data") -> None:
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _json_native(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key == "typename":
                raise InvalidData("Invalid data key", fields={path: [f"invalid key {key!r}"]})
            _json_native(item, f"{path}.{key}")
        return
    raise InvalidData("Data must be JSON", fields={path: ["not a JSON value"]})


async def _next_code(agency_code: str, now: datetime) -> str:
    day = now.astimezone(LOCAL_TZ).strftime("%y%m%d")
    key = f"{agency_code}|{day}"
    if not await DossierCounter.filter(key=key).exists():
        try:
            async with in_transaction():
                await DossierCounter.create(key=key, value=0)
        except IntegrityError:
            pass  # another command created today's counter first
    await DossierCounter.filter(key=key).update(value=F("value") + 1)
    counter = await DossierCounter.get(key=key)
    return f"{agency_code}-{day}-{counter.value:04d}"


async def submit(procedure_code: str, data: dict[str, Any], *, now: datetime, channel: str = "online",
                 submitter_kind: str = "citizen", user: User | None = None, idempotency_key: str | None = None,
                 agency_code: str = "000.00.00.H00") -> Dossier:
    """Start a dossier of the procedure's current version and run it until it waits."""
    problems: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        problems["channel"] = [f"one of {', '.join(CHANNELS)}"]
    if submitter_kind not in SUBMITTER_KINDS:
        problems["submitter_kind"] = [f"one of {', '.join(SUBMITTER_KINDS)}"]
    if not isinstance(data, dict):
        problems["data"] = ["must be an object"]
    if problems:
        raise InvalidData("Invalid submission", fields=problems)
    _json_native(data)
    scoped_key = f"{user.id if user else '-'}:{idempotency_key}" if idempotency_key else None
    if scoped_key and (existing := await Dossier.get_or_none(idempotency_key=scoped_key)):
        return existing
    loaded = procedures.load(await procedures.current_version(procedure_code))
    result = runner.start(loaded.spec, loaded.subprocess_specs, data)
    actor = user.username if user else "anonymous"
    try:
        async with in_transaction():
            dossier = await Dossier.create(
                code=await _next_code(agency_code, now), procedure_version_id=loaded.version.id,
                status=STATUS_OF_ENGINE[result.status], revision=1, state=result.state, channel=channel,
                submitter_kind=submitter_kind, submitted_by=user, idempotency_key=scoped_key,
                error=result.error, created_at=now, completed_at=now if result.status == "completed" else None,
            )
            await _write_projections(dossier, loaded, result, now, actor=actor, completed_task=None)
            await _audit(dossier, result, now, actor, "submitted")
    except IntegrityError:
        if scoped_key and (existing := await Dossier.get_or_none(idempotency_key=scoped_key)):
            return existing  # a concurrent request with the same key won
        raise
    return dossier


async def claim(task_id: str, user: User, now: datetime) -> HumanTask:
    task = await _task_for(task_id, user)
    updated = await HumanTask.filter(id=task.id, state="ready", claimed_by_id=None).update(
        claimed_by_id=user.id, claimed_at=now)
    if not updated:
        await task.refresh_from_db()
        if task.state == "ready" and task.claimed_by_id == user.id:
            return task
        raise Conflict("The task was claimed or completed by someone else", task_id=task_id)
    await task.refresh_from_db()
    dossier = await Dossier.get(id=task.dossier_id)
    await AuditEvent.create(dossier=dossier, at=now, actor=user.username, action="task_claimed",
                            element_id=task.element_id, task_id=task.id, revision=dossier.revision)
    return task


async def release(task_id: str, user: User, now: datetime) -> HumanTask:
    task = await _task_for(task_id, user)
    if not await HumanTask.filter(id=task.id, state="ready", claimed_by_id=user.id).update(
            claimed_by_id=None, claimed_at=None):
        raise Conflict("You do not hold this task", task_id=task_id)
    await task.refresh_from_db()
    dossier = await Dossier.get(id=task.dossier_id)
    await AuditEvent.create(dossier=dossier, at=now, actor=user.username, action="task_released",
                            element_id=task.element_id, task_id=task.id, revision=dossier.revision)
    return task


async def _task_for(task_id: str, user: User) -> HumanTask:
    task = await HumanTask.get_or_none(id=task_id)
    if task is None:
        raise NotFound("No such task", task_id=task_id)
    if not can_work_on(user, task):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    return task


def can_work_on(user: User, task: HumanTask) -> bool:
    return user.kind in ("staff", "manager") and (task.role is None or user.has_role(task.role))


async def complete_task(task_id: str, data: dict[str, Any], user: User, now: datetime) -> Dossier:
    task = await _task_for(task_id, user)
    if task.state != "ready":
        raise Conflict("The task is already completed", task_id=task_id)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("Another officer has claimed this task", task_id=task_id)
    if not isinstance(data, dict):
        raise InvalidData("Invalid data", fields={"data": ["must be an object"]})
    _json_native(data)
    dossier = await Dossier.get(id=task.dossier_id)
    loaded = await _loaded(dossier)
    try:
        result = runner.complete_task(dossier.state, loaded.spec, loaded.subprocess_specs, task_id, data)
    except TaskNotReady:
        raise Conflict("The task is no longer waiting for input", task_id=task_id) from None
    await _commit(dossier, loaded, result, now, user.username, "task_completed", completed_task=task)
    return dossier


async def fire_due_timers(dossier_id: int, now: datetime) -> Dossier:
    """Advance a dossier whose timers are due (called by engine/timers.py)."""
    dossier = await Dossier.get(id=dossier_id)
    loaded = await _loaded(dossier)
    result = runner.fire_timers(dossier.state, loaded.spec, loaded.subprocess_specs)
    await _commit(dossier, loaded, result, now, "engine", "timer_fired", completed_task=None)
    return dossier


async def deliver_message(dossier: Dossier, name: str, payload: Any, now: datetime, actor: str) -> Dossier:
    loaded = await _loaded(dossier)
    try:
        result = runner.deliver_message(dossier.state, loaded.spec, loaded.subprocess_specs, name, payload)
    except Exception as exc:  # SpiffWorkflow says "not waiting for <name>" with a WorkflowException
        raise Conflict(f"The dossier is not waiting for message {name!r}", detail=str(exc)[:200]) from None
    await _commit(dossier, loaded, result, now, actor, "message_received", completed_task=None)
    return dossier


async def _loaded(dossier: Dossier) -> LoadedVersion:
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    return procedures.load(version)


async def _commit(dossier: Dossier, loaded: LoadedVersion, result: StepResult, now: datetime, actor: str,
                  action: str, completed_task: HumanTask | None) -> None:
    old_revision = dossier.revision
    status = STATUS_OF_ENGINE[result.status]
    async with in_transaction():
        updated = await Dossier.filter(id=dossier.id, revision=old_revision).update(
            state=result.state, revision=old_revision + 1, status=status, error=result.error, updated_at=now,
            completed_at=now if result.status == "completed" else None,
        )
        if not updated:
            raise Conflict("The dossier was changed by someone else; reload and try again", code=dossier.code)
        dossier.state, dossier.revision, dossier.status, dossier.error = (
            result.state, old_revision + 1, status, result.error)
        dossier.completed_at = now if result.status == "completed" else None
        await _write_projections(dossier, loaded, result, now, actor=actor, completed_task=completed_task)
        await _audit(dossier, result, now, actor, action, task=completed_task)


async def _write_projections(dossier: Dossier, loaded: LoadedVersion, result: StepResult, now: datetime, *,
                             actor: str, completed_task: HumanTask | None) -> None:
    open_rows = {t.id: t for t in await HumanTask.filter(dossier_id=dossier.id, state="ready")}
    ready_ids = {t.task_id for t in result.ready}
    for task_id in open_rows:
        if task_id in ready_ids:
            continue
        done = completed_task is not None and completed_task.id == task_id
        await HumanTask.filter(id=task_id).update(
            state="completed" if done else "cancelled", completed_at=now, completed_by=actor if done else None)
    for task in expected_tasks(loaded.version, result):
        if task["id"] not in open_rows:
            await HumanTask.create(dossier_id=dossier.id, created_at=now, **task)
    await Timer.filter(dossier_id=dossier.id, state="pending").delete()
    await Timer.filter(dossier_id=dossier.id, state="firing").update(state="fired")
    for timer in result.timers:
        await Timer.create(dossier_id=dossier.id, task_id=timer.task_id, element_id=timer.element_id,
                           due_at=timer.due_at, state="pending")
    next_at = min((t.due_at for t in result.timers), default=None)
    await Dossier.filter(id=dossier.id).update(next_timer_at=next_at)
    dossier.next_timer_at = next_at


def expected_tasks(version: ProcedureVersion, result: StepResult) -> list[dict[str, Any]]:
    """The HumanTask rows a StepResult implies (also used to verify the stored projection)."""
    rows = []
    for t in result.ready:
        info = (version.elements or {}).get(t.element_id, {})
        rows.append({"id": t.task_id, "element_id": t.element_id, "name": t.name, "lane": t.lane,
                     "role": (version.lanes or {}).get(t.lane) if t.lane else None, "form_ref": info.get("form")})
    return rows


async def _audit(dossier: Dossier, result: StepResult, now: datetime, actor: str, action: str,
                 task: HumanTask | None = None) -> None:
    details: dict[str, Any] = {"status": result.status}
    if result.steps:
        details["engine_steps"] = [{"element_id": s.element_id, "name": s.name, "kind": s.kind}
                                   for s in result.steps]
    if result.events:
        details["events"] = result.events
    if result.error:
        details["error"] = result.error
    await AuditEvent.create(dossier_id=dossier.id, at=now, actor=actor, action=action, revision=dossier.revision,
                            element_id=task.element_id if task else None, task_id=task.id if task else None,
                            data_diff=result.data_diff, details=details)
    for event in result.events:
        if event["type"] == "error":  # an uncaught BPMN error must not vanish (SPIFFWORKFLOW.md §8)
            await AuditEvent.create(dossier_id=dossier.id, at=now, actor="engine", action="uncaught_bpmn_error",
                                    revision=dossier.revision, details={"event": event})


async def get_for(code: str, user: User | None) -> Dossier:
    """A dossier the user may see: staff/managers/admins all, citizens their own."""
    dossier = await Dossier.get_or_none(code=code)
    if dossier is None or user is None:
        raise NotFound("No such dossier", code=code)
    if user.kind == "citizen" and dossier.submitted_by_id != user.id:
        raise NotFound("No such dossier", code=code)  # same answer as a missing one: no enumeration
    return dossier


async def history(dossier: Dossier) -> list[AuditEvent]:
    return await AuditEvent.filter(dossier_id=dossier.id).order_by("id")


async def rebuild_projections(dossier: Dossier) -> dict[str, Any]:
    """Recompute status, open tasks and timers from the stored state alone."""
    loaded = await _loaded(dossier)
    result = runner.project(dossier.state, loaded.spec, loaded.subprocess_specs)
    return {
        "status": STATUS_OF_ENGINE[result.status],
        "tasks": sorted((t for t in expected_tasks(loaded.version, result)), key=lambda t: t["id"]),
        "timers": sorted((t.task_id, t.element_id, t.due_at) for t in result.timers),
    }


async def stored_projections(dossier: Dossier) -> dict[str, Any]:
    tasks = await HumanTask.filter(dossier_id=dossier.id, state="ready").order_by("id")
    timers = await Timer.filter(dossier_id=dossier.id, state="pending")
    return {
        "status": dossier.status,
        "tasks": [{"id": t.id, "element_id": t.element_id, "name": t.name, "lane": t.lane, "role": t.role,
                   "form_ref": t.form_ref} for t in tasks],
        "timers": sorted((t.task_id, t.element_id, t.due_at) for t in timers),
    }


def ensure_no_failure(dossier: Dossier) -> None:
    if dossier.status == "failed":
        raise WorkflowFailed("The workflow stopped on an error", code=dossier.code, error=dossier.error)


__all__: Iterable[str] = ("submit", "claim", "release", "complete_task", "fire_due_timers", "get_for")
