"""Legal-clock defects found in review, reproduced through the API: pause ends are saved,
the supplement window (ND118 art. 19.5), the apology limit (art. 19.6), the version's time limit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from engine import accounts, timers, versions
from engine.models import Dossier, Timer
from engine.settings import Settings
from tests.factories import (
    APPLICATIONS,
    CODES,
    PASSWORD,
    PROCEDURES,
    api_accepted_household,
    page_login,
    publish_shipped,
    rt,
    token,
)
from web.app import create_app

# Thu 12 Feb 2026 09:00 local: 3 working days, Tết 16–20 Feb → due Tue 24 Feb 09:00 local
ACCEPTED_AT = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
SLA_KINDS = {"sla_due_soon", "sla_apology", "sla_overdue"}


def _clock(client: httpx.AsyncClient, at: datetime) -> None:
    client._transport.app.state.clock = lambda: at  # type: ignore[attr-defined]


async def _step(client: httpx.AsyncClient, code: str, command: str, user: str, at: datetime,
                **body: object) -> httpx.Response:
    """POST a lifecycle step at `at` with a fresh token (tokens live 1 h in tests)."""
    _clock(client, at)
    r = await client.post(f"/api/v1/dossiers/{code}/{command}", headers=await token(client, user), json=body)
    return r


async def _stored(client: httpx.AsyncClient, code: str) -> dict:
    """The dossier's lifecycle as read back from the database (not the command's own answer)."""
    r = await client.get(f"/api/v1/dossiers/{code}", headers=await token(client, "officer"))
    assert r.status_code == 200, r.text
    return r.json()["lifecycle"]


async def _pending_kinds(code: str) -> set[str]:
    dossier = await Dossier.get(code=code)
    return {t.kind for t in await Timer.filter(dossier_id=dossier.id, state="pending")}


async def test_received_supplement_saves_the_end_of_its_pause(client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    r = await _step(client, code, "request-supplement", "specialist", datetime(2026, 2, 13, 2, 0, tzinfo=UTC),
                    reasons=["Thiếu biên bản họp"])
    assert r.status_code == 200, r.text
    received = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 Mar 08:00 local
    r = await _step(client, code, "receive-supplement", "officer", received)
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert [(p["reason"], p["end_at"]) for p in lifecycle["pauses"]] == [("supplement", received.isoformat())]
    assert lifecycle["due_at"] == "2026-03-05T01:00:00+00:00"  # recounted: 3 working days from Mon 08:00


async def test_fulfilled_financial_obligation_saves_the_end_of_its_pause(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    asked = datetime(2026, 2, 12, 3, 0, tzinfo=UTC)  # Thu 10:00 local
    assert (await _step(client, code, "request-financial-obligation", "specialist", asked)).status_code == 200
    paid = datetime(2026, 2, 12, 7, 0, tzinfo=UTC)  # Thu 14:00 local: 1.5 h + 0.5 h of working time later
    r = await _step(client, code, "fulfil-financial-obligation", "officer", paid)
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert [(p["reason"], p["end_at"]) for p in lifecycle["pauses"]] == [("financial_obligation", paid.isoformat())]
    # Tue 24 Feb 09:00 pushed by the 2 working hours waited → 11:00 local
    assert lifecycle["due_at"] == "2026-02-24T04:00:00+00:00"
    assert await _pending_kinds(code) == SLA_KINDS


async def test_supplement_after_a_financial_pause_recounts_the_due_and_rearms_the_sla_timers(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    for command, user, at in [
        ("request-financial-obligation", "specialist", datetime(2026, 2, 12, 3, 0, tzinfo=UTC)),
        ("fulfil-financial-obligation", "officer", datetime(2026, 2, 12, 7, 0, tzinfo=UTC)),
        ("request-supplement", "specialist", datetime(2026, 2, 13, 2, 0, tzinfo=UTC)),
        ("receive-supplement", "officer", datetime(2026, 3, 2, 1, 0, tzinfo=UTC)),
    ]:
        r = await _step(client, code, command, user, at, reasons=["Thiếu giấy tờ"])
        assert r.status_code == 200, (command, r.text)
    lifecycle = await _stored(client, code)
    assert lifecycle["code"] == 4
    assert all(p["end_at"] for p in lifecycle["pauses"]), lifecycle["pauses"]
    # the supplement restarts the clock from Mon 2 Mar 08:00 local: due Thu 5 Mar 08:00 local
    assert lifecycle["due_at"] == "2026-03-05T01:00:00+00:00"
    assert await _pending_kinds(code) == SLA_KINDS


async def _publish_household(client: httpx.AsyncClient, admin: dict, xml: bytes) -> httpx.Response:
    folder = PROCEDURES / "household-business"
    files = [("bpmn", ("model.bpmn", xml, "application/xml"))]
    files += [("forms", (p.name, p.read_bytes(), "application/json"))
              for p in sorted((folder / "forms").glob("*.form.json"))]
    return await client.post(f"/api/v1/procedures/{CODES['household-business']}/versions", headers=admin,
                             files=files)


async def test_a_dossier_keeps_the_time_limit_of_the_version_it_was_received_under(
        client: httpx.AsyncClient, users: dict) -> None:
    admin = await token(client, "admin")
    procedure = {"code": CODES["household-business"], "name": "Đăng ký hộ kinh doanh", "time_unit": "working_days"}
    assert (await client.post("/api/v1/procedures", headers=admin,
                              json={**procedure, "time_limit": 3})).status_code == 201
    xml = (PROCEDURES / "household-business" / "model.bpmn").read_bytes()
    assert (r := await _publish_household(client, admin, xml)).status_code == 201 and r.json()["number"] == 1
    citizen = await token(client, "citizen")
    _clock(client, ACCEPTED_AT)
    r = await client.post("/api/v1/dossiers", headers=citizen,
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201 and r.json()["version"] == 1
    v1_code, v1_intake = r.json()["code"], r.json()["tasks"][0]["id"]
    # the procedure's limit changes, and a new model is published under it as v2
    assert (await client.post("/api/v1/procedures", headers=admin,
                              json={**procedure, "time_limit": 10})).status_code == 200
    xml2 = xml + b"\n"
    assert (r := await _publish_household(client, admin, xml2)).status_code == 201 and r.json()["number"] == 2
    versions._versions.clear()  # another web process, or a restart: nothing cached from before the change
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/tasks/{v1_intake}/complete", headers=officer,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 200, r.text
    # v1's 3 working days from Thu 12 Feb 09:00 (Tết 16–20 Feb skipped) → Tue 24 Feb 09:00 local
    assert r.json()["lifecycle"]["due_at"] == "2026-02-24T02:00:00+00:00"
    assert (await _stored(client, v1_code))["due_at"] == "2026-02-24T02:00:00+00:00"
    # a dossier received under v2 gets v2's 10 working days: Thu 12 Feb 09:00 → Thu 5 Mar 09:00 local
    r = await client.post("/api/v1/dossiers", headers=citizen,
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.json()["version"] == 2
    r = await client.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete", headers=officer,
                          json={"data": {"intake_decision": "accept"}})
    assert r.json()["lifecycle"]["due_at"] == "2026-03-05T02:00:00+00:00"



async def test_republishing_the_same_model_under_a_new_time_limit_makes_a_new_version(
        client: httpx.AsyncClient, users: dict) -> None:
    admin = await token(client, "admin")
    procedure = {"code": CODES["household-business"], "name": "Đăng ký hộ kinh doanh", "time_unit": "working_days"}
    await client.post("/api/v1/procedures", headers=admin, json={**procedure, "time_limit": 3})
    xml = (PROCEDURES / "household-business" / "model.bpmn").read_bytes()
    first = (await _publish_household(client, admin, xml)).json()
    assert first["number"] == 1
    assert (await _publish_household(client, admin, xml)).json()["number"] == 1  # same bytes, same limit
    await client.post("/api/v1/procedures", headers=admin, json={**procedure, "time_limit": 5})
    second = (await _publish_household(client, admin, xml)).json()
    assert second["number"] == 2 and second["time_limit"] == 5
    # the version cache is keyed by (id, digest), and ids repeat across databases: the digest must
    # tell the limits apart, or another database's v1 would lend this one its limit
    assert second["digest"] != first["digest"]
    r = await client.get("/api/v1/calendar/due", params={"procedure": CODES["household-business"],
                                                          "accepted_at": "2026-03-02T08:00:00+07:00"})
    assert r.json()["time_limit"] == 5 and r.json()["due_local"] == "08:00 09/03/2026"


async def test_supplement_request_on_the_third_working_day_after_receipt_is_on_time(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    # Thu 12 Feb 09:00 + 3 working days (Tết skipped) runs out on Tue 24 Feb: asking at 16:30 is in time
    r = await _step(client, code, "request-supplement", "specialist", datetime(2026, 2, 24, 9, 30, tzinfo=UTC),
                    reasons=["Thiếu biên bản họp"])
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert lifecycle["code"] == 5 and lifecycle["late_flag"] is False and lifecycle["late_reason"] is None


async def test_late_supplement_request_is_refused_unless_a_manager_overrides_and_then_counts_late(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    late = datetime(2026, 2, 25, 1, 0, tzinfo=UTC)  # Wed 25 Feb 08:00 local: the window closed Tue 17:00
    r = await _step(client, code, "request-supplement", "specialist", late, reasons=["Thiếu biên bản họp"])
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict"
    assert error["details"]["rule"] == "supplement_window"
    assert error["details"]["window_end_at"] == "2026-02-24T10:00:00+00:00"
    r = await _step(client, code, "request-supplement", "specialist", late, reasons=["x"], override=True)
    assert r.status_code == 403  # only a manager overrides
    assert (await _stored(client, code))["code"] == 4
    await accounts.create_user("manager", PASSWORD, "manager", roles=["specialist"])
    r = await _step(client, code, "request-supplement", "manager", late, reasons=["Thiếu biên bản họp"],
                    override=True)
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert lifecycle["code"] == 5 and lifecycle["supplement_requests"] == 1
    assert lifecycle["late_flag"] is True and lifecycle["late_reason"] == "supplement_after_window"
    history = (await client.get(f"/api/v1/dossiers/{code}", headers=await token(client, "officer"))).json()["history"]
    requested = [e for e in history if e["kind"] == "supplement_requested"]
    assert requested[-1]["details"]["late"] is True


# Mon 2 Mar 2026 09:00 local: 3 working days → due Thu 5 Mar 09:00 local; the re-appointment must
# be made by Wed 4 Mar 09:00 local (1 working day before), the apology task opens 2 before: Tue 09:00
ACCEPTED_MON = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def _apology_task(client: httpx.AsyncClient, code: str, fire_at: datetime) -> str:
    """Let the worker fire what is due at `fire_at` (strictly before, as it does); the apology task."""
    await timers.fire_due(rt(), fire_at + timedelta(seconds=1))
    _clock(client, fire_at)
    tasks = (await client.get("/api/v1/tasks", headers=await token(client, "specialist"))).json()["items"]
    return next(t["id"] for t in tasks if t["dossier"] == code and t["element_id"] == "apology")


async def _timer_at(code: str, kind: str) -> datetime:
    dossier = await Dossier.get(code=code)
    return (await Timer.get(dossier_id=dossier.id, kind=kind, state="pending")).due_at


async def test_apology_task_opens_two_working_days_before_the_due_and_re_appoints_in_time(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_MON)
    opens = await _timer_at(code, "sla_apology")
    assert opens == datetime(2026, 3, 3, 2, 0, tzinfo=UTC)  # Tue 3 Mar 09:00 local
    task = await _apology_task(client, code, opens)
    on_time = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)  # Wed 4 Mar 08:00 local, before the 09:00 limit
    _clock(client, on_time)
    r = await client.post(f"/api/v1/tasks/{task}/complete", headers=await token(client, "specialist"),
                          json={"data": {"reason": "Chờ ý kiến cơ quan thuế", "new_due_at": "2026-03-10T15:00"}})
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert lifecycle["due_at"] == "2026-03-10T08:00:00+00:00"
    assert lifecycle["extension"]["at"] == on_time.isoformat()


async def test_re_appointment_later_than_one_working_day_before_the_due_is_refused_and_the_dossier_stays_late(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_MON)
    task = await _apology_task(client, code, await _timer_at(code, "sla_apology"))
    too_late = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # Wed 4 Mar 10:00 local
    _clock(client, too_late)
    r = await client.post(f"/api/v1/tasks/{task}/complete", headers=await token(client, "specialist"),
                          json={"data": {"reason": "Chờ ý kiến cơ quan thuế", "new_due_at": "2026-03-10T15:00"}})
    assert r.status_code == 409, r.text
    details = r.json()["error"]["details"]
    assert details["rule"] == "apology_deadline"
    assert (details["due_at"], details["latest_at"]) == ("2026-03-05T02:00:00+00:00", "2026-03-04T02:00:00+00:00")
    lifecycle = await _stored(client, code)
    assert lifecycle["due_at"] == "2026-03-05T02:00:00+00:00" and lifecycle["extension"] is None
    assert await _timer_at(code, "sla_overdue") == datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # still goes overdue


async def test_apology_lead_comes_from_the_settings(db: Settings, users: dict) -> None:
    app = create_app(replace(db, apology_lead_days=1.5), manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        code, _ = await api_accepted_household(client, ACCEPTED_MON)
    # 12 working hours before Thu 5 Mar 09:00 local: Thu 2 h, Wed 8 h, Tue 2 h → Tue 3 Mar 15:00 local
    assert await _timer_at(code, "sla_apology") == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="MOTCUA_APOLOGY_LEAD_DAYS"):
        Settings.from_environ({"MOTCUA_APOLOGY_LEAD_DAYS": "0.5"})  # the task would open after the limit


# -- dues in calendar days end at 24:00 of their last day; only really skipped days are explained --

async def _explain(client: httpx.AsyncClient, code: str, accepted_at: str) -> dict:
    r = await client.get("/api/v1/calendar/due", params={"procedure": code, "accepted_at": accepted_at})
    assert r.status_code == 200, r.text
    return r.json()


async def test_calendar_day_due_reads_24h_of_its_last_day_and_skips_only_the_days_that_moved_it(
        client: httpx.AsyncClient, users: dict) -> None:
    admin = await token(client, "admin")
    for code, days in (("9.000004", 4), ("9.000005", 5)):
        r = await client.post("/api/v1/procedures", headers=admin, json={
            "code": code, "name": f"{days} ngày", "time_limit": days, "time_unit": "calendar_days"})
        assert r.status_code == 201, r.text
    # Mon 2 Mar + 4 days: the last day is Fri 6 Mar, ending at 24:00; the weekend after it moved nothing
    body = await _explain(client, "9.000004", "2026-03-02T09:00:00+07:00")
    assert body["due_at"] == "2026-03-06T17:00:00+00:00" and body["due_local"] == "24:00 06/03/2026"
    assert body["skipped_days"] == []
    # accepted on Sat 28 Feb: that day is not counted and Sun 1 Mar is counted, so neither was skipped
    body = await _explain(client, "9.000004", "2026-02-28T10:00:00+07:00")
    assert body["due_local"] == "24:00 04/03/2026" and body["skipped_days"] == []
    # + 5 days: the last day Sat 7 Mar is a day off, so the period ends with Mon 9 Mar: Sat and Sun skipped
    body = await _explain(client, "9.000005", "2026-03-02T09:00:00+07:00")
    assert body["due_local"] == "24:00 09/03/2026"
    assert [d["date"] for d in body["skipped_days"]] == ["2026-03-07", "2026-03-08"]


async def test_working_day_due_does_not_count_a_day_off_whose_hours_were_over_at_acceptance(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    # Sat 7 Mar 20:00: the count starts Mon 9 Mar 07:00 → Wed 11 Mar 17:00; Saturday's hours were over
    body = await _explain(client, CODES["household-business"], "2026-03-07T20:00:00+07:00")
    assert body["due_local"] == "17:00 11/03/2026"
    assert [d["date"] for d in body["skipped_days"]] == ["2026-03-08"]


async def test_receipt_shows_a_calendar_day_appointment_as_24h_of_its_last_day(
        client: httpx.AsyncClient, users: dict) -> None:
    admin = await token(client, "admin")
    await client.post("/api/v1/procedures", headers=admin, json={
        "code": CODES["household-business"], "name": "Đăng ký hộ kinh doanh", "time_limit": 4,
        "time_unit": "calendar_days"})
    assert (await _publish_household(client, admin, (PROCEDURES / "household-business" / "model.bpmn")
                                     .read_bytes())).status_code == 201
    _clock(client, ACCEPTED_MON)
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    code = r.json()["code"]
    r = await client.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete",
                          headers=await token(client, "officer"), json={"data": {"intake_decision": "accept"}})
    assert r.json()["lifecycle"]["due_at"] == "2026-03-06T17:00:00+00:00"  # 00:00 Sat 7 Mar local
    await page_login(client, "officer")
    html = (await client.get(f"/dossiers/{code}/receipt")).text
    assert re.search(r'id="appointment">([^<]*)<', html).group(1) == "24:00 ngày 06/03/2026"
    html = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert "24:00 ngày 06/03/2026" in html and "00:00 ngày 07/03/2026" not in html


# -- the documents: Form 01 lists what was received; the apology letter carries its date --------------

def _receipt_rows(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r"<tr><td>\d+</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)


async def test_receipt_lists_the_application_form_and_the_uploaded_files_only(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    _clock(client, ACCEPTED_MON)
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["birth-registration"], "data": APPLICATIONS["birth-registration"]})
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    r = await client.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete",
                          headers=await token(client, "officer"), json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 200, r.text
    await page_login(client, "officer")
    rows = _receipt_rows((await client.get(f"/dossiers/{code}/receipt")).text)
    # not the identity papers (taken from the population database) nor the authorisation (no proxy)
    assert rows == [
        ("Tờ khai đăng ký khai sinh", "Bản chính", "1"),
        ("Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh hoặc giấy cam đoan về việc sinh",
         "Bản điện tử", "1")]


async def test_household_receipt_lists_only_the_application_form_when_nothing_was_uploaded(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_MON)
    await page_login(client, "officer")
    rows = _receipt_rows((await client.get(f"/dossiers/{code}/receipt")).text)
    assert rows == [("Giấy đề nghị đăng ký hộ kinh doanh", "Bản chính", "1")]


async def test_apology_letter_is_dated_the_day_of_the_re_appointment(client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_MON)
    task = await _apology_task(client, code, await _timer_at(code, "sla_apology"))
    _clock(client, datetime(2026, 3, 4, 1, 0, tzinfo=UTC))  # Wed 4 Mar 08:00 local
    r = await client.post(f"/api/v1/tasks/{task}/complete", headers=await token(client, "specialist"),
                          json={"data": {"reason": "Chờ ý kiến cơ quan thuế", "new_due_at": "2026-03-10T15:00"}})
    assert r.status_code == 200, r.text
    await page_login(client, "officer")
    html = (await client.get(f"/dossiers/{code}/apology")).text
    assert re.search(r'id="issued-on">([^<]*)<', html).group(1) == "ngày 04 tháng 3 năm 2026"
    assert re.search(r'id="new-appointment">([^<]*)<', html).group(1) == "15:00 ngày 10/03/2026"
