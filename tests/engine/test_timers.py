"""engine/timers.py in-process, on both backends: exactly-once claims, leases, the kind registry,
and the working-calendar functions of model expressions."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from engine import dossiers, procedures, scheduler, sql, timers
from engine.errors import Conflict
from engine.models import AuditEvent, Dossier, HumanTask, OutboxEvent, Timer
from engine.scheduler import TimerScheduler
from engine.workdays import Calendar, default_calendar
from engine.workflow import expression_functions
from engine.workflow.extensions import MOTCUA_NS
from tests.factories import rt

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="{ns}"
    id="defs" targetNamespace="http://motcua.vn/test">
  <bpmn:process id="timed" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_one_stop" name="Một cửa">
        <bpmn:extensionElements><motcua:role code="one_stop"/></bpmn:extensionElements>
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>{refs}
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f_start</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Kiểm tra">
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_end</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f_end" sourceRef="check" targetRef="end"/>{boundaries}
  </bpmn:process>
</bpmn:definitions>
"""
BOUNDARY = """
    <bpmn:boundaryEvent id="timer{i}" attachedToRef="check" cancelActivity="{cancel}">
      <bpmn:outgoing>f{i}a</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td{i}">{timer}</bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="late{i}" name="Xử lý trễ {i}">
      <bpmn:incoming>f{i}a</bpmn:incoming><bpmn:outgoing>f{i}b</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end{i}"><bpmn:incoming>f{i}b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f{i}a" sourceRef="timer{i}" targetRef="late{i}"/>
    <bpmn:sequenceFlow id="f{i}b" sourceRef="late{i}" targetRef="end{i}"/>"""


def timer_model(*timer_definitions: str, interrupting: bool = True) -> bytes:
    """A user task `check` with one boundary timer per definition (`<bpmn:timeDuration>PT3S</…>`);
    timer i leads to the user task `late{i}`."""
    boundaries = "".join(BOUNDARY.format(i=i, timer=t, cancel=str(interrupting).lower())
                         for i, t in enumerate(timer_definitions))
    refs = "".join(f"<bpmn:flowNodeRef>{n}{i}</bpmn:flowNodeRef>"
                   for i in range(len(timer_definitions)) for n in ("timer", "late", "end"))
    return MODEL.format(ns=MOTCUA_NS, refs=refs, boundaries=boundaries).encode()


def duration(text: str) -> str:
    return f"<bpmn:timeDuration>{text}</bpmn:timeDuration>"


async def publish(code: str, *timer_definitions: str, interrupting: bool = True) -> None:
    await procedures.create_or_update(code, name="Timer test")
    await procedures.publish(code, timer_model(*timer_definitions, interrupting=interrupting))


async def timer_states(dossier_id: int) -> list[str]:
    return sorted(t.state for t in await Timer.filter(dossier_id=dossier_id))


async def ready_tasks(dossier_id: int) -> list[str]:
    return sorted(t.element_id for t in await HumanTask.filter(dossier_id=dossier_id, state="ready"))


async def fired_audits(dossier_id: int) -> int:
    return await AuditEvent.filter(dossier_id=dossier_id, action="timer_fired").count()


async def due_dossiers(code: str, count: int, after: str = "PT0.2S") -> list[Dossier]:
    """`count` dossiers whose single timer is due by the time this returns."""
    await publish(code, duration(after))
    made = [await dossiers.submit(rt(), code, {}, now=datetime.now(UTC)) for _ in range(count)]
    await asyncio.sleep(0.3)
    return made


_NATIONAL = default_calendar()
_FUNCTIONS = expression_functions.bind(lambda: _NATIONAL)  # what the runtime binds to its calendar
add_working_days = _FUNCTIONS["add_working_days"]
add_working_hours = _FUNCTIONS["add_working_hours"]
working_days_between = _FUNCTIONS["working_days_between"]


@pytest.fixture
def national_calendar() -> Calendar:
    return _NATIONAL


# ------------------------------------------------------------------ exactly once
async def test_concurrent_sweeps_fire_each_due_timer_exactly_once(db: Any) -> None:
    made = await due_dossiers("T.C", 8)
    now = datetime.now(UTC)
    counts = await asyncio.gather(*(timers.fire_due(rt(), now) for _ in range(4)))
    assert sum(counts) == 8
    for dossier in made:
        assert await fired_audits(dossier.id) == 1
        assert await timer_states(dossier.id) == ["fired"]
        assert await ready_tasks(dossier.id) == ["late0"]
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 0
    assert await timers.next_due() is None


async def test_due_timers_of_one_dossier_are_claimed_together_and_fired_in_one_step(db: Any) -> None:
    await publish("T.2T", duration("PT0.2S"), duration("PT0.25S"), interrupting=False)
    dossier = await dossiers.submit(rt(), "T.2T", {}, now=datetime.now(UTC))
    assert await Timer.filter(dossier_id=dossier.id, state="pending").count() == 2
    await asyncio.sleep(0.35)
    now = datetime.now(UTC)
    assert sum(await asyncio.gather(*(timers.fire_due(rt(), now) for _ in range(3)))) == 2
    assert await fired_audits(dossier.id) == 1
    assert await timer_states(dossier.id) == ["fired", "fired"]
    assert await ready_tasks(dossier.id) == ["check", "late0", "late1"]


async def test_a_timer_is_not_fired_at_its_due_instant_only_after_it(db: Any) -> None:
    (dossier,) = await due_dossiers("T.S", 1)
    timer = await Timer.get(dossier_id=dossier.id)
    assert await timers.next_due() == timer.due_at
    assert await timers.fire_due(rt(), timer.due_at) == 0  # due < now, strictly, like SpiffWorkflow
    assert await timers.fire_due(rt(), timer.due_at + timedelta(microseconds=1)) == 1


# ------------------------------------------------------------------ leases and failures
async def test_a_row_left_firing_by_a_crashed_worker_fires_once_after_the_lease(db: Any) -> None:
    crashed, busy = await due_dossiers("T.L", 2)
    now = datetime.now(UTC)
    await Timer.filter(dossier_id=crashed.id).update(state="firing", fired_at=now - timers.LEASE - timedelta(seconds=1))
    await Timer.filter(dossier_id=busy.id).update(state="firing", fired_at=now - timedelta(seconds=5))
    assert await timers.fire_due(rt(), now) == 0  # claimed rows are nobody else's business…
    assert await timers.recover_stuck(now) == 1  # …until their lease ran out
    assert await timer_states(busy.id) == ["firing"]
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 1
    assert await fired_audits(crashed.id) == 1
    assert await fired_audits(busy.id) == 0
    assert await timers.recover_stuck(now) == 0


async def test_an_unknown_kind_stays_firing_with_an_error_line_and_the_others_fire(
        db: Any, caplog: pytest.LogCaptureFixture) -> None:
    (dossier,) = await due_dossiers("T.U", 1)
    past = datetime.now(UTC) - timedelta(minutes=1)
    odd = await Timer.create(dossier_id=dossier.id, task_id="", element_id="", kind="no_such_kind", due_at=past)
    with caplog.at_level(logging.ERROR, logger="motcua.timers"):
        assert await timers.fire_due(rt(), datetime.now(UTC)) == 1
    await odd.refresh_from_db()
    assert odd.state == "firing"
    assert f"timer {odd.id}: no handler for kind 'no_such_kind'" in caplog.text
    assert await fired_audits(dossier.id) == 1
    assert await timers.next_due() is None  # no busy loop on it: it comes back after the lease
    assert await timers.recover_stuck(datetime.now(UTC) + timers.LEASE + timedelta(seconds=1)) == 1
    assert await timers.next_due() == past


async def test_a_handler_that_raises_is_logged_without_personal_data_and_retried_after_the_lease(
        db: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    (dossier,) = await due_dossiers("T.E", 1)
    calls: list[int] = []

    async def explode(_rt: Any, timer: dict[str, Any], now: datetime) -> None:
        calls.append(timer["id"])
        raise RuntimeError("Nguyễn Văn An, CCCD 001099000123")

    monkeypatch.setitem(rt().timer_kinds, "explodes", explode)
    past = datetime.now(UTC) - timedelta(seconds=2)
    bad = await Timer.create(dossier_id=dossier.id, task_id="", element_id="", kind="explodes", due_at=past)
    with caplog.at_level(logging.ERROR, logger="motcua.timers"):
        assert await timers.fire_due(rt(), datetime.now(UTC)) == 1  # the BPMN timer, due later, still fired
    assert calls == [bad.id]
    assert f"timer {bad.id} (kind explodes, dossier {dossier.id}) failed: RuntimeError at test_timers.py:" \
        in caplog.text
    assert "Nguyễn" not in caplog.text and "001099000123" not in caplog.text
    await bad.refresh_from_db()
    assert bad.state == "firing"
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 0  # not retried before the lease ends
    later = datetime.now(UTC) + timers.LEASE + timedelta(seconds=1)
    assert await timers.recover_stuck(later) == 1
    assert await timers.fire_due(rt(), later) == 0
    assert calls == [bad.id, bad.id]


async def test_a_conflict_puts_the_row_back_to_pending_and_a_handler_marks_it_fired(
        db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (dossier,) = await due_dossiers("T.K", 1)
    outcomes = [Conflict("changed"), None]

    async def flaky(_rt: Any, timer: dict[str, Any], now: datetime) -> None:
        outcome = outcomes.pop(0)
        if outcome is not None:
            raise outcome

    monkeypatch.setitem(rt().timer_kinds, "flaky", flaky)
    row = await Timer.create(dossier_id=dossier.id, task_id="", element_id="", kind="flaky",
                             due_at=datetime.now(UTC) + timedelta(hours=1))
    later = datetime.now(UTC) + timedelta(hours=2)
    await Timer.filter(dossier_id=dossier.id, kind="bpmn").update(state="cancelled")
    assert await timers.fire_due(rt(), later) == 0
    await row.refresh_from_db()
    assert (row.state, row.fired_at) == ("pending", None)
    assert await timers.fire_due(rt(), later) == 1
    await row.refresh_from_db()
    assert row.state == "fired" and row.fired_at is not None


async def test_a_dossier_changed_after_its_batch_was_read_goes_back_to_pending_and_fires_once_next_time(
        db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    (dossier,) = await due_dossiers("T.P", 1)
    read = rt().timer_prefetch
    assert read is not None

    async def read_then_someone_commits(ids: list[int]) -> Any:
        loaded = await read(ids)  # a command lands between the batch's read of the dossier and its fire
        await sql.fetch(sql.db(), "UPDATE dossier SET revision = revision + 1 WHERE id = ? RETURNING id", [dossier.id])
        return loaded

    monkeypatch.setattr(rt(), "timer_prefetch", read_then_someone_commits)
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 0
    assert await timer_states(dossier.id) == ["pending"] and await fired_audits(dossier.id) == 0
    monkeypatch.setattr(rt(), "timer_prefetch", read)
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 1
    assert await fired_audits(dossier.id) == 1 and await ready_tasks(dossier.id) == ["late0"]


async def test_two_kinds_due_on_one_dossier_in_one_batch_both_fire(db: Any) -> None:
    """Only the first of a dossier's rows gets the batch's read of it: the next one reads it after
    the first's commit (with the batch's read it would fail the revision check every time)."""
    (dossier,) = await due_dossiers("T.Q", 1)
    due = datetime.now(UTC) - timedelta(milliseconds=50)
    await Timer.create(dossier_id=dossier.id, task_id="", element_id="", kind="sla_overdue", due_at=due,
                       payload={"due_at": due.isoformat()})
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 2
    assert await fired_audits(dossier.id) == 1
    assert await AuditEvent.filter(dossier_id=dossier.id, action="overdue").count() == 1
    assert await timer_states(dossier.id) == ["fired", "fired"]


async def test_deliveries_wait_while_timers_fire_for_max_sweep_at_most(db: Any) -> None:
    await due_dossiers("T.O", 1, after="PT1H")  # its submit left outbox rows to deliver
    pending = await OutboxEvent.filter(state="pending").count()
    assert pending
    worker = TimerScheduler(rt())
    async with worker._lock:  # what a sweep holds while it fires timers
        await worker.deliver()
        assert await OutboxEvent.filter(state="pending").count() == pending
        worker._deferred_since = datetime.now(UTC) - scheduler.MAX_SWEEP  # they have waited long enough
        await worker.deliver()
        assert await OutboxEvent.filter(state="pending").count() == 0


async def test_a_wake_up_armed_while_a_sweep_runs_is_not_lost(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI failure of 03/12/2026: a wake-up armed during a sweep (the watch's read ending after the
    sweep began, a NOTIFY, the recovery job) came due while that sweep still ran; APScheduler skips a
    job whose previous run is still going and drops a date job it skipped, so no wake-up was left and
    every later timer waited for a restart. Here the sweep is made slow (a real fire, 0.6 s late)."""
    real = timers.fire_batch
    in_sweep = asyncio.Event()

    async def slow_fire_batch(*args: Any, **kwargs: Any) -> timers.Batch:
        in_sweep.set()
        await asyncio.sleep(0.6)
        return await real(*args, **kwargs)

    monkeypatch.setattr(timers, "fire_batch", slow_fire_batch)
    await publish("T.W", duration("PT0.2S"))
    worker = TimerScheduler(rt(), watch_seconds=0.3)
    worker.start()
    try:
        await asyncio.sleep(1.0)  # the start-up sweep (nothing due) is over
        in_sweep.clear()
        first = await dossiers.submit(rt(), "T.W", {}, now=datetime.now(UTC))
        await asyncio.wait_for(in_sweep.wait(), 5)  # the sweep that fires `first`, and nothing after it
        worker._wake(datetime.now(UTC))  # what the watch, a notification or the recovery does mid-sweep
        await asyncio.sleep(1.0)  # it comes due while the sweep still runs; then the sweep ends
        second = await dossiers.submit(rt(), "T.W", {}, now=datetime.now(UTC))
        for _ in range(100):  # 5 s: `second` is due in 0.2 s; the watch runs every 0.3 s
            if await fired_audits(first.id) and await fired_audits(second.id):
                break
            await asyncio.sleep(0.05)
        assert await timer_states(first.id) == ["fired"]
        assert await timer_states(second.id) == ["fired"]
    finally:
        await worker.aclose()


# ------------------------------------------------------------------ expression functions
def test_working_hours_and_days_skip_lunch_nights_and_weekends(national_calendar: Calendar) -> None:
    assert add_working_hours("2026-03-02T08:00:00+07:00", 1) == "2026-03-02T09:00:00+07:00"
    assert add_working_hours("2026-03-02T01:00:00Z", 1) == "2026-03-02T09:00:00+07:00"
    assert add_working_hours("2026-03-02T08:00:00", 1) == "2026-03-02T09:00:00+07:00"  # naive = local time
    assert add_working_hours("2026-03-02T11:00:00+07:00", 1) == "2026-03-02T14:00:00+07:00"
    assert add_working_hours("2026-03-06T16:30:00+07:00", 1.5) == "2026-03-09T08:00:00+07:00"
    assert add_working_days("2026-03-06", 1) == "2026-03-06T17:00:00+07:00"  # a date: from its start
    assert add_working_days("2026-03-06T08:00:00+07:00", 1) == "2026-03-09T08:00:00+07:00"
    assert add_working_days("2026-03-06T08:00:00+07:00", 0.5) == "2026-03-06T14:00:00+07:00"
    assert working_days_between("2026-03-06T08:00:00+07:00", "2026-03-09T08:00:00+07:00") == 1.0
    assert working_days_between("2026-03-09", "2026-03-06") == -1.0


def test_expression_functions_refuse_what_is_not_a_date_text_or_a_number(national_calendar: Calendar) -> None:
    with pytest.raises(TypeError):
        add_working_days(20260302, 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_hours("2026-03-02", "1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        add_working_hours("2026-03-02", True)
    with pytest.raises(ValueError):
        add_working_days("2026-03-02", -1)
    with pytest.raises(ValueError):
        working_days_between("hôm qua", "2026-03-02")


async def test_a_timer_date_computed_with_add_working_hours_is_armed_from_submitted_data(
        db: Any, national_calendar: Calendar) -> None:
    await publish("T.WH", "<bpmn:timeDate>add_working_hours(received_at, 1)</bpmn:timeDate>")
    dossier = await dossiers.submit(rt(), "T.WH", {"received_at": "2027-03-05T16:30:00+07:00"}, now=datetime.now(UTC))
    timer = await Timer.get(dossier_id=dossier.id, state="pending")
    assert timer.due_at == datetime(2027, 3, 8, 7, 30, tzinfo=rt().calendar.tz)  # Friday → Monday
    assert await timers.next_due() == timer.due_at


async def test_a_working_hours_timer_fires_through_fire_due(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    around_the_clock = Calendar(sessions=((time(0, 0), time(23, 59, 59, 999999)),), country=None,
                                weekend=frozenset())
    monkeypatch.setattr(rt().calendars, "value", around_the_clock)
    await publish("T.WF", "<bpmn:timeDate>add_working_hours(received_at, 0.0001)</bpmn:timeDate>")  # 0.36 s
    dossier = await dossiers.submit(rt(), "T.WF", {"received_at": datetime.now(UTC).isoformat()}, now=datetime.now(UTC))
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 0
    await asyncio.sleep(0.5)
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 1
    assert await fired_audits(dossier.id) == 1
    assert await ready_tasks(dossier.id) == ["late0"]
