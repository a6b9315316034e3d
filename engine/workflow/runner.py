"""Run one step of a dossier's workflow: state in, StepResult out. Sync and free of I/O.

Every command has the same shape: load (or create) the workflow around the cached spec, change
it, run the engine until it waits, then read back what the database must project (status,
READY human tasks, armed timers, uncaught events) and the new serialized state.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition

from engine.workflow.scripting import SAFE_ENGINE
from engine.workflow.serializer import SPEC_SERIALIZER, MotcuaWorkflow, dump_state, load_state


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    element_id: str
    name: str
    lane: str | None


@dataclass(frozen=True)
class ArmedTimer:
    task_id: str
    element_id: str
    due_at: datetime  # aware, UTC


@dataclass(frozen=True)
class EngineStep:
    element_id: str
    name: str
    kind: str


@dataclass
class StepResult:
    state: str
    status: str  # waiting | completed | error
    ready: list[ReadyTask]
    timers: list[ArmedTimer]
    data: dict[str, Any]
    steps: list[EngineStep] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    error: dict[str, Any] | None = None
    data_diff: dict[str, Any] = field(default_factory=dict)
    previous_ready: frozenset[str] = frozenset()  # READY task ids before the command (projection diff)


class NotWaiting(Exception):
    """No part of the workflow waits for this message now."""


class TaskNotReady(Exception):
    """The task does not exist in this workflow or is no longer READY (someone completed it)."""


def start(spec: Any, subprocess_specs: dict[str, Any], initial_data: dict[str, Any], *,
          engine: Any = None) -> StepResult:
    wf = MotcuaWorkflow(spec, subprocess_specs, script_engine=engine)
    wf.task_tree.set_data(**copy.deepcopy(initial_data))  # seed: root data is inherited by every task
    return _advance(wf, diff=dict(initial_data))


def complete_task(state: str, spec: Any, subprocess_specs: dict[str, Any], task_id: str,
                  data: dict[str, Any], *, engine: Any = None) -> StepResult:
    wf = load_state(state, spec, subprocess_specs, engine)
    before = _ready_ids(wf)
    task = _ready_task(wf, task_id)
    diff = {k: v for k, v in data.items() if task.data.get(k, _MISSING) != v}
    # Replace top-level values, never mutate nested ones in place (SPIFFWORKFLOW.md P1).
    task.data.update(copy.deepcopy(data))
    steps: list[EngineStep] = []
    try:
        task.run()
    except SpiffWorkflowException as exc:
        return _with_before(_result(wf, steps, diff, _error_of(exc)), before)
    return _with_before(_advance(wf, diff=diff, steps=steps), before)


def fire_timers(state: str, spec: Any, subprocess_specs: dict[str, Any], *, engine: Any = None) -> StepResult:
    """Fire every timer that is due now and run the engine on."""
    wf = load_state(state, spec, subprocess_specs, engine)
    before = _ready_ids(wf)
    return _with_before(_advance(wf), before)


def deliver_message(state: str, spec: Any, subprocess_specs: dict[str, Any], name: str,
                    payload: Any, *, engine: Any = None) -> StepResult:
    wf = load_state(state, spec, subprocess_specs, engine)
    before = _ready_ids(wf)
    try:
        wf.send_event(BpmnEvent(MessageEventDefinition(name), payload=payload))
    except SpiffWorkflowException as exc:  # SpiffWorkflow: "not waiting for <name>"
        raise NotWaiting(name) from exc
    return _with_before(_advance(wf), before)


def project(state: str, spec: Any, subprocess_specs: dict[str, Any], *, engine: Any = None) -> StepResult:
    """What the projections must be for a stored state (used to rebuild and to verify them)."""
    wf = load_state(state, spec, subprocess_specs, engine)
    return _with_before(_result(wf, [], {}, _existing_error(wf), events=[]), _ready_ids(wf))


def task_data(state: str, spec: Any, subprocess_specs: dict[str, Any], task_id: str, *,
              engine: Any = None) -> dict[str, Any]:
    wf = load_state(state, spec, subprocess_specs, engine)
    return copy.deepcopy(dict(_ready_task(wf, task_id).data))


_MISSING = object()


def _ready_ids(wf: MotcuaWorkflow) -> frozenset[str]:
    return frozenset(str(t.id) for t in wf.get_tasks(state=TaskState.READY, manual=True))


def _with_before(result: StepResult, before: frozenset[str]) -> StepResult:
    result.previous_ready = before
    return result


def _ready_task(wf: MotcuaWorkflow, task_id: str) -> Any:
    try:
        task = wf.get_task_from_id(UUID(task_id))
    except (ValueError, TypeError, SpiffWorkflowException):
        task = None
    if task is None or task.state != TaskState.READY or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    return task


def _advance(wf: MotcuaWorkflow, diff: dict[str, Any] | None = None,
             steps: list[EngineStep] | None = None) -> StepResult:
    steps = [] if steps is None else steps

    def did_complete(task: Any) -> None:
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None):
            steps.append(EngineStep(spec.bpmn_id, spec.bpmn_name or "", type(spec).__name__))

    try:
        wf.refresh_timers()
        wf.do_engine_steps(did_complete_task=did_complete)
    except SpiffWorkflowException as exc:
        return _result(wf, steps, diff or {}, _error_of(exc))
    return _result(wf, steps, diff or {}, None)


def _error_of(exc: SpiffWorkflowException) -> dict[str, Any]:
    # A failed gateway raises WorkflowException with task_spec but no task.
    spec = getattr(getattr(exc, "task", None), "task_spec", None) or getattr(exc, "task_spec", None)
    # Never the exception's text: it quotes the values the expression read (personal data).
    cause = getattr(exc, "error", None) or getattr(exc, "exception", None) or exc.__cause__
    kind = type(cause).__name__ if isinstance(cause, BaseException) else type(exc).__name__
    element_id = getattr(spec, "bpmn_id", None)
    error = {"message": f"Step {element_id or '?'} failed ({kind})", "element_id": element_id,
             "type": type(exc).__name__, "kind": kind}
    name = _missing_name(exc, cause)
    if name:  # a variable's name is not personal data; its value would be
        error["missing_name"] = name
        error["message"] = f"Step {element_id or '?'} failed ({kind}: {name} is not defined)"
    ref = getattr(exc, "data_output", None) or getattr(exc, "data_input", None)
    if ref is not None:
        error["missing_data"] = ref.bpmn_id
    return error


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")


def _missing_name(exc: BaseException, cause: Any) -> str | None:
    """The undefined variable of a NameError-like failure (an identifier, never a value)."""
    for each in (cause, exc):
        name = getattr(each, "name", None)
        if isinstance(name, str) and _IDENTIFIER.fullmatch(name):
            return name
    match = re.search(r"name '([A-Za-z_][A-Za-z0-9_]*)' is not defined", str(cause or exc))
    return match.group(1) if match else None


def _existing_error(wf: MotcuaWorkflow) -> dict[str, Any] | None:
    failed = wf.get_tasks(state=TaskState.ERROR)
    if not failed:
        return None
    return {"message": "A step failed", "element_id": failed[0].task_spec.bpmn_id, "type": "TaskError"}


def _result(wf: MotcuaWorkflow, steps: list[EngineStep], diff: dict[str, Any],
            error: dict[str, Any] | None, events: list[dict[str, Any]] | None = None) -> StepResult:
    if events is None:
        events = [_event(e) for e in wf.get_events()]  # drain: uncaught errors must not vanish
    # one walk of the task tree for the three states read here (each get_tasks walks all of it)
    found = wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.ERROR)
    if error is None and any(t.state == TaskState.ERROR for t in found):
        error = _existing_error(wf)
    status = "error" if error else ("completed" if wf.is_completed() else "waiting")
    ready = [
        ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id, t.task_spec.lane)
        for t in found if t.state == TaskState.READY and t.task_spec.manual
    ]
    if wf.is_completed():
        data = dict(wf.data)
    else:
        data = dict(wf.last_task.data) if wf.last_task is not None else dict(wf.task_tree.data)
    return StepResult(
        state=dump_state(wf), status=status, ready=ready, timers=armed_timers(wf, found), data=data,
        steps=steps, events=events, error=error, data_diff=diff,
    )


def _event(event: Any) -> dict[str, Any]:
    definition = event.event_definition
    kind = type(definition).__name__.replace("EventDefinition", "").lower()
    return {"type": kind, "name": getattr(definition, "name", None), "code": getattr(definition, "code", None)}


def armed_timers(wf: MotcuaWorkflow, tasks: Sequence[Any] | None = None) -> list[ArmedTimer]:
    """Every armed timer with its due instant, event-based gateways and cycles included (`tasks`: the
    workflow's tasks already listed, WAITING ones among them)."""
    rows = []
    waiting = wf.get_tasks(state=TaskState.WAITING) if tasks is None else \
        [t for t in tasks if t.state == TaskState.WAITING]
    for task in waiting:
        definition = getattr(task.task_spec, "event_definition", None)
        definitions = getattr(definition, "event_definitions", None) or ([definition] if definition else [])
        for d in definitions:
            if not isinstance(d, TimerEventDefinition):
                continue
            value = task.internal_data.get("event_value")
            value = value.get("next") if isinstance(value, dict) else value
            if isinstance(value, str):
                due = datetime.fromisoformat(value)
                due = due.replace(tzinfo=UTC) if due.tzinfo is None else due.astimezone(UTC)
                rows.append(ArmedTimer(str(task.id), task.task_spec.bpmn_id, due))
    return rows


def cancel(state: str, spec: Any, subprocess_specs: dict[str, Any], *, engine: Any = None) -> StepResult:
    """Cancel every unfinished task (withdrawal, stop): the workflow ends without success."""
    wf = load_state(state, spec, subprocess_specs, engine)
    before = _ready_ids(wf)
    kept = data_of(wf)
    wf.cancel()
    wf.data.update(kept)  # the dossier's data outlives the cancelled steps (pages read a finished workflow's data)
    return _with_before(_result(wf, [], {}, None, events=[]), before)


def holds(expression: str, data: dict[str, Any], *, engine: Any = None) -> bool:
    """A model's condition (e.g. a motcua:lifecycle `when`) on data, through the restricted evaluator."""
    return bool((engine or SAFE_ENGINE).environment.evaluate(expression, dict(data)))


def load(state: str, spec: Any, subprocess_specs: dict[str, Any], *, engine: Any = None) -> MotcuaWorkflow:
    """One deserialisation, for a view that reads several things (data_of, states_of)."""
    return load_state(state, spec, subprocess_specs, engine)


def data_of(wf: MotcuaWorkflow) -> dict[str, Any]:
    """The workflow's data as its last step left it."""
    if wf.is_completed():
        return copy.deepcopy(dict(wf.data))
    return copy.deepcopy(dict(wf.last_task.data) if wf.last_task is not None else dict(wf.task_tree.data))


def states_of(wf: MotcuaWorkflow) -> dict[str, list[str]]:
    """BPMN element ids that ran and that are waiting now (for highlighting the diagram)."""
    done = {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id}
    active = {t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
              if t.task_spec.bpmn_id}
    return {"completed": sorted(done - active), "active": sorted(active)}


def element_states(state: str, spec: Any, subprocess_specs: dict[str, Any], *,
                   engine: Any = None) -> dict[str, list[str]]:
    return states_of(load_state(state, spec, subprocess_specs, engine))


def migrate(state: str, spec: Any, subprocess_specs: dict[str, Any], new_spec: Any,
            new_subprocess_specs: dict[str, Any], *, dry_run: bool, engine: Any = None) -> tuple[dict[str, Any],
                                                                                                 StepResult | None]:
    """Move a running workflow onto a new version of its model (SpiffWorkflow's diff/migrate).

    Refused when a step that is active now (READY or WAITING) no longer exists in the new model, or
    an active subprocess has no counterpart. Returns the report and, unless `dry_run` or refused,
    the new state with the engine run on."""
    wf = load_state(state, spec, subprocess_specs, engine)
    before = _ready_ids(wf)
    top, subs = diff_workflow(SPEC_SERIALIZER.registry, wf, new_spec, new_subprocess_specs)
    active = TaskState.READY | TaskState.WAITING
    blockers = sorted({t.task_spec.bpmn_id or t.task_spec.name for t in top.removed if t.state & active})
    blockers += [str(i) for i, d in subs.items() if d is None]
    report = {"ok": not blockers, "blockers": blockers,
              "changed": sorted({t.task_spec.bpmn_id for t in top.changed if t.task_spec.bpmn_id}),
              "removed_done": sorted({t.task_spec.bpmn_id for t in top.removed
                                      if t.task_spec.bpmn_id and not t.state & active})}
    if blockers or dry_run:
        return report, None
    migrate_workflow(top, wf, new_spec)
    for sub_id, sub_diff in subs.items():
        if sub_diff is not None:
            sub = wf.subprocesses[sub_id]
            migrate_workflow(sub_diff, sub, new_subprocess_specs[sub.spec.name])
    wf.subprocess_specs = new_subprocess_specs
    return report, _with_before(_advance(wf), before)
