"""The Decree 118 lifecycle through the API: acceptance starts the legal clock, one supplement
request (a second needs a manager's override and is flagged), withdrawal, re-appointment once."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from engine import accounts
from engine.models import Dossier, DossierResult, HumanTask, Timer
from tests.factories import APPLICATIONS, CODES, publish_shipped, token

# Thu 12 Feb 2026 09:00 local (02:00 UTC): Tết 2026 is Mon 16 – Fri 20 Feb
ACCEPTED_AT = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)


@pytest.fixture
async def household(client: httpx.AsyncClient, users: dict) -> tuple[str, dict]:
    """A household-business dossier (3 working days) just accepted at ACCEPTED_AT."""
    await publish_shipped("household-business")
    client._transport.app.state.clock = lambda: ACCEPTED_AT  # type: ignore[attr-defined]
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201, r.text
    assert r.json()["lifecycle"]["code"] == 1
    officer = await token(client, "officer")
    task = r.json()["tasks"][0]["id"]
    r = await client.post(f"/api/v1/tasks/{task}/complete", headers=officer,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 200, r.text
    return r.json()["code"], officer


async def test_acceptance_starts_the_clock_and_the_due_date_skips_tet(
        client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    code, officer = household
    body = (await client.get(f"/api/v1/dossiers/{code}", headers=officer)).json()
    lifecycle = body["lifecycle"]
    assert lifecycle["code"] == 4  # accepted (2), then routed at once (4)
    assert lifecycle["accepted_at"] == "2026-02-12T02:00:00+00:00"
    # 3 working days = 24 working hours (sessions 07:00–11:30, 13:30–17:00): Thu 12 from 09:00 = 6 h,
    # Fri 13 = 8 h, Tết week 16–20 Feb skipped, Mon 23 = 8 h, 2 h on Tue 24 → 09:00 local = 02:00 UTC
    assert lifecycle["due_at"] == lifecycle["due_original_at"] == "2026-02-24T02:00:00+00:00"
    kinds = [e["kind"] for e in body["history"]]
    assert kinds == ["submitted", "task_opened", "task_completed", "task_opened", "status_changed", "accepted",
                     "status_changed"]  # 1 → 2 (accepted, due), then 2 → 4 (routed at once)
    accepted = next(e for e in body["history"] if e["kind"] == "accepted")
    assert accepted["details"]["due_at"] == "2026-02-24T02:00:00+00:00"
    dossier = await Dossier.get(code=code)
    kinds = sorted(t.kind for t in await Timer.filter(dossier_id=dossier.id, state="pending"))
    assert kinds == ["sla_apology", "sla_due_soon", "sla_overdue"]
    appraisal = await HumanTask.get(dossier_id=dossier.id, state="ready")
    # step budget 1.5 working days = 12 h from Thu 12 Feb 09:00: 6 h Thu, 4.5 h Fri morning, 1.5 h from
    # 13:30 → Fri 13 Feb 15:00 local = 08:00 UTC
    assert appraisal.element_id == "appraisal" and appraisal.due_at == datetime(2026, 2, 13, 8, 0, tzinfo=UTC)


async def test_only_one_supplement_request_unless_a_manager_overrides(
        client: httpx.AsyncClient, household: tuple[str, dict], users: dict) -> None:
    code, officer = household
    specialist = await token(client, "specialist")
    r = await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=specialist,
                          json={"reasons": ["Thiếu biên bản họp nhóm"]})
    assert r.status_code == 200, r.text
    assert r.json()["lifecycle"]["code"] == 5 and r.json()["lifecycle"]["due_at"] is not None
    dossier = await Dossier.get(code=code)
    pending = {t.kind for t in await Timer.filter(dossier_id=dossier.id, state="pending")}
    assert pending == {"auto_close"}  # the SLA timers stop while the citizen completes the dossier
    r = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 4
    again = await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=specialist,
                              json={"reasons": ["Thiếu thêm giấy tờ"]})
    assert again.status_code == 409 and again.json()["error"]["details"]["rule"] == "one_supplement_request"
    denied = await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=specialist,
                               json={"reasons": ["x"], "override": True})
    assert denied.status_code == 403
    await accounts.create_user("manager", "correct-horse-battery", "manager", roles=["specialist"])
    r = await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=await token(client, "manager"),
                          json={"reasons": ["Thiếu thêm giấy tờ"], "override": True})
    assert r.status_code == 200
    assert r.json()["lifecycle"]["supplement_requests"] == 2 and r.json()["lifecycle"]["supplement_overridden"]
    assert r.json()["lifecycle"]["late_reason"] == "second_supplement_request"  # the KPI counts it late


async def test_supplement_restarts_the_legal_clock(client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    code, officer = household
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.clock = lambda: datetime(2026, 2, 13, 2, 0, tzinfo=UTC)  # Fri 13 Feb 09:00 local
    await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=await token(client, "specialist"),
                      json={"reasons": ["Thiếu giấy tờ"]})
    app.state.clock = lambda: datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 Mar 08:00 local
    expired = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    assert expired.status_code == 401  # tokens live MOTCUA_TOKEN_TTL_HOURS (1 h in tests)
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    lifecycle = r.json()["lifecycle"]
    # full 3 working days again from Mon 2 Mar 08:00 → Thu 5 Mar 08:00 local; the original is kept
    assert lifecycle["due_at"] == "2026-03-05T01:00:00+00:00"
    assert lifecycle["due_original_at"] == "2026-02-24T02:00:00+00:00"
    assert lifecycle["pauses"][0]["reason"] == "supplement" and lifecycle["pauses"][0]["end_at"]


async def test_citizen_withdraws_and_the_workflow_is_cancelled(
        client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    code, _officer = household
    other = await client.post(f"/api/v1/dossiers/{code}/withdraw", headers=await token(client, "citizen2"), json={})
    assert other.status_code == 404
    r = await client.post(f"/api/v1/dossiers/{code}/withdraw", headers=await token(client, "citizen"), json={})
    assert r.status_code == 200, r.text
    assert r.json()["lifecycle"]["code"] == 7 and r.json()["status"] == "cancelled" and r.json()["tasks"] == []
    dossier = await Dossier.get(code=code)
    assert not await HumanTask.filter(dossier_id=dossier.id, state="ready").exists()
    assert not await Timer.filter(dossier_id=dossier.id, state="pending").exists()


async def test_refusal_needs_reasons_and_a_step_not_allowed_is_a_conflict(
        client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    code, officer = household
    specialist = await token(client, "specialist")  # appraisal is the current step: the specialist's
    r = await client.post(f"/api/v1/dossiers/{code}/refuse", headers=specialist, json={"reasons": ["  "]})
    assert r.status_code == 422 and "reasons" in r.json()["error"]["details"]["fields"]
    r = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    assert r.status_code == 409  # no supplement was requested
    r = await client.post(f"/api/v1/dossiers/{code}/finish", headers=officer, json={})
    assert r.status_code == 403  # the leader finishes


async def test_a_lifecycle_step_belongs_to_the_role_of_the_current_step(
        client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    """A leader cannot finish and the officer cannot return the result while appraisal is open."""
    code, officer = household
    leader = await token(client, "leader")
    r = await client.post(f"/api/v1/dossiers/{code}/finish", headers=leader, json={})
    assert r.status_code == 403 and r.json()["error"]["details"]["rule"] == "not_your_step"
    r = await client.post(f"/api/v1/dossiers/{code}/return-result", headers=officer, json={})
    assert r.status_code == 403 and r.json()["error"]["details"]["rule"] == "not_your_step"
    body = (await client.get(f"/api/v1/dossiers/{code}", headers=officer)).json()
    assert body["lifecycle"]["code"] == 4 and [t["element_id"] for t in body["tasks"]] == ["appraisal"]


async def test_a_decision_of_an_open_task_is_taken_by_completing_the_task(
        client: httpx.AsyncClient, users: dict) -> None:
    """At intake the intake task decides: a specialist cannot refuse, and the officer is sent to the task."""
    await publish_shipped("household-business")
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    code, task = r.json()["code"], r.json()["tasks"][0]["id"]
    specialist = await token(client, "specialist")
    r = await client.post(f"/api/v1/dossiers/{code}/refuse", headers=specialist, json={"reasons": ["Sai"]})
    assert r.status_code == 409 and r.json()["error"]["details"]["rule"] == "use_task"
    r = await client.post(f"/api/v1/dossiers/{code}/accept", headers=await token(client, "officer"), json={})
    assert r.status_code == 409 and r.json()["error"]["details"]["task_id"] == task
    assert (await Dossier.get(code=code)).lifecycle_status == 1


async def test_full_happy_path_ends_with_result_returned(
        client: httpx.AsyncClient, household: tuple[str, dict]) -> None:
    code, _ = household
    for element_id, staff, data in [
        ("appraisal", "specialist", {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}),
        ("approval", "leader", {"approval_decision": "sign"}),
        ("return_result", "officer", {"returned_via": "counter", "result_handed_over": True}),
    ]:
        headers = await token(client, staff)
        task = next(t for t in (await client.get("/api/v1/tasks", headers=headers)).json()["items"]
                    if t["dossier"] == code)
        assert task["element_id"] == element_id
        r = await client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers, json={"data": data})
        assert r.status_code == 200, r.text
    body = r.json()
    assert body["lifecycle"]["code"] == 10 and body["status"] == "completed"
    assert body["lifecycle"]["result_at"] and body["lifecycle"]["returned_at"]
    dossier = await Dossier.get(code=code)
    verdicts = {t.element_id: t.verdict for t in await HumanTask.filter(dossier_id=dossier.id)}
    assert verdicts["intake"] == "on_time" or verdicts["intake"] == "early"
    assert set(verdicts.values()) <= {"early", "on_time", "late"}
    assert not await Timer.filter(dossier_id=dossier.id, state="pending").exists()
    # the result record: granted, issued when processing finished, returned over the counter (paper)
    result = await DossierResult.get(dossier_id=dossier.id)
    assert (result.outcome, result.channel) == ("granted", "paper") and result.returned_at is not None
    history = (await client.get(f"/api/v1/dossiers/{code}", headers=headers)).json()["history"]
    assert [e["details"]["channel"] for e in history if e["kind"] == "returned"] == ["paper"]
