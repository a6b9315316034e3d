"""A model run in memory, without a dossier (the designer's simulation): the same runner as
dossiers, with the runtime's restricted evaluator and calendar functions. Nothing is written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.workflow import runner
from engine.workflow.runner import ReadyTask, StepResult, TaskNotReady

if TYPE_CHECKING:
    from engine.runtime import Runtime

__all__ = ["ReadyTask", "StepResult", "TaskNotReady", "complete", "ready", "start"]


def start(rt: Runtime, spec: Any, subprocess_specs: dict[str, Any], data: dict[str, Any]) -> StepResult:
    return runner.start(spec, subprocess_specs, data, engine=rt.script_engine)


def complete(rt: Runtime, state: str, spec: Any, subprocess_specs: dict[str, Any], task_id: str,
             data: dict[str, Any]) -> StepResult:
    return runner.complete_task(state, spec, subprocess_specs, task_id, data, engine=rt.script_engine)


def ready(rt: Runtime, state: str, spec: Any, subprocess_specs: dict[str, Any]) -> list[ReadyTask]:
    return runner.project(state, spec, subprocess_specs, engine=rt.script_engine).ready
