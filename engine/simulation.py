"""A model run in memory, without a dossier (the designer's simulation): the same runner as
dossiers, with the runtime's restricted evaluator and calendar functions, and the same Decree 118
plan for the lifecycle steps a completed task takes (status, legal due date). Nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine import attention
from engine.dossier_lifecycle import Limit, Step, plan
from engine.errors import Conflict, InvalidData, PermissionDenied
from engine.workdays import Calendar
from engine.workflow import runner
from engine.workflow.runner import ReadyTask, StepResult, TaskNotReady

if TYPE_CHECKING:
    from engine.runtime import Runtime

__all__ = ["ReadyTask", "StepResult", "Taken", "TaskNotReady", "complete", "lifecycle", "ready", "start"]


def start(rt: Runtime, spec: Any, subprocess_specs: dict[str, Any], data: dict[str, Any]) -> StepResult:
    return runner.start(spec, subprocess_specs, data, engine=rt.script_engine)


def complete(rt: Runtime, state: str, spec: Any, subprocess_specs: dict[str, Any], task_id: str,
             data: dict[str, Any]) -> StepResult:
    return runner.complete_task(state, spec, subprocess_specs, task_id, data, engine=rt.script_engine)


def ready(rt: Runtime, state: str, spec: Any, subprocess_specs: dict[str, Any]) -> list[ReadyTask]:
    return runner.project(state, spec, subprocess_specs, engine=rt.script_engine).ready


@dataclass(frozen=True)
class Taken:
    """A Decree 118 step the simulated dossier took (or was refused) when a task completed."""

    command: str
    status: int  # the status after it (before it, when refused)
    due_at: datetime | None  # the legal due date then in force (working calendar), if the clock runs
    error: str = ""  # why the step was refused ("" when taken)


WAITING = {5: "receive_supplement", 6: "fulfil_financial_obligation"}


def _reasons(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v).strip())
    return (str(value),) if value not in (None, "") else ()


def _json_safe(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in facts.items()}


def lifecycle(rt: Runtime, elements: dict[str, Any], element_id: str, data: dict[str, Any], facts: dict[str, Any],
              now: datetime, limit: Limit, calendar: Calendar, *, workflow_open: bool
              ) -> tuple[dict[str, Any], list[Taken]]:
    """The task's `motcua:lifecycle` rules that hold on `data`, taken in order through the very plan
    dossiers use (engine/dossier_lifecycle.plan): the new lifecycle facts (JSON-safe) and each step's
    status and due date. A dossier waiting for the citizen gets its answer first, as a real one must."""
    facts = dict(facts)
    taken: list[Taken] = []
    try:
        rules = attention.holding_rules(rt, elements.get(element_id) or {}, element_id, data)
    except attention.RuleFailed as failed:  # as a real dossier: no step taken, said in words (no 500)
        return facts, [Taken("rule_failed", int(facts.get("lifecycle_status") or 1), None,
                             f"the lifecycle rule of {element_id} cannot be evaluated ({failed.kind})")]
    steps = [Step(WAITING[int(facts.get("lifecycle_status") or 1)])] if rules and int(
        facts.get("lifecycle_status") or 1) in WAITING else []
    steps += [Step(rule["command"], reasons=_reasons(data.get(rule["reasons"])) if rule.get("reasons") else ())
              for rule in rules]
    for step in steps:
        try:
            planned = plan(facts, [step], now, limit, calendar, workflow_open=workflow_open)
        except (Conflict, InvalidData, PermissionDenied, ValueError) as exc:
            taken.append(Taken(step.command, int(facts.get("lifecycle_status") or 1), None, str(exc)))
            continue
        facts = _json_safe({**facts, **planned.updates})
        due = facts.get("due_adjusted_at")
        taken.append(Taken(step.command, int(facts["lifecycle_status"]),
                           datetime.fromisoformat(due) if isinstance(due, str) else None))
    return facts, taken
