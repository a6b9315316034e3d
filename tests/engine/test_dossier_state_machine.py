"""Random sequences of task completions, lifecycle commands, citizen uploads and timers, with a
driven clock, on SQLite and PostgreSQL. After every step, whatever was accepted or refused:

* the stored projections (status, open tasks, BPMN timers, engine-owned tasks) equal those rebuilt
  from the workflow state and the event log;
* every pause but the last open one has an end, in the JSON column and in the dossier_pause table;
* the legal clock runs with a due date: status 2 or 4 always has `due_adjusted_at`;
* the status changes in the event log replay, from 1, to the stored status;
* a refused command changed nothing (same revision).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import dossiers, timers
from engine.dossier_lifecycle import Step
from engine.errors import MotcuaError
from engine.models import AuditEvent, Dossier, DossierPause, HumanTask
from engine.permissions import STEP_ROLES
from tests.factories import APPLICATIONS, CODES, publish_shipped, rt

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 09:00 local
TASK_DATA: dict[str, list[dict[str, Any]]] = {
    "intake": [{"intake_decision": "accept"}, {"intake_decision": "refuse", "intake_note": "Thiếu giấy tờ"}],
    "appraisal": [{"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"},
                  {"appraisal_result": "reject", "appraisal_opinion": "Không đủ điều kiện"}],
    "approval": [{"approval_decision": "sign"}, {"approval_decision": "reject", "approval_note": "Sai thẩm quyền"}],
    "return_result": [{"returned_via": "counter", "result_handed_over": True}],
    "apology": [{"reason": "Chờ ý kiến cơ quan thuế", "new_due_at": "2026-12-31T10:00:00+07:00"}],
}
COMMANDS = ["request_supplement", "receive_supplement", "return_supplement", "request_financial_obligation",
            "fulfil_financial_obligation", "withdraw", "stop", "refuse", "finish", "return_result", "accept"]
STAFF = ["officer", "specialist", "leader", "manager"]

actions = st.one_of(
    st.tuples(st.just("task"), st.integers(0, 3), st.sampled_from([0, 0, 0, 1])),  # mostly the straight path
    st.tuples(st.just("step"), st.sampled_from(COMMANDS), st.sampled_from(["owner", "owner", "owner", *STAFF])),
    st.tuples(st.just("upload"), st.just(0), st.just(0)),
    st.tuples(st.just("time"), st.sampled_from([1, 8, 30, 24 * 3, 24 * 16]), st.just(0)),
)


async def _check(code: str) -> None:
    d = await Dossier.get(code=code)
    runtime = rt()
    assert await dossiers.stored_projections(runtime, code) == await dossiers.rebuild_projections(runtime, code)
    pauses = d.pauses or []
    assert all(p.get("end_at") for p in pauses[:-1]), pauses
    rows = await DossierPause.filter(dossier_id=d.id).order_by("start_at")
    assert len(rows) == len(pauses) and all(r.end_at for r in rows[:-1])
    if pauses and not pauses[-1].get("end_at"):
        assert d.lifecycle_status in (5, 6), (d.lifecycle_status, pauses)
        assert rows[-1].end_at is None
    if d.lifecycle_status in (2, 4):
        assert d.due_adjusted_at is not None
    status = 1
    for e in await AuditEvent.filter(dossier_id=d.id, action="status_changed").order_by("id"):
        assert e.details["from_status"] == status, (status, e.details)
        status = e.details["to_status"]
    assert status == d.lifecycle_status


def _owner(command: str, open_tasks: list[HumanTask]) -> str:
    """A user who may plausibly take `command` now: the current step's owner when that role may."""
    allowed = STEP_ROLES[command]
    for task in open_tasks:
        if task.role in allowed:
            return {"one_stop": "officer", "specialist": "specialist", "leader": "leader"}[task.role]
    return {"one_stop": "officer", "specialist": "specialist", "leader": "leader"}[allowed[0]]


async def _act(action: tuple[str, Any, Any], code: str, users: dict[str, Any], now: datetime) -> datetime:
    kind, a, b = action
    runtime = rt()
    d = await Dossier.get(code=code)
    if kind == "time":
        now += timedelta(hours=a)
        await timers.fire_due(runtime, now)
        return now
    try:
        if kind == "task":
            tasks = await HumanTask.filter(dossier_id=d.id, state="ready").order_by("created_at", "id")
            if not tasks:
                return now
            task = tasks[a % len(tasks)]
            options = TASK_DATA[task.element_id]
            who = {"one_stop": "officer", "specialist": "specialist", "leader": "leader"}[task.role or "one_stop"]
            await dossiers.complete_task(runtime, task.id, options[b % len(options)], users[who], now)
        elif kind == "step":
            who = _owner(a, await HumanTask.filter(dossier_id=d.id, state="ready", kind="bpmn")) if b == "owner" else b
            await dossiers.step(runtime, code, Step(a, reasons=("Thiếu giấy tờ",), override=who == "manager"),
                                users[who], now, channel="paper" if a == "return_result" else "")
        elif kind == "upload":
            await dossiers.add_supplement(runtime, code, [{"name": "bo-sung.pdf", "sha256": "a" * 64, "size": 9,
                                                           "content_type": "application/pdf"}], "", "citizen", now)
    except MotcuaError:
        after = await Dossier.get(code=code)
        assert after.revision == d.revision  # a refused command changes nothing
    return now + timedelta(minutes=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=14))
async def test_random_command_sequences_keep_projections_pauses_clock_and_events_consistent(
        users: dict[str, Any], sequence: list[tuple[str, Any, Any]]) -> None:
    from engine import accounts

    if "manager" not in users:
        users["manager"] = await accounts.create_user("manager", "correct-horse-battery", "manager",
                                                      roles=["one_stop", "specialist", "leader"])
    await publish_shipped("household-business")
    dossier = await dossiers.submit(rt(), CODES["household-business"], APPLICATIONS["household-business"],
                                    now=START, user=users["citizen"])
    now = START
    await _check(dossier.code)
    for action in sequence:
        now = await _act(action, dossier.code, users, now)
        await _check(dossier.code)
