"""Dossier commands. Each is one transaction guarded by the dossier's revision:

    load → run the workflow step (pure, engine/workflow/runner.py) → in one transaction:
    UPDATE dossier … WHERE revision = r (0 rows: someone else won → Conflict), write the
    projections (HumanTask, Timer), append the audit event.

A crash anywhere before COMMIT leaves the previous state intact. The hot path (submit, complete,
timers) uses the raw statements of engine/dossier_rows.py: a command is 5–7 statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from engine import calendars, channels, sla
from engine import dossier_rows as rows
from engine.assignment import can_work_on
from engine.dossier_lifecycle import DEFAULT_POLICY, EXTEND, LIFECYCLE_COLUMNS, Plan, Policy, Step, plan
from engine.dossier_rows import Tx
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.models import AuditEvent, Dossier, HumanTask, ProcedureVersion, Timer, User
from engine.models.dossier import CHANNELS, SUBMITTER_KINDS
from engine.versions import VersionInfo, current_version_info, version_info
from engine.workflow import runner
from engine.workflow.runner import StepResult, TaskNotReady
from engine.workflow.serializer import SERIALIZER_VERSION

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_OF_ENGINE = {"waiting": "processing", "completed": "completed", "error": "failed"}


# ------------------------------------------------------------------ loaded dossier + task
_DOSSIER_COLUMNS = ("d.id, d.code, d.procedure_version_id, d.status, d.revision, d.state, d.channel, "
                    "d.submitter_kind, d.submitted_by_id, d.error, d.next_timer_at, d.created_at, d.completed_at, "
                    + ", ".join(f"d.{c}" for c in LIFECYCLE_COLUMNS) + ", pv.digest")
_JSON_COLUMNS = ("error", "extension", "pauses", "refusal")
_INSTANT_COLUMNS = ("next_timer_at", "created_at", "completed_at", "accepted_at", "due_original_at",
                    "due_adjusted_at", "result_at", "returned_at")


@dataclass
class Loaded:
    """One read: the dossier row (+ version digest), and optionally the task being worked on."""

    dossier: dict[str, Any]
    version: VersionInfo
    task: dict[str, Any] | None = None

    @property
    def form_schema(self) -> dict[str, Any] | None:
        return self.version.form(self.task["element_id"])[1] if self.task else None


async def _load(where: str, param: Any, with_task: bool) -> Loaded | None:
    task_cols = ("t.id AS task_id, t.element_id AS task_element_id, t.name AS task_name, t.lane AS task_lane, "
                 "t.role AS task_role, t.form_ref AS task_form_ref, t.state AS task_state, "
                 "t.claimed_by_id AS task_claimed_by_id, t.kind AS task_kind, t.due_at AS task_due_at, "
                 ) if with_task else ""
    source = ("human_task t JOIN dossier d ON d.id = t.dossier_id" if with_task else "dossier d")
    row = await rows.fetch_one(rows.db(), (
        f"SELECT {task_cols}{_DOSSIER_COLUMNS} FROM {source} "
        f"JOIN procedure_version pv ON pv.id = d.procedure_version_id WHERE {where} = ?"), [param])
    if row is None:
        return None
    version = await version_info(row["procedure_version_id"], row["digest"])
    task = {k.removeprefix("task_"): row.pop(k) for k in list(row) if k.startswith("task_")} or None
    for column in _JSON_COLUMNS:
        row[column] = rows.unjson(row[column])
    for column in _INSTANT_COLUMNS:
        row[column] = rows.instant(row[column])
    row["supplement_overridden"] = bool(row["supplement_overridden"])
    if task is not None:
        task["due_at"] = rows.instant(task["due_at"])
    return Loaded(row, version, task)


async def load_task(task_id: str) -> Loaded:
    loaded = await _load("t.id", task_id, with_task=True)
    if loaded is None:
        raise NotFound("No such task", task_id=task_id)
    return loaded


# ------------------------------------------------------------------ commands
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


async def _next_code(tx: Tx, agency_code: str, now: datetime) -> str:
    day = now.astimezone(LOCAL_TZ).strftime("%y%m%d")
    row = await tx.fetch_one((
        "INSERT INTO dossier_counter (key, value) VALUES (?, 1) "
        "ON CONFLICT (key) DO UPDATE SET value = dossier_counter.value + 1 RETURNING value"),
        [f"{agency_code}|{day}"])
    assert row is not None
    return f"{agency_code}-{day}-{row['value']:04d}"


async def submit(procedure_code: str, data: dict[str, Any], *, now: datetime, channel: str = "online",
                 submitter_kind: str = "citizen", user: User | None = None, idempotency_key: str | None = None,
                 agency_code: str = "000.00.00.H00", version: VersionInfo | None = None,
                 reception_point: str = "", channel_exception: dict[str, Any] | None = None) -> Dossier:
    """Start a dossier of the procedure's current version and run it until it waits (`version`: the
    caller already looked the current version up, e.g. to check the form)."""
    problems: dict[str, list[str]] = {}
    if channel not in CHANNELS:
        problems["channel"] = [f"one of {', '.join(CHANNELS)}"]
    if submitter_kind not in SUBMITTER_KINDS:
        problems["submitter_kind"] = [f"one of {', '.join(SUBMITTER_KINDS)}"]
    if not isinstance(data, dict):
        problems["data"] = ["must be an object"]
    if not isinstance(reception_point, str) or len(reception_point) > 100:
        problems["reception_point"] = ["text, at most 100 characters"]
    if problems:
        raise InvalidData("Invalid submission", fields=problems)
    _json_native(data)
    scoped_key = f"{user.id if user else '-'}:{idempotency_key}" if idempotency_key else None
    if scoped_key and (existing := await Dossier.get_or_none(idempotency_key=scoped_key)):
        existing.replayed = True
        return existing
    if version is None or version.procedure_code != procedure_code:
        version = await current_version_info(procedure_code)
    actor = user.username if user else "anonymous"
    # paper-free days: a refused channel raises ChannelRefused; an allowed exception is recorded
    exception_record = await channels.check_intake(procedure_code, channel, channels.local_date(now),
                                                   reception_point, submitter_kind, channel_exception, actor=actor)
    result = runner.start(version.spec, version.subprocess_specs, data)
    now = now.astimezone(UTC)
    dossier: dict[str, Any] = {
        "procedure_version_id": version.id, "status": STATUS_OF_ENGINE[result.status], "revision": 1,
        "state": result.state, "channel": channel, "submitter_kind": submitter_kind,
        "submitted_by_id": user.id if user else None, "error": result.error,
        "next_timer_at": min((t.due_at for t in result.timers), default=None), "created_at": now,
        "completed_at": now if result.status == "completed" else None,
        "lifecycle_status": 1, "reception_point": reception_point, "applicant_name": "",
        "channel_exception": exception_record,
    }

    async def body(tx: Tx) -> None:
        dossier["code"] = await _next_code(tx, agency_code, now)
        inserted = await tx.fetch_one((
            "INSERT INTO dossier (code, procedure_version_id, status, revision, state, serializer_version, "
            "channel, submitter_kind, submitted_by_id, idempotency_key, error, next_timer_at, created_at, "
            "updated_at, completed_at, lifecycle_status, reception_point, applicant_name, channel_exception, "
            "supplement_requests, supplement_overridden, pauses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
            [dossier["code"], version.id, dossier["status"], 1, result.state, SERIALIZER_VERSION, channel,
             submitter_kind, dossier["submitted_by_id"], scoped_key, rows.jsonb(result.error),
             rows.utc(dossier["next_timer_at"]), now, now, dossier["completed_at"], dossier["lifecycle_status"],
             dossier["reception_point"], dossier["applicant_name"], rows.jsonb(dossier["channel_exception"]),
             0, False, "[]"])
        assert inserted is not None
        dossier["id"] = inserted["id"]
        await _write_projections(tx, dossier, version, result, now, actor=actor, completed_task=None,
                                 had_timers=False)
        await _audit(tx, dossier, result, now, actor, "submitted")
        if exception_record is not None:
            await tx.insert_many("audit_event", [{
                "dossier_id": dossier["id"], "at": now, "actor": actor, "action": "channel_exception",
                "element_id": None, "task_id": None, "revision": 1, "data_diff": "{}",
                "details": rows.jsonb(exception_record)}])

    try:
        await rows.transaction(body)
    except IntegrityError:
        if scoped_key and (existing := await Dossier.get_or_none(idempotency_key=scoped_key)):
            existing.replayed = True
            return existing  # a concurrent request with the same key won
        raise
    return _as_model(dossier, version, result, now)


async def complete_task(task_id: str, data: dict[str, Any], user: User, now: datetime,
                        loaded: Loaded | None = None, policy: Policy = DEFAULT_POLICY) -> Dossier:
    """Complete a READY task with (already form-validated) data; `loaded` saves a read when the caller
    has it (web/api loads it once to check the form)."""
    loaded = loaded or await load_task(task_id)
    task = loaded.task
    assert task is not None and task["id"] == task_id
    if not can_work_on(user, task["role"]):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    if task["state"] != "ready":
        raise Conflict("The task is already completed", task_id=task_id)
    if task["claimed_by_id"] not in (None, user.id):
        raise Conflict("Another officer has claimed this task", task_id=task_id)
    if not isinstance(data, dict):
        raise InvalidData("Invalid data", fields={"data": ["must be an object"]})
    _json_native(data)
    version = loaded.version
    if task["kind"] == "apology":  # not a BPMN task: it re-appoints the dossier once (ND118 art. 19.6)
        step = Step(EXTEND, new_due_at=_parse_instant(data.get("new_due_at")), note=str(data.get("reason") or ""))
        result = runner.project(loaded.dossier["state"], version.spec, version.subprocess_specs)
        return await _commit(loaded, result, now, user.username, "task_completed", completed_task=task,
                             steps=[step], data_diff=data, policy=policy)
    try:
        result = runner.complete_task(loaded.dossier["state"], version.spec, version.subprocess_specs, task_id, data)
    except TaskNotReady:
        raise Conflict("The task is no longer waiting for input", task_id=task_id) from None
    merged = {**result.data, **data}
    steps = [Step(rule["command"], reasons=_reasons(merged.get(rule["reasons"])) if rule.get("reasons") else ())
             for rule in (version.elements.get(task["element_id"]) or {}).get("lifecycle", [])
             if not rule.get("when") or runner.holds(rule["when"], merged)]
    return await _commit(loaded, result, now, user.username, "task_completed", completed_task=task, steps=steps,
                         policy=policy)


def _reasons(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v).strip())
    return (str(value),) if value not in (None, "") else ()


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidData("Invalid date", fields={"new_due_at": ["date"]}) from None
    if parsed.tzinfo is None:  # a local date or time typed by an officer
        parsed = parsed.replace(tzinfo=LOCAL_TZ)
        if len(value) == 10:
            parsed = calendars.current().end_of_working_day(parsed.replace(hour=12))
    return parsed.astimezone(UTC)


#: who may ask for each lifecycle step directly (besides a task's motcua:lifecycle rule)
STEP_ROLES = {
    "accept": ("one_stop",), "refuse": ("one_stop", "specialist", "leader"),
    "request_supplement": ("one_stop", "specialist"), "receive_supplement": ("one_stop",),
    "request_financial_obligation": ("one_stop", "specialist"), "fulfil_financial_obligation": ("one_stop",),
    "withdraw": ("one_stop",), "stop": ("one_stop",), "finish": ("leader",), "return_result": ("one_stop",),
}


async def lifecycle_step(code: str, step: Step, user: User, now: datetime,
                         policy: Policy = DEFAULT_POLICY) -> Dossier:
    """A lifecycle step asked for directly (API): e.g. a supplement request, a withdrawal."""
    loaded = await _load("d.code", code, with_task=False)
    if loaded is None:
        raise NotFound("No such dossier", code=code)
    owner = user.kind == "citizen" and loaded.dossier["submitted_by_id"] == user.id
    allowed = STEP_ROLES.get(step.command)
    if allowed is None:
        raise InvalidData("Unknown lifecycle step", fields={"command": [f"one of {', '.join(STEP_ROLES)}"]})
    if not (owner and step.command == "withdraw") and not (
            user.kind in ("staff", "manager") and any(user.has_role(r) for r in allowed)):
        if user.kind == "citizen":
            raise NotFound("No such dossier", code=code)
        raise PermissionDenied("Your roles do not allow this step", command=step.command, roles=list(allowed))
    if step.override and user.kind != "manager":
        raise PermissionDenied("Only a manager may override the one-supplement rule", command=step.command)
    v = loaded.version
    result = runner.project(loaded.dossier["state"], v.spec, v.subprocess_specs)
    return await _commit(loaded, result, now, user.username, None, completed_task=None, steps=[step], policy=policy)


async def engine_step(dossier_id: int, step: Step, now: datetime) -> Dossier:
    """A lifecycle step the engine takes by itself (e.g. the auto-close of an unanswered supplement)."""
    loaded = await _load("d.id", dossier_id, with_task=False)
    if loaded is None:
        raise NotFound("No such dossier", dossier_id=dossier_id)
    v = loaded.version
    result = runner.project(loaded.dossier["state"], v.spec, v.subprocess_specs)
    return await _commit(loaded, result, now, "engine", None, completed_task=None, steps=[step])


async def migrate_to(dossier_id: int, version: VersionInfo, actor: str, now: datetime,
                     *, dry_run: bool) -> dict[str, Any]:
    """Move a running dossier onto another version of its procedure, or say why it cannot."""
    loaded = await _load("d.id", dossier_id, with_task=False)
    if loaded is None:
        raise NotFound("No such dossier", dossier_id=dossier_id)
    old = loaded.version
    report, result = runner.migrate(loaded.dossier["state"], old.spec, old.subprocess_specs, version.spec,
                                    version.subprocess_specs, dry_run=dry_run)
    report = {"code": loaded.dossier["code"], "from": old.number, "to": version.number, **report}
    if result is not None:
        result.data_diff = {"version": [old.number, version.number]}
        await _commit(loaded, result, now, actor, "migrated", completed_task=None, new_version=version)
    return report


async def fire_due_timers(dossier_id: int, now: datetime) -> Dossier:
    """Advance a dossier whose timers are due (called by engine/timers.py)."""
    loaded = await _load("d.id", dossier_id, with_task=False)
    if loaded is None:
        raise NotFound("No such dossier", dossier_id=dossier_id)
    v = loaded.version
    result = runner.fire_timers(loaded.dossier["state"], v.spec, v.subprocess_specs)
    return await _commit(loaded, result, now, "engine", "timer_fired", completed_task=None)


async def deliver_message(dossier: Dossier, name: str, payload: Any, now: datetime, actor: str) -> Dossier:
    loaded = await _load("d.id", dossier.id, with_task=False)
    if loaded is None:
        raise NotFound("No such dossier", code=dossier.code)
    v = loaded.version
    try:
        result = runner.deliver_message(loaded.dossier["state"], v.spec, v.subprocess_specs, name, payload)
    except Exception as exc:  # SpiffWorkflow says "not waiting for <name>" with a WorkflowException
        raise Conflict(f"The dossier is not waiting for message {name!r}", detail=str(exc)[:200]) from None
    return await _commit(loaded, result, now, actor, "message_received", completed_task=None)


async def _commit(loaded: Loaded, result: StepResult, now: datetime, actor: str, action: str | None,
                  completed_task: dict[str, Any] | None, steps: Sequence[Step] = (),
                  data_diff: dict[str, Any] | None = None, new_version: VersionInfo | None = None,
                  policy: Policy = DEFAULT_POLICY) -> Dossier:
    """Write a workflow step and the lifecycle steps it caused, in one revision-checked transaction
    (`new_version`: the step moved the dossier onto another version of its model)."""
    now = now.astimezone(UTC)
    dossier = dict(loaded.dossier)
    if new_version is not None:
        dossier["procedure_version_id"] = new_version.id
        loaded = Loaded(loaded.dossier, new_version, loaded.task)
    old_revision = dossier["revision"]
    had_timers = dossier["next_timer_at"] is not None
    lifecycle = plan(dossier, steps, now, loaded.version.limit, calendars.current(),  # policy: from Settings
                     workflow_open=result.status == "waiting", policy=policy) if steps else Plan()
    if lifecycle.cancel_workflow:
        v = loaded.version
        result = runner.cancel(result.state, v.spec, v.subprocess_specs)
    if data_diff is not None:
        result.data_diff = data_diff
    dossier.update(state=result.state, revision=old_revision + 1, status=STATUS_OF_ENGINE[result.status],
                   error=result.error, next_timer_at=min((t.due_at for t in result.timers), default=None),
                   completed_at=now if result.status == "completed" else None, **lifecycle.updates)
    if lifecycle.cancel_workflow:
        dossier["status"] = "cancelled"
    columns = ["state", "revision", "status", "error", "next_timer_at", "completed_at", *lifecycle.updates,
               *(["procedure_version_id"] if new_version is not None else [])]

    async def body(tx: Tx) -> None:
        updated = await tx.execute(
            "UPDATE dossier SET " + ", ".join(f"{c} = ?" for c in columns) + ", updated_at = ? "
            "WHERE id = ? AND revision = ?",
            [_db_value(c, dossier[c]) for c in columns] + [now, dossier["id"], old_revision])
        if not updated:
            raise Conflict("The dossier was changed by someone else; reload and try again", code=dossier["code"])
        await _write_projections(tx, dossier, loaded.version, result, now, actor=actor,
                                 completed_task=completed_task, had_timers=had_timers)
        if action is not None:  # None: a lifecycle step alone, audited by _write_lifecycle
            await _audit(tx, dossier, result, now, actor, action, task=completed_task)
        await _write_lifecycle(tx, dossier, lifecycle, now, actor)

    await rows.transaction(body)
    return _as_model(dossier, loaded.version, result, now)


def _db_value(column: str, value: Any) -> Any:
    if column in _JSON_COLUMNS:
        return rows.jsonb(value)
    return rows.utc(value) if isinstance(value, datetime) else value


async def _write_lifecycle(tx: Tx, dossier: dict[str, Any], lifecycle: Plan, now: datetime, actor: str) -> None:
    if lifecycle.cancel_kinds:
        kinds = sorted(lifecycle.cancel_kinds)
        await tx.execute("UPDATE timer SET state = 'cancelled' WHERE dossier_id = ? AND state = 'pending' "
                         "AND kind IN (" + ", ".join("?" for _ in kinds) + ")", [dossier["id"], *kinds])
    await tx.insert_many("timer", [
        {"dossier_id": dossier["id"], "task_id": "", "element_id": "", "kind": t["kind"],
         "due_at": rows.utc(t["due_at"]), "state": "pending", "payload": rows.jsonb(t["payload"])}
        for t in lifecycle.timers])
    await tx.insert_many("audit_event", [
        {"dossier_id": dossier["id"], "at": now, "actor": actor, "action": a["action"], "element_id": None,
         "task_id": None, "revision": dossier["revision"], "data_diff": "{}", "details": rows.jsonb(a["details"])}
        for a in lifecycle.audits])


async def _write_projections(tx: Tx, dossier: dict[str, Any], version: VersionInfo,
                             result: StepResult, now: datetime, *, actor: str,
                             completed_task: dict[str, Any] | None, had_timers: bool) -> None:
    ready_ids = {t.task_id for t in result.ready}
    done_id = completed_task["id"] if completed_task else None
    if done_id is not None:
        due = completed_task["due_at"] if completed_task else None
        verdict = sla.verdict(due, now).value if due else None  # the control sheet's per-step outcome
        await tx.execute("UPDATE human_task SET state = 'completed', completed_at = ?, completed_by = ?, verdict = ? "
                         "WHERE id = ?", [now, actor, verdict, done_id])
    cancelled = sorted(result.previous_ready - ready_ids - {done_id})
    if cancelled:
        await tx.execute("UPDATE human_task SET state = 'cancelled', completed_at = ? WHERE id IN ("
                         + ", ".join("?" for _ in cancelled) + ") AND state = 'ready'", [now, *cancelled])
    new = [t for t in expected_tasks(version, result) if t["id"] not in result.previous_ready]
    await tx.insert_many("human_task", [
        {**t, "dossier_id": dossier["id"], "state": "ready", "created_at": now, "kind": "bpmn",
         "due_at": _step_due(version, t["element_id"], now)} for t in new])
    if had_timers or result.timers:
        await tx.execute("DELETE FROM timer WHERE dossier_id = ? AND state = 'pending' AND kind = 'bpmn'",
                         [dossier["id"]])
        await tx.execute("UPDATE timer SET state = 'fired' WHERE dossier_id = ? AND state = 'firing' "
                         "AND kind = 'bpmn'", [dossier["id"]])
        await tx.insert_many("timer", [
            {"dossier_id": dossier["id"], "task_id": t.task_id, "element_id": t.element_id, "kind": "bpmn",
             "due_at": rows.utc(t.due_at), "state": "pending", "payload": "{}"} for t in result.timers])


def _step_due(version: VersionInfo, element_id: str, now: datetime) -> datetime | None:
    budget = (version.elements.get(element_id) or {}).get("budget")
    if not budget or not budget.get("valid"):
        return None
    return rows.utc(sla.step_due(now, Decimal(budget["value"]), budget["unit"], calendars.current()))


def expected_tasks(version: VersionInfo | ProcedureVersion, result: StepResult) -> list[dict[str, Any]]:
    """The HumanTask rows a StepResult implies (also used to verify the stored projection)."""
    lanes, elements = version.lanes or {}, version.elements or {}
    return [{"id": t.task_id, "element_id": t.element_id, "name": t.name, "lane": t.lane,
             "role": lanes.get(t.lane) if t.lane else None,
             "form_ref": (elements.get(t.element_id) or {}).get("form")} for t in result.ready]


async def _audit(tx: Tx, dossier: dict[str, Any], result: StepResult, now: datetime, actor: str,
                 action: str, task: dict[str, Any] | None = None) -> None:
    details: dict[str, Any] = {"status": result.status}
    if result.steps:
        details["engine_steps"] = [{"element_id": s.element_id, "name": s.name, "kind": s.kind}
                                   for s in result.steps]
    if result.events:
        details["events"] = result.events
    if result.error:
        details["error"] = result.error
    audit = [{"dossier_id": dossier["id"], "at": now, "actor": actor, "action": action,
              "element_id": task["element_id"] if task else None, "task_id": task["id"] if task else None,
              "revision": dossier["revision"], "data_diff": rows.jsonb(result.data_diff),
              "details": rows.jsonb(details)}]
    for event in result.events:
        if event["type"] == "error":  # an uncaught BPMN error must not vanish (SPIFFWORKFLOW.md §8)
            audit.append({**audit[0], "actor": "engine", "action": "uncaught_bpmn_error", "element_id": None,
                          "task_id": None, "data_diff": "{}", "details": rows.jsonb({"event": event})})
    await tx.insert_many("audit_event", audit)


def _as_model(dossier: dict[str, Any], version: VersionInfo, result: StepResult, now: datetime) -> Dossier:
    """The Dossier as the command left it, without reading it back; `open_tasks` holds its READY tasks."""
    model = Dossier(**{k: v for k, v in dossier.items() if k not in ("digest",)})
    model._saved_in_db = True
    model.open_tasks = [HumanTask(dossier_id=dossier["id"], state="ready", created_at=now, **t)
                        for t in expected_tasks(version, result)]
    model.procedure_code, model.version_number = version.procedure_code, version.number
    return model


# ------------------------------------------------------------------ reads
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
    stored = await Dossier.get(id=dossier.id)
    version = await version_info(stored.procedure_version_id)
    result = runner.project(stored.state, version.spec, version.subprocess_specs)
    return {
        "status": STATUS_OF_ENGINE[result.status],
        "tasks": sorted(expected_tasks(version, result), key=lambda t: t["id"]),
        "timers": sorted((t.task_id, t.element_id, t.due_at) for t in result.timers),
    }


async def stored_projections(dossier: Dossier) -> dict[str, Any]:
    stored = await Dossier.get(id=dossier.id)
    tasks = await HumanTask.filter(dossier_id=dossier.id, state="ready").order_by("id")
    timers = await Timer.filter(dossier_id=dossier.id, state="pending", kind="bpmn")  # SLA timers: lifecycle
    return {
        "status": stored.status,
        "tasks": [{"id": t.id, "element_id": t.element_id, "name": t.name, "lane": t.lane, "role": t.role,
                   "form_ref": t.form_ref} for t in tasks],
        "timers": sorted((t.task_id, t.element_id, t.due_at) for t in timers),
    }
