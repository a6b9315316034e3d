"""The legal clock's timers: due-soon and overdue marks, the apology task and its single
re-appointment, the auto-close of an unanswered supplement request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import dossiers, timers
from engine.dossier_lifecycle import Step
from engine.models import AuditEvent, Dossier, HumanTask, Timer
from tests.factories import accepted_household, rt

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local


async def _actions(dossier: Dossier) -> list[str]:
    return [e.action for e in await AuditEvent.filter(dossier_id=dossier.id).order_by("id")]


async def test_sla_timers_mark_due_soon_open_one_apology_task_and_mark_overdue(users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    stored = await Dossier.get(id=dossier.id)
    due = stored.due_adjusted_at
    assert due is not None
    # due = Thu 5 Mar 09:00 local; due-soon and the apology task 2 working days before (Tue 09:00),
    # so that the re-appointment can be made by Wed 09:00, 1 working day before (ND118 art. 19.6)
    assert await timers.fire_due(rt(), due - timedelta(days=2, seconds=-1)) == 2
    assert (await _actions(dossier))[-2:] == ["due_soon", "task_opened"]
    apology = await HumanTask.get(dossier_id=dossier.id, kind="apology", state="ready")
    assert apology.role == "specialist"
    # the engine-owned task is rebuilt from the events (opened, not yet completed)
    stored_now = await dossiers.stored_projections(rt(), dossier.code)
    assert stored_now["engine_tasks"] == [(apology.id, "apology")]
    assert stored_now == await dossiers.rebuild_projections(rt(), dossier.code)

    new_due = "2026-03-10T10:00:00+07:00"
    after = await dossiers.complete_task(rt(), apology.id, {"reason": "Chờ xác minh của cơ quan thuế",
                                                            "new_due_at": new_due}, users["specialist"],
                                         due - timedelta(days=1))  # the last instant allowed
    stored = await Dossier.get(id=after.id)
    assert stored.due_adjusted_at == datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
    assert stored.due_original_at == due and stored.extension["reason"] == "Chờ xác minh của cơ quan thuế"
    assert stored.extension["original_due_at"] == due.isoformat()
    assert (await HumanTask.get(id=apology.id)).state == "completed"
    assert (await dossiers.stored_projections(rt(), dossier.code))["engine_tasks"] == []
    assert await dossiers.stored_projections(rt(), dossier.code) == await dossiers.rebuild_projections(
        rt(), dossier.code)
    overdue = await Timer.get(dossier_id=dossier.id, state="pending", kind="sla_overdue")
    assert overdue.due_at == stored.due_adjusted_at
    assert await timers.fire_due(rt(), due + timedelta(seconds=1)) == 0  # the old due no longer counts
    assert await timers.fire_due(rt(), stored.due_adjusted_at + timedelta(seconds=1)) == 1
    assert (await _actions(dossier))[-1] == "overdue"
    assert not await Timer.filter(dossier_id=dossier.id, state="pending").exclude(kind="bpmn").exists()


async def test_a_second_reappointment_is_refused(users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    stored = await Dossier.get(id=dossier.id)
    in_time = stored.due_adjusted_at - timedelta(days=1, hours=1)  # Wed 08:00 local, before the limit
    await timers.fire_due(rt(), in_time)
    apology = await HumanTask.get(dossier_id=dossier.id, kind="apology", state="ready")
    await dossiers.complete_task(rt(), apology.id, {"reason": "Lý do", "new_due_at": "2026-03-10"},
                                 users["specialist"], in_time)
    from engine.errors import Conflict

    with pytest.raises(Conflict) as refused:  # the single re-appointment of ND118 art. 19.6 is used up
        await dossiers.engine_step(rt(), dossier.id, Step("extend", new_due_at=datetime(2026, 3, 20, tzinfo=UTC),
                                                          note="again"), in_time)
    assert refused.value.params["rule"] == "one_extension"


async def test_an_unanswered_supplement_request_closes_the_dossier_after_15_days(users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await dossiers.step(rt(), dossier.code, Step("request_supplement", reasons=("Thiếu giấy tờ",)),
                                  users["specialist"], ACCEPTED + timedelta(hours=1))
    close = await Timer.get(dossier_id=dossier.id, kind="auto_close", state="pending")
    assert await timers.fire_due(rt(), close.due_at - timedelta(minutes=1)) == 0
    assert await timers.fire_due(rt(), close.due_at + timedelta(seconds=1)) == 1
    stored = await Dossier.get(id=dossier.id)
    assert stored.lifecycle_status == 8 and stored.status == "cancelled"
    assert not await HumanTask.filter(dossier_id=dossier.id, state="ready").exists()
    assert (await _actions(dossier))[-2:] == ["status_changed", "stopped"]
