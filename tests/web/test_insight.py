"""Process insight (issue 12): the step heatmap on dossiers driven through the engine, with a known late
step, and the citizen form funnel after real posts of the application page.

Heatmap fixture (household-business: intake budget 4 working hours, appraisal 1.5 working days; the
national calendar, sessions 07:00-11:30 and 13:30-17:00; "Mon 5 Oct 08:00" is local, UTC+7):

 D1 submitted Mon 5 Oct 08:00, intake done 10:00 (2 wh), appraisal done Tue 6 Oct 10:00
    (Mon 10:00-11:30 1.5 + 13:30-17:00 3.5 + Tue 07:00-10:00 3 = 8 wh, within 12 wh: on time)
 D2 submitted Mon 5 Oct 08:00, intake done Tue 6 Oct 08:00 (3.5 + 3.5 + 1 = 8 wh > 4 wh: LATE); appraisal open
 D3 submitted Mon 5 Oct 08:00, intake done 09:00 (1 wh); appraisal open

 intake:    completed 3, times 2, 8, 1 h -> median 2,0 h, p90 (nearest rank 3 of 3) 8,0 h, late 1/3 = 33.3 %
 appraisal: completed 1 (8 h), late 0/1 = 0.0 %, waiting 2;  approval: D1's, waiting 1
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from engine import accounts, dossiers, form_funnel, step_insight
from engine.models import FormAttempt, FormFailure, HumanTask
from engine.reports import Period
from tests.factories import APPLICATIONS, PASSWORD, page_csrf, page_login, publish_shipped, rt
from tests.web.test_citizen_apply import BIRTH, PDF

QUERY = "tu-ngay=01/10/2026&den-ngay=31/10/2026"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


async def _complete(dossier_id: int, element: str, data: dict[str, Any], user: Any, at: datetime) -> None:
    task = await HumanTask.get(dossier_id=dossier_id, element_id=element, state="ready")
    await dossiers.complete_task(rt(), task.id, data, user, at)


async def _drive(users: dict[str, Any]) -> None:
    await publish_shipped("household-business")
    accept = {"intake_decision": "accept"}
    approve = {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}
    ids = []
    for _ in range(3):
        d = await dossiers.submit(rt(), "2.000720", APPLICATIONS["household-business"], now=local(5, 8),
                                  user=users["citizen"])
        ids.append(d.id)
    await _complete(ids[0], "intake", accept, users["officer"], local(5, 10))
    await _complete(ids[0], "appraisal", approve, users["specialist"], local(6, 10))
    await _complete(ids[1], "intake", accept, users["officer"], local(6, 8))
    await _complete(ids[2], "intake", accept, users["officer"], local(5, 9))


async def test_heatmap_figures_per_step_with_a_known_late_intake(client: httpx.AsyncClient, users: Any) -> None:
    await _drive(users)
    figures = {s.element_id: s for s in await step_insight.heatmap(
        "2.000720", Period(date(2026, 10, 1), date(2026, 10, 31)), rt().calendars.value)}
    intake, appraisal = figures["intake"], figures["appraisal"]
    assert (intake.completed, intake.median, intake.p90) == (3, timedelta(hours=2), timedelta(hours=8))
    assert (intake.with_due, intake.late, str(intake.late_share), intake.waiting) == (3, 1, "33.3", 0)
    assert (appraisal.completed, appraisal.median, appraisal.late, appraisal.waiting) == (1, timedelta(hours=8), 0, 2)
    assert (intake.level, appraisal.level) == (1, 4)  # 2 h of the slowest 8 h: class 1 of 0..4
    assert (figures["approval"].completed, figures["approval"].waiting, figures["approval"].level) == (0, 1, None)
    # the period counts completions: in September nothing completed; the open tasks still wait
    september = await step_insight.heatmap("2.000720", Period(date(2026, 9, 1), date(2026, 9, 30)),
                                           rt().calendars.value)
    assert {s.element_id: (s.completed, s.waiting) for s in september} == {"appraisal": (0, 2), "approval": (0, 1)}

    await accounts.create_user("manager", PASSWORD, "manager", roles=["specialist"])
    await page_login(client, "manager")
    page = await client.get(f"/bao-cao/quy-trinh/2.000720?{QUERY}")
    assert page.status_code == 200
    row = re.search(r'<tr data-element="intake">(.*?)</tr>', page.text, re.S)
    assert row is not None
    cells = dict(re.findall(r"data-(median|p90|late|waiting|completed)>([^<]*)<", row.group(1)))
    assert cells == {"completed": "3", "median": "2,0 giờ", "p90": "8,0 giờ", "late": "33,3 %", "waiting": "0"}
    marks = json.loads(re.search(r"id=\"heatmap-marks\">(.*?)</script>", page.text, re.S).group(1))  # type: ignore[union-attr]
    assert marks["appraisal"] == {"label": "8,0 giờ · 2 đang chờ", "level": 4}  # the diagram's marks
    assert (await client.get("/bao-cao/quy-trinh/2.000720/so-do.bpmn")).text.startswith("<?xml")
    english = (await client.get(f"/bao-cao/quy-trinh/2.000720?{QUERY}&lang=en")).text
    assert "8.0 h" in english and "33.3 %" in english and "Handling time by step" in english
    # the diagram's failure message is the page's, in its language (web/static/web/bpmn-view.js reads it)
    assert 'data-failed="The diagram cannot be shown"' in english
    assert 'data-failed="Không hiển thị được sơ đồ"' in page.text
    script = (await client.get("/static/web/bpmn-view.js")).text
    assert 'getAttribute("data-failed")' in script and not re.search(r"[à-ỹ]", script), "Vietnamese in the script"
    assert (await client.get("/bao-cao/quy-trinh/2.000720?tu-ngay=32/10/2026")).status_code == 400
    assert (await client.get("/bao-cao/quy-trinh/9.999999")).status_code == 404


async def _post(client: httpx.AsyncClient, at: datetime, data: dict[str, str], file: bool = True) -> httpx.Response:
    client._transport.app.state.clock = lambda: at  # type: ignore[attr-defined]
    token = await page_csrf(client, "/nop-ho-so/1.001193")
    parts = {"birth_certificate": ("giay-chung-sinh.pdf", PDF, "application/pdf")} if file else None
    return await client.post("/nop-ho-so/1.001193", data={**data, "csrf_token": token}, files=parts)


async def test_funnel_counts_after_real_posts_and_failures_keep_no_value(client: httpx.AsyncClient,
                                                                         users: Any) -> None:
    await publish_shipped("birth-registration")
    t0 = local(5, 8)
    bad = {**BIRTH, "mother.full_name": "", "requester_id_number": "0011950"}
    await page_login(client, "citizen")  # refused once, then submitted 2 h later, then a double submit
    assert (await _post(client, t0, bad, file=False)).status_code == 200
    good = {**BIRTH, "submission": "once"}
    assert (await _post(client, t0 + timedelta(hours=2), good)).status_code == 303
    assert (await _post(client, t0 + timedelta(hours=2, minutes=1), good)).status_code == 303  # replayed
    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    await page_login(client, "citizen2")  # saves a draft and never comes back: abandoned
    assert (await _post(client, t0, {**bad, "save_draft": "1"}, file=False)).status_code == 303
    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    await accounts.create_user("citizen3", PASSWORD, "citizen")
    await page_login(client, "citizen3")  # refused a day before the report: still in progress
    assert (await _post(client, t0 + timedelta(days=9), bad)).status_code == 200

    failures = await FormFailure.all().values("field_key", "rule", "attempt_id")
    assert sorted((f["field_key"], f["rule"]) for f in failures) == [
        ("birth_certificate", "required"), ("mother.full_name", "required"), ("mother.full_name", "required"),
        ("requester_id_number", "cccd"), ("requester_id_number", "cccd")]
    for row in await FormFailure.all().values():  # the typed values are nowhere in a failure row
        assert not any("0011950" in str(v) or "Nguyễn" in str(v) for v in row.values())
    assert await FormAttempt.all().count() == 3
    assert await FormAttempt.filter(user_id=None).count() == 1  # the submitted one forgot whose it was

    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    await accounts.create_user("manager", PASSWORD, "manager", roles=["specialist"])
    await page_login(client, "manager")
    client._transport.app.state.clock = lambda: t0 + timedelta(days=10)  # type: ignore[attr-defined]
    page = await client.get(f"/bao-cao/bieu-mau/1.001193?{QUERY}")
    assert page.status_code == 200
    stages = dict(re.findall(r'<li data-stage="(\w+)">.*?<strong data-count>(\d+)</strong>', page.text, re.S))
    assert stages == {"started": "3", "submitted": "1", "abandoned": "1", "in_progress": "1"}
    assert "<strong>2 giờ</strong>" in page.text  # median start -> submit
    rows = re.findall(r'<tr data-field="([^"]+)" data-rule="([^"]+)">.*?<span data-count>(\d+)</span>.*?'
                      r"data-attempts>(\d+)<", page.text, re.S)
    assert rows[:2] == [("mother.full_name", "required", "2", "2"), ("requester_id_number", "cccd", "2", "2")]
    assert "Tải lên" not in page.text and "0011950" not in page.text
    wider = await client.get(f"/bao-cao/bieu-mau/1.001193?{QUERY}&so-ngay=20")  # nobody abandoned yet
    assert re.search(r'data-stage="abandoned">.*?<strong data-count>0<', wider.text, re.S)
    for bad in ("abc", "0", "91", "2.5"):  # said next to the field, not silently replaced by 7 days
        wrong = await client.get(f"/bao-cao/bieu-mau/1.001193?{QUERY}&so-ngay={bad}")
        assert wrong.status_code == 400 and "<title>Lỗi: " in wrong.text, bad
        assert f'name="so-ngay" value="{bad}" min="1" max="90" aria-invalid="true"' in wrong.text
        assert "nhập một số nguyên từ 1 đến 90</p>" in wrong.text and 'href="#so-ngay"' in wrong.text
    assert "<title>Lỗi: " not in page.text

    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    await page_login(client, "admin")  # the designer sees the funnel (counts only), not the heatmap
    assert 'href="/bao-cao/bieu-mau/1.001193"' in (await client.get("/designer/1.001193")).text
    assert (await client.get(f"/bao-cao/bieu-mau/1.001193?{QUERY}")).status_code == 200
    assert (await client.get("/bao-cao/quy-trinh/1.001193")).status_code == 403


async def test_a_stale_attempt_is_closed_off_and_a_new_one_starts(db: Any, users: Any) -> None:
    t0, citizen = local(5, 8), users["citizen"]
    first = await form_funnel.record(citizen.id, "1.001193", t0, failures=[("a[0].b", "required")])
    assert await form_funnel.record(citizen.id, "1.001193", t0 + timedelta(days=29)) == first  # draft still kept
    second = await form_funnel.record(citizen.id, "1.001193", t0 + timedelta(days=60))
    assert second != first
    assert [(a.id, a.user_id) for a in await FormAttempt.all().order_by("id")] == [(first, None), (second, citizen.id)]
    assert await FormFailure.filter(attempt_id=first).values_list("field_key", flat=True) == ["a[0].b"]


def test_median_and_nearest_rank_p90() -> None:
    hours = [timedelta(hours=h) for h in (5, 1, 3, 2)]
    assert step_insight.median(hours) == timedelta(hours=2.5)
    assert step_insight.percentile(hours, 90) == timedelta(hours=5)
    assert step_insight.percentile(hours[:1], 90) == timedelta(hours=5)
    assert step_insight.median([]) is None and step_insight.percentile([], 90) is None
    levels = [step_insight.level_of(timedelta(hours=h), timedelta(hours=8)) for h in (0, 1.5, 2, 7.9, 8)]
    assert levels == [0, 0, 1, 4, 4]
