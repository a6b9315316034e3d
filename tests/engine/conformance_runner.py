"""Replay one case of ../shared/conformance/expectations.json through Motcua's own engine.

The real persistence path is used throughout: the model is published into a ProcedureVersion
(engine.procedures), the dossier is started and advanced by engine.dossiers (submit,
complete_task, deliver_message, and engine.timers.fire_due for wall-clock timers), and the
checks read what Motcua stored: the dossier row, its HumanTask/Timer projections, its audit
trail and its serialized workflow state. Only reading helpers of engine.workflow are used
directly (runner.task_data, runner.project, serializer.load_state).

The case format is described in the "format" section of expectations.json.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from SpiffWorkflow import TaskState

from engine import dossiers, procedures, timers
from engine.errors import ModelInvalid
from engine.models import AuditEvent, Dossier, HumanTask, ProcedureVersion, User
from engine.runtime import Runtime
from engine.workflow import runner
from engine.workflow.parser import PublishPolicy
from engine.workflow.serializer import load_state
from tests.factories import rt


def _engine_rt() -> Runtime:
    """The test runtime without the form check: these cases test BPMN execution on third-party
    models, whose completions carry data their (generated) forms do not declare."""
    return dataclasses.replace(rt(), form_check=None)

#: Third-party models carry no lanes with motcua:role, so assignment rules are relaxed.
POLICY = PublishPolicy(require_lanes=False)
STATUS = {"completed": "completed", "waiting": "processing", "error": "failed"}
#: fields of the format this runner checks; anything else fails the case instead of being ignored
STEP_FIELDS = {"complete", "where", "data", "expect_lane", "expect_task_data", "expect_task_data_exact",
               "expect_task_data_after", "expect_error", "expect_ready", "expect_ready_names", "ordered",
               "expect_waiting", "expect_status", "wait_seconds", "message"}
EXPECT_FIELDS = {"status", "error", "data", "data_exact", "data_absent", "data_objects", "data_paths",
                 "tasks_completed", "task_completion_counts", "tasks_not_completed", "tasks_cancelled",
                 "ready", "events_emitted"}
_MISSING = object()


class CaseFailure(AssertionError):
    """The engine did not behave as the case expects (every mismatch is listed)."""


def load_cases(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["cases"])


def now() -> datetime:
    return datetime.now(UTC)


def procedure_code(case: Mapping[str, Any]) -> str:
    # Procedure.code is at most 32 characters; case ids are longer
    return "conf-" + hashlib.sha1(case["id"].encode()).hexdigest()[:16]


# ---------------------------------------------------------------- publishing
async def publish_case(case: Mapping[str, Any], root: Path) -> ProcedureVersion:
    """Publish the case's model (with its extra files and chosen process) as a procedure version."""
    code = procedure_code(case)
    await procedures.create_or_update(code, name=case.get("title", case["id"])[:300])
    xml = (root / case["file"]).read_bytes()
    extras = [(root / f).read_bytes() for f in case.get("extra_files") or []]
    process_id = case.get("process_id") or case.get("collaboration_id")
    return await procedures.publish(code, xml, policy=POLICY, published_by="conformance",
                                    extra_files=extras, process_id=process_id)


# ---------------------------------------------------------------- running
@dataclass
class CaseRun:
    case: Mapping[str, Any]
    root: Path
    staff: User | None = None
    version: ProcedureVersion | None = None
    dossier: Dossier | None = None
    failures: list[str] = field(default_factory=list)
    ended_by_error: bool = False

    # -------------------------------------------------- helpers over the stored dossier
    @property
    def loaded(self) -> procedures.LoadedVersion:
        assert self.version is not None
        return procedures.load(self.version)

    def workflow(self) -> Any:
        """The stored workflow state, rebuilt around the published spec (read only)."""
        assert self.dossier is not None
        loaded = self.loaded
        return load_state(self.dossier.state, loaded.spec, loaded.subprocess_specs)

    def projection(self) -> runner.StepResult:
        assert self.dossier is not None
        loaded = self.loaded
        return runner.project(self.dossier.state, loaded.spec, loaded.subprocess_specs)

    def task_data(self, task_id: str) -> dict[str, Any]:
        assert self.dossier is not None
        loaded = self.loaded
        return runner.task_data(self.dossier.state, loaded.spec, loaded.subprocess_specs, task_id)

    async def ready_rows(self) -> list[HumanTask]:
        assert self.dossier is not None
        return await HumanTask.filter(dossier_id=self.dossier.id, state="ready").order_by("created_at")

    def fail(self, where: str, message: str) -> None:
        self.failures.append(f"{where}: {message}")

    # -------------------------------------------------- the case
    async def run(self) -> None:
        unknown = set(self.case.get("expect") or {}) - EXPECT_FIELDS
        for step in self.case.get("steps") or []:
            unknown |= set(step) - STEP_FIELDS
        if unknown:
            raise CaseFailure(f"case {self.case['id']}: the runner does not know the field(s) "
                              f"{sorted(unknown)}")
        self.staff = await User.create(username="conformance-staff", password_hash="!", kind="staff")
        try:
            self.version = await publish_case(self.case, self.root)
        except ModelInvalid as exc:
            problems = "; ".join(f"[{p.code}] {p.element_id or ''} {p.message}".strip() for p in exc.problems)
            raise CaseFailure(f"case {self.case['id']}: publish refused the model: {problems}") from None
        initial_data = copy.deepcopy(self.case.get("initial_data") or {})
        self.dossier = await dossiers.submit(_engine_rt(), procedure_code(self.case), initial_data, now=now())
        await self.check_projections("after submit")
        for index, step in enumerate(self.case.get("steps") or []):
            where = f"step {index + 1} {json.dumps(step, ensure_ascii=False)[:160]}"
            await self.apply(step, where)
            if self.ended_by_error:
                break
            await self.check_projections(where)
            await self.check_step(step, where)
        await self.check_expect(self.case.get("expect") or {})
        if self.failures:
            raise CaseFailure(f"case {self.case['id']}:\n  " + "\n  ".join(self.failures))

    async def apply(self, step: Mapping[str, Any], where: str) -> None:
        assert self.dossier is not None
        if "wait_seconds" in step:
            await asyncio.sleep(float(step["wait_seconds"]))
            await timers.fire_due(_engine_rt(), now())  # the production path: Timer rows → dossiers.fire_due_timers
            self.dossier = await Dossier.get(id=self.dossier.id)
        if "message" in step:
            message = step["message"]
            self.dossier = await dossiers.deliver_message(_engine_rt(), self.dossier.code, message["name"],
                                                          message.get("payload"), now(), "conformance")
        if "complete" in step:
            await self.complete(step, where)

    async def complete(self, step: Mapping[str, Any], where: str) -> None:
        assert self.dossier is not None and self.staff is not None
        ref = step["complete"]
        rows = [r for r in await self.ready_rows() if r.element_id == ref or r.name == ref]
        if "where" in step:
            rows = [r for r in rows if _matches(self.task_data(r.id), step["where"])]
        if not rows:
            ready = [(r.element_id, r.name) for r in await self.ready_rows()]
            raise CaseFailure(f"case {self.case['id']}, {where}: no READY human task {ref!r}"
                              f"{' where ' + repr(step['where']) if 'where' in step else ''}; ready: {ready}"
                              + ("\n  earlier: " + "\n  ".join(self.failures) if self.failures else "")
                              + (f"\n  dossier error: {self.dossier.error}" if self.dossier.error else ""))
        row = rows[0]
        if "expect_lane" in step and row.lane != step["expect_lane"]:
            self.fail(where, f"task {ref!r} is in lane {row.lane!r}, expected {step['expect_lane']!r}")
        if "expect_task_data" in step:
            data = self.task_data(row.id)
            expected = step["expect_task_data"]
            if step.get("expect_task_data_exact"):
                if data != expected:
                    self.fail(where, f"task data before completion: expected exactly {expected}, got {data}")
            elif not _matches(data, expected):
                self.fail(where, f"task data before completion: expected {expected} within {data}")
        data = copy.deepcopy(step.get("data") or {})
        self.dossier = await dossiers.complete_task(_engine_rt(), row.id, data, self.staff, now())
        if "expect_error" in step:
            self.check_error(step["expect_error"], where)
            self.ended_by_error = True
            return
        if "expect_task_data_after" in step:
            task = self.workflow().get_task_from_id(UUID(row.id))
            after = dict(task.data) if task is not None else None
            if after != step["expect_task_data_after"]:
                self.fail(where, f"task data after completion: expected exactly "
                                 f"{step['expect_task_data_after']}, got {after}")

    # -------------------------------------------------- checks
    def check_error(self, expected: Mapping[str, Any], where: str) -> None:
        assert self.dossier is not None
        error = self.dossier.error or {}
        if self.dossier.status != "failed":
            self.fail(where, f"expected the dossier to fail, status is {self.dossier.status!r}")
            return
        if "task" in expected and error.get("element_id") != expected["task"]:
            self.fail(where, f"error on element {error.get('element_id')!r}, expected {expected['task']!r} "
                             f"({error.get('message')})")
        message = error.get("message") or ""
        if "message_contains" in expected and expected["message_contains"] not in message:
            self.fail(where, f"error message {error.get('message')!r} does not mention "
                             f"{expected['message_contains']!r}")
        # any field of the stored error may name it (the message, or a dedicated key)
        named = json.dumps(error, ensure_ascii=False)
        if "missing_data" in expected and expected["missing_data"] not in named:
            self.fail(where, f"the error does not name the missing data {expected['missing_data']!r}: "
                             f"{error}")

    async def check_projections(self, where: str) -> None:
        """The HumanTask/Timer rows written by the command equal what the stored state implies."""
        assert self.dossier is not None
        rebuilt = await dossiers.rebuild_projections(_engine_rt(), self.dossier.code)
        stored = await dossiers.stored_projections(_engine_rt(), self.dossier.code)
        if rebuilt != stored:
            self.fail(where, f"stored projections {stored} differ from the state's {rebuilt}")

    async def check_step(self, step: Mapping[str, Any], where: str) -> None:
        assert self.dossier is not None
        if "expect_status" in step and self.dossier.status != STATUS[step["expect_status"]]:
            self.fail(where, f"status {self.dossier.status!r}, expected {STATUS[step['expect_status']]!r} "
                             f"({step['expect_status']}); error: {self.dossier.error}")
        if "expect_ready" in step:
            self.compare_ready(await self.ready_rows(), step["expect_ready"], step.get("ordered", False),
                               lambda r: r.element_id, where)
        if "expect_ready_names" in step:
            self.compare_ready(await self.ready_rows(), step["expect_ready_names"],
                               step.get("ordered", False), lambda r: r.name, where)
        if "expect_waiting" in step:
            waiting = self.waiting_events()
            missing = [e for e in step["expect_waiting"] if e not in waiting]
            if missing:
                self.fail(where, f"events {missing} are not waiting; waiting: {sorted(waiting)}")

    def compare_ready(self, rows: list[HumanTask], expected: list[str], ordered: bool, key: Any,
                      where: str) -> None:
        got = [key(r) for r in rows]
        if Counter(got) != Counter(expected):
            self.fail(where, f"READY tasks {got}, expected {expected}")
        elif ordered:
            # The engine's own order (tree order, i.e. as drawn). The HumanTask rows do not keep it:
            # tasks made by one command share created_at and their ids are random UUIDs.
            by_id = {r.id: key(r) for r in rows}
            engine_order = [by_id.get(t.task_id) for t in self.projection().ready]
            if engine_order != list(expected):
                self.fail(where, f"READY tasks in order {engine_order}, expected {expected}")

    def waiting_events(self) -> set[str]:
        wf = self.workflow()
        return {t.task_spec.bpmn_id for t in _all_tasks(wf) if t.state == TaskState.WAITING
                and getattr(t.task_spec, "event_definition", None) is not None and t.task_spec.bpmn_id}

    def completions(self) -> Counter[str]:
        """How many times each element completed, according to the stored workflow state."""
        wf = self.workflow()
        return Counter(t.task_spec.bpmn_id for t in _all_tasks(wf)
                       if t.state == TaskState.COMPLETED and getattr(t.task_spec, "bpmn_id", None))

    async def emitted_events(self) -> list[dict[str, Any]]:
        assert self.dossier is not None
        events = []
        for audit in await AuditEvent.filter(dossier_id=self.dossier.id, action="bpmn_event_thrown").order_by("id"):
            events.append((audit.details or {}).get("event") or {})
        return events

    async def check_expect(self, expect: Mapping[str, Any]) -> None:
        assert self.dossier is not None
        where = "final"
        if "status" in expect and self.dossier.status != STATUS[expect["status"]]:
            self.fail(where, f"status {self.dossier.status!r}, expected {STATUS[expect['status']]!r} "
                             f"({expect['status']}); error: {self.dossier.error}")
        if "error" in expect:
            self.check_error(expect["error"], where)
        projection = self.projection()
        data = dict(projection.data)
        data_objects = data.pop("data_objects", {})  # SpiffWorkflow keeps them in the workflow data
        if "data" in expect:
            if expect.get("data_exact"):
                if data != expect["data"]:
                    self.fail(where, f"data: expected exactly {expect['data']}, got {data}")
            elif not _matches(data, expect["data"]):
                self.fail(where, f"data: expected {expect['data']} within {data}")
        for key in expect.get("data_absent") or []:
            if key in data:
                self.fail(where, f"data must not contain {key!r}: {data}")
        if "data_objects" in expect and data_objects != expect["data_objects"]:
            self.fail(where, f"data objects: expected {expect['data_objects']}, got {data_objects}")
        for item in expect.get("data_paths") or []:
            value = _path(data, item["path"])
            if value != item["value"]:
                self.fail(where, f"data at {item['path']}: expected {item['value']!r}, "
                                 f"got {None if value is _MISSING else value!r}")
        if any(k in expect for k in ("tasks_completed", "tasks_not_completed", "task_completion_counts")):
            counts = self.completions()
            for element in expect.get("tasks_completed") or []:
                if not counts[element]:
                    self.fail(where, f"{element} did not complete")
            for element in expect.get("tasks_not_completed") or []:
                if counts[element]:
                    self.fail(where, f"{element} completed {counts[element]} time(s), it must not have run")
            for element, times in (expect.get("task_completion_counts") or {}).items():
                if counts[element] != times:
                    self.fail(where, f"{element} completed {counts[element]} time(s), expected {times}")
        if "tasks_cancelled" in expect:
            wf = self.workflow()
            for element in expect["tasks_cancelled"]:
                states = sorted({TaskState.get_name(t.state) for t in _all_tasks(wf)
                                 if t.task_spec.bpmn_id == element})
                if "CANCELLED" not in states or "COMPLETED" in states:
                    self.fail(where, f"{element} should end cancelled; its states: "
                                     f"{states or 'never reached'}")
        if "ready" in expect:
            self.compare_ready(await self.ready_rows(), expect["ready"], False, lambda r: r.element_id, where)
        if "events_emitted" in expect:
            emitted = await self.emitted_events()
            for event in expect["events_emitted"]:
                if not any(_matches(e, event) for e in emitted):
                    self.fail(where, f"event {event} was not emitted; emitted: {emitted}")


def _all_tasks(wf: Any) -> list[Any]:
    """Every task of the instance, those of finished subprocesses included (the default
    iterator does not descend into a finished subprocess when filtering on a finished state)."""
    tasks = []
    for workflow in [wf, *wf.subprocesses.values()]:
        tasks += workflow.get_tasks(skip_subprocesses=True)
    return tasks


def _matches(data: Mapping[str, Any], subset: Mapping[str, Any]) -> bool:
    return all(key in data and data[key] == value for key, value in subset.items())


def _path(data: Any, path: Iterable[Any]) -> Any:
    for key in path:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


async def run_case(case: Mapping[str, Any], root: Path) -> None:
    """Run one case; raise CaseFailure listing every mismatch (or why publish refused the model)."""
    await CaseRun(case, root).run()
