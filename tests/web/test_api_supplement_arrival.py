"""Waiting for the citizen, through the API and the citizen's page (ND118 art. 19.5):

* workflow tasks are held while the dossier waits (status 5/6), and the inbox says so;
* the citizen's online upload is the supplement's arrival: the 15-day auto-close stops, and when
  the one-stop officer confirms it complete the clock restarts from the arrival, not from the
  confirmation;
* the officer can return an online supplement as still incomplete: the dossier keeps waiting and
  the 15 days count again from that notice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from engine import sla
from engine.models import Dossier, DossierPause, Timer
from tests.factories import api_accepted_household, page_csrf, page_login, rt, token

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local


def _clock(client: httpx.AsyncClient, at: datetime) -> None:
    client._transport.app.state.clock = lambda: at  # type: ignore[attr-defined]


async def _requested(client: httpx.AsyncClient) -> tuple[str, dict[str, str], dict[str, str]]:
    code, officer = await api_accepted_household(client, ACCEPTED)
    _clock(client, ACCEPTED + timedelta(hours=2))
    specialist = await token(client, "specialist")
    r = await client.post(f"/api/v1/dossiers/{code}/request-supplement", headers=specialist,
                          json={"reasons": ["Thiếu biên bản họp nhóm"]})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 5, r.text
    return code, officer, specialist


async def _upload(client: httpx.AsyncClient, code: str, at: datetime) -> None:
    _clock(client, at)
    await page_login(client, "citizen")
    csrf = await page_csrf(client, f"/tra-cuu/{code}")
    r = await client.post(f"/tra-cuu/{code}/bo-sung", data={"csrf_token": csrf, "note": "Đã bổ sung"},
                          files={"files": ("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")})
    assert r.status_code == 303 and r.headers["location"].endswith("supplement=sent"), r.text


async def test_tasks_are_held_while_the_dossier_waits_for_the_citizen(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _officer, specialist = await _requested(client)
    items = (await client.get("/api/v1/tasks", headers=specialist)).json()["items"]
    [appraisal] = [t for t in items if t["dossier"] == code]
    _clock(client, ACCEPTED + timedelta(days=10))  # long past the step's own budget
    specialist = await token(client, "specialist")  # tokens live 1 h on the app's clock
    items = (await client.get("/api/v1/tasks?overdue=1", headers=specialist)).json()["items"]
    assert [t for t in items if t["dossier"] == code] == []  # waiting, not overdue
    items = (await client.get("/api/v1/tasks", headers=specialist)).json()["items"]
    [held] = [t for t in items if t["dossier"] == code]
    assert held["waiting"] is True and held["overdue"] is False
    r = await client.post(f"/api/v1/tasks/{appraisal['id']}/complete", headers=specialist,
                          json={"data": {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}})
    assert r.status_code == 409 and r.json()["error"]["details"]["rule"] == "waiting_for_citizen"


async def test_an_online_upload_is_the_arrival_and_the_clock_restarts_from_it(
        client: httpx.AsyncClient, users: dict) -> None:
    code, officer, _specialist = await _requested(client)
    dossier = await Dossier.get(code=code)
    assert await Timer.filter(dossier_id=dossier.id, kind="auto_close", state="pending").exists()
    arrival = ACCEPTED + timedelta(days=1, hours=1)  # Tue 3 Mar 10:00 local
    await _upload(client, code, arrival)
    assert not await Timer.filter(dossier_id=dossier.id, kind="auto_close", state="pending").exists()
    confirmed = ACCEPTED + timedelta(days=3)  # the officer confirms on Thu
    _clock(client, confirmed)
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 4, r.text
    stored = await Dossier.get(code=code)
    # the legal time is recounted from zero at the arrival (3 working days), not at the confirmation
    assert stored.due_adjusted_at == sla.due_at(arrival, 3, "working_days", rt().calendar)
    [pause] = await DossierPause.filter(dossier_id=stored.id)
    assert pause.end_at == arrival and stored.pauses[0]["end_at"] == arrival.isoformat()


async def test_an_incomplete_online_supplement_is_returned_and_the_fifteen_days_count_again(
        client: httpx.AsyncClient, users: dict) -> None:
    code, officer, _specialist = await _requested(client)
    _clock(client, ACCEPTED + timedelta(hours=3))
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/dossiers/{code}/return-supplement", headers=officer,
                          json={"reasons": ["x"]})
    assert r.status_code == 409  # nothing has arrived yet
    await _upload(client, code, ACCEPTED + timedelta(days=1))
    returned_at = ACCEPTED + timedelta(days=2)
    _clock(client, returned_at)
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/dossiers/{code}/return-supplement", headers=officer, json={"reasons": []})
    assert r.status_code == 422
    r = await client.post(f"/api/v1/dossiers/{code}/return-supplement", headers=officer,
                          json={"reasons": ["Biên bản chưa có chữ ký"]})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 5, r.text
    dossier = await Dossier.get(code=code)
    close = await Timer.get(dossier_id=dossier.id, kind="auto_close", state="pending")
    assert close.due_at == sla.due_at(returned_at, 15, "calendar_days", rt().calendar)
    history = (await client.get(f"/api/v1/dossiers/{code}", headers=officer)).json()["history"]
    assert [e["details"] for e in history if e["kind"] == "supplement_returned"] == [
        {"reasons": ["Biên bản chưa có chữ ký"]}]


async def test_a_withdrawal_while_waiting_for_the_supplement_ends_the_pause(
        client: httpx.AsyncClient, users: dict) -> None:
    """Found by the state-machine test: the wait for the citizen ends with the dossier."""
    code, officer, _specialist = await _requested(client)
    withdrawn_at = ACCEPTED + timedelta(days=1)
    _clock(client, withdrawn_at)
    r = await client.post(f"/api/v1/dossiers/{code}/withdraw", headers=await token(client, "officer"), json={})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 7, r.text
    stored = await Dossier.get(code=code)
    [pause] = await DossierPause.filter(dossier_id=stored.id)
    assert pause.end_at == withdrawn_at and stored.pauses[0]["end_at"] == withdrawn_at.isoformat()


async def test_a_supplement_at_intake_is_the_intake_tasks_decision_and_intake_resumes_after_it(
        client: httpx.AsyncClient, users: dict) -> None:
    """One path for the model and the API: the intake task asks for the supplement (Form 02, no clock),
    its next round is held while the citizen completes the dossier, then accepts it."""
    from tests.factories import APPLICATIONS, CODES, publish_shipped

    await publish_shipped("household-business")
    _clock(client, ACCEPTED)
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    code, intake = r.json()["code"], r.json()["tasks"][0]
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/tasks/{intake['id']}/complete", headers=officer,
                          json={"data": {"intake_decision": "supplement", "intake_note": "Thiếu hợp đồng thuê"}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lifecycle"]["code"] == 5 and body["lifecycle"]["due_at"] is None  # no receipt, no clock
    [again] = body["tasks"]
    assert again["element_id"] == "intake" and again["id"] != intake["id"]
    held = await client.post(f"/api/v1/tasks/{again['id']}/complete", headers=officer,
                             json={"data": {"intake_decision": "accept"}})
    assert held.status_code == 409 and held.json()["error"]["details"]["rule"] == "waiting_for_citizen"
    _clock(client, ACCEPTED + timedelta(days=1))
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=officer, json={})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 1, r.text  # back to the intake check
    r = await client.post(f"/api/v1/tasks/{again['id']}/complete", headers=officer,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 200 and r.json()["lifecycle"]["code"] == 4, r.text
    assert r.json()["lifecycle"]["accepted_at"] == (ACCEPTED + timedelta(days=1)).isoformat()
    history = (await client.get(f"/api/v1/dossiers/{code}", headers=officer)).json()["history"]
    requested = [e for e in history if e["kind"] == "supplement_requested"]
    assert requested[0]["details"]["at_intake"] is True and requested[0]["details"]["what"] == ["Thiếu hợp đồng thuê"]
