"""Run a draft step by step in memory, with test data: no dossier, nothing written to the database.

The same engine runs it (engine.simulation: the runner with the runtime's evaluator on the draft's parsed
spec), so the path taken through gateways is the path a real dossier would take. Each waiting
step shows the due date its step budget would give (engine.sla.step_due on the installation's
calendar), counted from the simulated instant the step became ready. A finished step takes the
Decree 118 steps its `motcua:lifecycle` rules give, through the plan real dossiers use: the path
shows each status (code) and the legal due date it computes. The simulated clock moves to the
instant the admin says each step was finished (by default: its due date).

`Run` is plain data; `snapshot()` / `restore()` turn it into JSON for the page to carry (signed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine import simulation, sla
from engine.dossier_lifecycle import Limit
from engine.runtime import Runtime
from engine.workdays import Calendar
from engine.workflow.parser import ParsedModel

SAMPLE_TEXT = "Thử"


@dataclass(frozen=True)
class Waiting:
    """A step the simulated dossier waits on."""

    task_id: str
    element_id: str
    name: str
    lane: str
    role: str
    form: str
    started_at: datetime
    due_at: datetime | None
    budget: str  # "4 working_hours", "" when the step has none
    sample: dict[str, Any]


@dataclass
class Run:
    state: str
    status: str  # waiting | completed | error
    started_at: datetime
    clock: datetime
    legal_due: datetime | None
    path: list[dict[str, Any]] = field(default_factory=list)  # {element_id, name, kind, at[, lifecycle]}
    ready_since: dict[str, str] = field(default_factory=dict)  # task id -> ISO instant it became ready
    data: dict[str, Any] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    timers: list[dict[str, str]] = field(default_factory=list)  # {element_id, due_at}
    # the Decree 118 lifecycle columns of the simulated dossier (engine.dossier_lifecycle), JSON-safe
    lifecycle: dict[str, Any] = field(default_factory=lambda: {"lifecycle_status": 1})

    @property
    def lifecycle_status(self) -> int:
        return int(self.lifecycle.get("lifecycle_status") or 1)

    @property
    def lifecycle_due(self) -> datetime | None:
        due = self.lifecycle.get("due_adjusted_at")
        return datetime.fromisoformat(due) if isinstance(due, str) else None


def forms_of(model: ParsedModel, forms: Mapping[str, Any]) -> dict[str, Any]:
    """The draft's forms plus those publish would generate for steps that have none."""
    return {**model.generated_forms, **forms}


def _first_value(component: Mapping[str, Any]) -> Any:
    values = component.get("values") or []
    return values[0].get("value") if values and isinstance(values[0], dict) else SAMPLE_TEXT


def sample_data(schema: Any) -> dict[str, Any]:
    """Plausible test data for a form: first option, ticked boxes, 1, today's date, "Thử"."""
    data: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        target = data
        *parents, last = key.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    def walk(components: Any, prefix: str) -> None:
        for comp in components or []:
            if not isinstance(comp, dict):
                continue
            kind, key = comp.get("type"), comp.get("key")
            if kind == "group":
                walk(comp.get("components"), f"{prefix}{comp['path']}." if comp.get("path") else prefix)
                continue
            if not key or kind in ("dynamiclist", "filepicker", "button", "text"):
                continue
            value: Any = {"checkbox": True, "number": 1, "checklist": [], "taglist": [],
                          "datetime": "2026-01-05"}.get(str(kind), SAMPLE_TEXT)
            if kind in ("radio", "select"):
                value = _first_value(comp)
            put(prefix + str(key), value)

    walk(schema.get("components") if isinstance(schema, dict) else [], "")
    return data


def _record(run: Run, result: simulation.StepResult, at: datetime) -> Run:
    run.state, run.status, run.data, run.error = result.state, result.status, dict(result.data), result.error
    run.path += [{"element_id": s.element_id, "name": s.name, "kind": s.kind, "at": at.isoformat()}
                 for s in result.steps]
    ready = {t.task_id for t in result.ready}
    run.ready_since = {k: v for k, v in run.ready_since.items() if k in ready}
    for task_id in ready:
        run.ready_since.setdefault(task_id, at.isoformat())
    run.timers = [{"element_id": t.element_id, "due_at": t.due_at.isoformat()} for t in result.timers]
    run.clock = at
    return run


def start(rt: Runtime, model: ParsedModel, time_limit: Decimal, time_unit: str, data: dict[str, Any],
          at: datetime, calendar: Calendar) -> Run:
    """Submit the test dossier at `at` (treated as accepted at once for the legal due date)."""
    legal = sla.due_at(at, time_limit, time_unit, calendar) if time_limit or time_unit == "same_day" else None
    run = Run(state="", status="waiting", started_at=at, clock=at, legal_due=legal)
    return _record(run, simulation.start(rt, model.spec, model.subprocess_specs, data), at)


def complete(rt: Runtime, model: ParsedModel, run: Run, task_id: str, data: dict[str, Any], at: datetime,
             limit: Limit, calendar: Calendar) -> Run:
    """Finish one waiting step at `at` with `data`, taking the lifecycle steps its rules give (each
    with the status and the legal due date it leads to); raises simulation.TaskNotReady for a stale
    task id."""
    done = next((t for t in simulation.ready(rt, run.state, model.spec, model.subprocess_specs)
                 if t.task_id == task_id), None)
    result = simulation.complete(rt, run.state, model.spec, model.subprocess_specs, task_id, data)
    at = max(at, run.clock)
    if done is not None:
        run.lifecycle, taken = simulation.lifecycle(
            rt, model.extensions.elements, done.element_id, {**result.data, **data}, run.lifecycle, at, limit,
            calendar, workflow_open=result.status == "waiting")
        run.path.append({"element_id": done.element_id, "name": done.name, "kind": "UserTask", "at": at.isoformat(),
                         "lifecycle": [{"command": t.command, "status": t.status, "error": t.error,
                                        "due_at": t.due_at.isoformat() if t.due_at else None} for t in taken]})
    return _record(run, result, at)


def waiting(rt: Runtime, model: ParsedModel, run: Run, forms: Mapping[str, Any],
            calendar: Calendar) -> list[Waiting]:
    if run.status != "waiting":
        return []
    lanes = model.extensions.lane_roles()
    all_forms = forms_of(model, forms)
    out = []
    for task in simulation.ready(rt, run.state, model.spec, model.subprocess_specs):
        info = model.extensions.elements.get(task.element_id) or {}
        since = datetime.fromisoformat(run.ready_since.get(task.task_id, run.clock.isoformat()))
        budget = info.get("budget") or {}
        due = (sla.step_due(since, Decimal(budget["value"]), budget["unit"], calendar)
               if budget.get("valid") else None)
        ref = str(info.get("form") or "")
        out.append(Waiting(task.task_id, task.element_id, task.name, task.lane or "", lanes.get(task.lane or "", ""),
                           ref, since, due, f"{budget['value']} {budget['unit']}" if due else "",
                           sample_data(all_forms.get(ref))))
    return out


def snapshot(run: Run) -> dict[str, Any]:
    return {"state": run.state, "status": run.status, "started_at": run.started_at.isoformat(),
            "clock": run.clock.isoformat(), "legal_due": run.legal_due.isoformat() if run.legal_due else None,
            "path": run.path, "ready_since": run.ready_since, "data": run.data, "error": run.error,
            "timers": run.timers, "lifecycle": run.lifecycle}


def restore(raw: Mapping[str, Any]) -> Run:
    return Run(state=str(raw["state"]), status=str(raw["status"]),
               started_at=datetime.fromisoformat(raw["started_at"]), clock=datetime.fromisoformat(raw["clock"]),
               legal_due=datetime.fromisoformat(raw["legal_due"]) if raw.get("legal_due") else None,
               path=list(raw.get("path") or []), ready_since=dict(raw.get("ready_since") or {}),
               data=dict(raw.get("data") or {}), error=raw.get("error"), timers=list(raw.get("timers") or []),
               lifecycle=dict(raw.get("lifecycle") or {"lifecycle_status": 1}))
