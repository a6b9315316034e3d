"""Dossier commands: one transaction each, revision-checked, projections equal to the state."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from engine import dossiers
from engine.errors import Conflict
from engine.models import AuditEvent, Dossier, HumanTask
from tests.factories import APPLICATIONS, HAPPY_PATH, publish_shipped, rt, token

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def _submit(users: dict, slug: str = "birth-registration", key: str | None = None) -> Dossier:
    await publish_shipped(slug)
    code = {"birth-registration": "1.001193", "household-business": "2.000720"}[slug]
    return await dossiers.submit(rt(), code, APPLICATIONS[slug], now=NOW, user=users["citizen"], idempotency_key=key)


async def test_fifty_concurrent_completions_of_one_task_give_one_success_and_49_conflicts(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier = await _submit(users)
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    headers = await token(client, "officer")
    body = {"data": {"intake_decision": "accept"}}
    responses = await asyncio.gather(*[
        client.post(f"/api/v1/tasks/{task.id}/complete", headers=headers, json=body) for _ in range(50)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1 and statuses.count(409) == 49, statuses
    assert all(r.json()["error"]["code"] == "conflict" for r in responses if r.status_code == 409)
    dossier = await Dossier.get(id=dossier.id)
    assert dossier.revision == 2
    completions = await AuditEvent.filter(dossier_id=dossier.id, action="task_completed").count()
    assert completions == 1
    assert await dossiers.stored_projections(rt(), dossier.code) == await dossiers.rebuild_projections(rt(),
                                                                                                       dossier.code)
    ready = await HumanTask.filter(dossier_id=dossier.id, state="ready")
    assert [t.element_id for t in ready] == ["appraisal"]


async def test_a_crash_before_commit_leaves_the_previous_state_intact(
        users: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = await _submit(users)
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    state_before = dossier.state

    from tortoise.exceptions import IntegrityError

    from engine.dossiers import onetrip, store

    real_writes = store.writes

    def crashing(*args: object, **kwargs: object) -> list[onetrip.Write]:
        # the last write of the commit fails in the database (NOT NULL): projections are written by
        # then on SQLite's path, and on PostgreSQL's one statement they are earlier sub-statements
        failing = onetrip.Insert("audit_event", [{"dossier_id": dossier.id, "at": NOW, "actor": "x",
                                                  "action": None, "revision": 2, "data_diff": "{}",
                                                  "details": "{}"}])
        return [*real_writes(*args, **kwargs), failing]  # type: ignore[arg-type]

    monkeypatch.setattr(store, "writes", crashing)
    with pytest.raises(IntegrityError):
        await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    monkeypatch.undo()
    dossier = await Dossier.get(id=dossier.id)
    assert (dossier.revision, dossier.state) == (1, state_before)
    assert [t.id for t in await HumanTask.filter(dossier_id=dossier.id, state="ready")] == [task.id]
    assert await HumanTask.filter(dossier_id=dossier.id).count() == 1
    # and the command still works afterwards
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    dossier = await Dossier.get(id=dossier.id)
    assert dossier.revision == 2


async def test_projections_rebuilt_from_state_equal_the_stored_ones_at_every_step(users: dict) -> None:
    for slug in ("birth-registration", "household-business"):
        dossier = await _submit(users, slug)
        for element_id, staff, data in HAPPY_PATH:
            assert await dossiers.stored_projections(rt(), dossier.code) == await dossiers.rebuild_projections(rt(),
                                                                                                               dossier.code)
            task = await HumanTask.get(dossier_id=dossier.id, state="ready")
            assert task.element_id == element_id
            dossier = await dossiers.complete_task(rt(), task.id, data, users[staff], NOW)
        assert dossier.status == "completed"
        assert await dossiers.stored_projections(rt(), dossier.code) == await dossiers.rebuild_projections(rt(),
                                                                                                           dossier.code)


async def test_completing_a_task_twice_is_a_conflict_not_a_second_step(users: dict) -> None:
    dossier = await _submit(users)
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    with pytest.raises(Conflict):
        await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)


async def test_a_claimed_task_cannot_be_completed_by_another_officer(users: dict) -> None:
    from engine import accounts

    other = await accounts.create_user("officer2", "correct-horse-battery", "staff", roles=["one_stop"])
    dossier = await _submit(users)
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.claim(rt(), task.id, users["officer"], NOW)
    with pytest.raises(Conflict):
        await dossiers.claim(rt(), task.id, other, NOW)
    with pytest.raises(Conflict):
        await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, other, NOW)
    await dossiers.release(rt(), task.id, users["officer"], NOW)
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, other, NOW)


async def test_concurrent_submissions_with_one_idempotency_key_create_one_dossier(users: dict) -> None:
    await publish_shipped("birth-registration")
    results = await asyncio.gather(*[
        dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"],
                        idempotency_key="same") for _ in range(10)])
    assert len({d.code for d in results}) == 1
    assert await Dossier.all().count() == 1


async def test_dossier_codes_are_unique_and_follow_agency_date_sequence(users: dict) -> None:
    await publish_shipped("birth-registration")
    made = await asyncio.gather(*[
        dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"],
                        agency_code="000.00.22.H40") for _ in range(12)])
    codes = sorted(d.code for d in made)
    assert codes == [f"000.00.22.H40-260302-{n:04d}" for n in range(1, 13)]


async def test_refusal_at_intake_ends_the_dossier_and_audits_every_step(users: dict) -> None:
    dossier = await _submit(users)
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    dossier = await dossiers.complete_task(rt(), task.id, {"intake_decision": "refuse", "intake_note": "Thiếu giấy"},
                                           users["officer"], NOW)
    assert dossier.status == "completed"
    events = await AuditEvent.filter(dossier_id=dossier.id).order_by("id")
    assert [e.action for e in events] == ["submitted", "task_opened", "attachments_added", "task_completed",
                                          "workflow_completed", "status_changed", "refused"]
    assert [e.revision for e in events] == [1, 1, 1, 2, 2, 2, 2]
    completed = events[3]
    assert completed.data_diff == {"intake_decision": "refuse", "intake_note": "Thiếu giấy"}
    assert events[5].details == {"from_status": 1, "to_status": 3, "command": "refuse", "override": False}
    assert events[6].details == {"reasons": ["Thiếu giấy"], "stage": "intake"}
    dossier = await Dossier.get(id=dossier.id)
    assert dossier.lifecycle_status == 3 and dossier.refusal["reasons"] == ["Thiếu giấy"]
    steps = completed.details["engine_steps"]
    assert "Gateway_intake" in steps and "EndEvent_intake_refused" in steps
