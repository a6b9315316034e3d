"""The staff step forms (what the law asks for each step, input kept when wrong), Form 02 / Form 03
for staff and the citizen, and the history in words (real database, real app, no browser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from engine import dossiers
from engine.models import AuditEvent, Dossier, HumanTask
from tests.factories import accepted_household, page_csrf, page_login, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội
MEETING = "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh"


async def _as(client: httpx.AsyncClient, username: str) -> None:
    if "session" in client.cookies:
        await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    client.cookies.clear()
    await page_login(client, username)


async def _step_get(client: httpx.AsyncClient, code: str, command: str) -> tuple[httpx.Response, str]:
    r = await client.get(f"/can-bo/ho-so/{code}/buoc/{command}")
    match = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    return r, match.group(1) if match else ""


async def test_a_supplement_request_names_the_components_and_prints_form_02_for_staff_and_citizen(
        client: httpx.AsyncClient, users: dict) -> None:
    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "specialist")
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert f'href="/can-bo/ho-so/{code}/buoc/request_supplement"' in page
    r, token = await _step_get(client, code, "request_supplement")
    assert r.status_code == 200 and MEETING in r.text and 'id="deadline"' in r.text
    assert "24:00 ngày 17/03/2026" in r.text  # 15 days from the notice (Civil Code count)
    empty = await client.post(f"/can-bo/ho-so/{code}/buoc/request_supplement",
                              data={"csrf_token": token, "reason": "  "})
    assert empty.status_code == 200 and 'id="error-summary"' in empty.text
    assert "<title>Lỗi: " in empty.text and "<title>Lỗi: " not in r.text  # the error page says so first
    assert (await Dossier.get(code=code)).lifecycle_status == 4
    r = await client.post(f"/can-bo/ho-so/{code}/buoc/request_supplement", data={
        "csrf_token": token, "components": [MEETING, "not a component"], "reason": "Thiếu chữ ký thành viên"})
    assert r.status_code == 303 and r.headers["location"].endswith("msg=done")
    dossier = await Dossier.get(code=code)
    assert dossier.lifecycle_status == 5
    event = await AuditEvent.get(dossier_id=dossier.id, action="supplement_requested")
    assert event.details["what"] == [MEETING, "Thiếu chữ ký thành viên"]  # an unknown component is dropped
    form = await client.get(f"/ho-so/{code}/mau-02")
    assert form.status_code == 200 and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in form.text
    assert MEETING in form.text and "Thiếu chữ ký thành viên" in form.text and 'id="deadline"' in form.text
    assert "onclick" not in form.text and "/static/web/print.js" in form.text
    assert "/ho-so/" + code + "/mau-02" in (await client.get(f"/can-bo/ho-so/{code}")).text
    await _as(client, "citizen")
    status = (await client.get(f"/tra-cuu/{code}")).text
    assert f'href="/ho-so/{code}/mau-02"' in status
    assert (await client.get(f"/ho-so/{code}/mau-02")).status_code == 200
    assert (await client.get(f"/ho-so/{code}/mau-03")).status_code == 404  # not refused
    await _as(client, "citizen2")
    assert (await client.get(f"/ho-so/{code}/mau-02")).status_code == 404
    client.cookies.clear()
    assert (await client.get(f"/ho-so/{code}/mau-02")).status_code == 404  # anonymous, not tracked
    token = await page_csrf(client, "/tra-cuu")
    tracked = await client.post("/tra-cuu", data={"csrf_token": token, "code": code, "factor": "001088004567"})
    assert tracked.status_code == 303  # tracked by code + ID number: the citizen may open the notice
    assert MEETING in (await client.get(f"/ho-so/{code}/mau-02")).text


async def test_a_refusal_with_reasons_reaches_the_citizen_with_form_03_and_the_result_is_returned(
        client: httpx.AsyncClient, users: dict) -> None:
    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "specialist")
    r, token = await _step_get(client, code, "refuse")
    assert r.status_code == 200 and "Lý do từ chối" in r.text
    empty = await client.post(f"/can-bo/ho-so/{code}/buoc/refuse", data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 200 and "Hãy ghi rõ lý do." in empty.text
    reason = "Ngành, nghề đăng ký thuộc danh mục cấm kinh doanh"
    r = await client.post(f"/can-bo/ho-so/{code}/buoc/refuse", data={"csrf_token": token, "reason": reason})
    assert r.status_code == 303
    dossier = await Dossier.get(code=code)
    assert dossier.lifecycle_status == 9 and dossier.refusal["reasons"] == [reason]
    assert not await HumanTask.filter(dossier_id=dossier.id, state="ready").exists()  # the refusal ends the work
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert f"Cán bộ specialist đã từ chối hồ sơ: {reason}" in page and 'id="form-03"' in page
    assert "Lê Văn Nam" in page[page.index('id="data"'):]  # the data outlives the ended workflow
    assert '<dd id="channel">Trực tuyến / Công dân tự nộp</dd>' in page  # codes shown in words
    assert '<dd id="agency">Chưa xác định cơ quan</dd>' in page  # no agencies entered: placed nowhere
    data = page[page.index('id="data"'):page.index('id="history"')]  # the intake task's answer, labelled
    assert "Kết quả xử lý các bước" in data and "Kết quả kiểm tra" in data and ">Tiếp nhận hồ sơ<" in data
    assert "intake_decision" not in data.replace('data-key="intake_decision"', "")
    await _as(client, "citizen")
    status = (await client.get(f"/tra-cuu/{code}")).text
    assert 'id="refusal"' in status and reason in status and f'href="/ho-so/{code}/mau-03"' in status
    form = await client.get(f"/ho-so/{code}/mau-03")
    assert form.status_code == 200 and "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in form.text and reason in form.text
    # the one-stop unit returns the refusal, saying how
    await _as(client, "officer")
    assert 'data-step="return_result"' in (await client.get(f"/can-bo/ho-so/{code}")).text
    r, token = await _step_get(client, code, "return_result")
    assert r.status_code == 200 and 'id="delivery-post"' in r.text
    missing = await client.post(f"/can-bo/ho-so/{code}/buoc/return_result", data={"csrf_token": token})
    assert missing.status_code == 200 and "Hãy chọn hình thức trả kết quả." in missing.text
    r = await client.post(f"/can-bo/ho-so/{code}/buoc/return_result",
                          data={"csrf_token": token, "delivery": "post"})
    assert r.status_code == 303 and (await Dossier.get(code=code)).lifecycle_status == 10
    assert "Cán bộ officer đã trả kết quả (bản giấy, qua bưu chính)" in (await client.get(f"/can-bo/ho-so/{code}")).text


async def test_financial_obligation_and_withdrawal_forms_keep_the_input_and_record_it_in_words(
        client: httpx.AsyncClient, users: dict) -> None:
    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "specialist")
    _r, token = await _step_get(client, code, "request_financial_obligation")
    path = f"/can-bo/ho-so/{code}/buoc/request_financial_obligation"
    bad = await client.post(path, data={"csrf_token": token, "description": "Lệ phí đăng ký", "amount": "một trăm"})
    assert bad.status_code == 200 and "Số tiền phải là số nguyên" in bad.text
    assert ">Lệ phí đăng ký</textarea>" in bad.text and 'value="một trăm"' in bad.text  # the input is kept
    r = await client.post(path, data={"csrf_token": token, "description": "Lệ phí đăng ký", "amount": "100.000"})
    assert r.status_code == 303 and (await Dossier.get(code=code)).lifecycle_status == 6
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert "Yêu cầu thực hiện nghĩa vụ tài chính: Lệ phí đăng ký; 100.000 đồng" in page
    await _as(client, "officer")
    _r, token = await _step_get(client, code, "withdraw")
    path = f"/can-bo/ho-so/{code}/buoc/withdraw"
    future = await client.post(path, data={"csrf_token": token, "request_date": "03/03/2026", "reason": "Đổi ý"})
    assert future.status_code == 200 and 'value="03/03/2026"' in future.text and ">Đổi ý</textarea>" in future.text
    r = await client.post(path, data={"csrf_token": token, "request_date": "02/03/2026", "reason": "Đổi ý"})
    assert r.status_code == 303 and (await Dossier.get(code=code)).lifecycle_status == 7
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert "Hồ sơ được rút theo yêu cầu của công dân (02/03/2026: Đổi ý)" in page
    assert "Lê Văn Nam" in page[page.index('id="data"'):]
    assert 'data-step="' not in page  # a withdrawn dossier offers no step


async def test_a_step_not_offered_shows_why_and_a_stale_form_is_refused_without_change(
        client: httpx.AsyncClient, users: dict) -> None:
    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "officer")
    r, _token = await _step_get(client, code, "request_supplement")  # the specialist's step now
    assert r.status_code == 403 and 'id="step-refused"' in r.text and 'id="step-form"' not in r.text
    token = await page_csrf(client, f"/can-bo/ho-so/{code}")
    r = await client.post(f"/can-bo/ho-so/{code}/buoc/request_supplement",
                          data={"csrf_token": token, "reason": "Thiếu giấy tờ"})
    assert r.status_code == 409 and "thuộc vai trò khác" in r.text
    assert (await Dossier.get(code=code)).lifecycle_status == 4
    assert (await client.get(f"/can-bo/ho-so/{code}/buoc/nope")).status_code == 404
    no_csrf = await client.post(f"/can-bo/ho-so/{code}/buoc/withdraw", data={"request_date": "02/03/2026"})
    assert no_csrf.status_code in (400, 403) and (await Dossier.get(code=code)).lifecycle_status == 4


async def test_the_officer_sees_the_citizens_online_supplement_opens_it_and_records_its_arrival(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine.models import Attachment, DocumentAccess

    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "specialist")
    _r, token = await _step_get(client, code, "request_supplement")
    await client.post(f"/can-bo/ho-so/{code}/buoc/request_supplement",
                      data={"csrf_token": token, "components": [MEETING]})
    await _as(client, "officer")
    r, _token = await _step_get(client, code, "receive_supplement")
    assert r.status_code == 200 and 'id="arrivals-none"' in r.text  # at the counter: nothing online yet
    assert 'data-step="return_supplement"' not in (await client.get(f"/can-bo/ho-so/{code}")).text
    await _as(client, "citizen")
    token = await page_csrf(client, f"/tra-cuu/{code}")
    sent = await client.post(f"/tra-cuu/{code}/bo-sung", data={"csrf_token": token},
                             files={"files": ("bien-ban-hop.pdf", b"%PDF-1.4 minutes", "application/pdf")})
    assert sent.headers["location"].endswith("supplement=sent")
    await _as(client, "officer")
    assert 'data-step="return_supplement"' in (await client.get(f"/can-bo/ho-so/{code}")).text
    r, token = await _step_get(client, code, "receive_supplement")
    arrived = await Attachment.get(source="supplement")
    link = f"/ho-so/{code}/tep/{arrived.id}?purpose=supplement"
    assert 'id="arrivals"' in r.text and "bien-ban-hop.pdf" in r.text and f'href="{link}"' in r.text
    assert (await client.get(link)).content == b"%PDF-1.4 minutes"
    assert await DocumentAccess.filter(attachment_id=arrived.id, purpose="supplement").count() == 1
    r = await client.post(f"/can-bo/ho-so/{code}/buoc/receive_supplement", data={"csrf_token": token})
    assert r.status_code == 303 and (await Dossier.get(code=code)).lifecycle_status == 4
    page = (await client.get(f"/can-bo/ho-so/{code}")).text  # the upload and its confirmation, told apart
    assert "Công dân đã gửi giấy tờ bổ sung trực tuyến: bien-ban-hop.pdf" in page
    assert "đã xác nhận nhận hồ sơ bổ sung (trực tuyến)" in page and "Đã nhận hồ sơ bổ sung" not in page


async def test_the_apology_task_shows_the_current_due_and_refuses_a_new_appointment_on_a_day_off(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine import timers

    dossier = await accepted_household(users, NOW)  # 3 working days: due Thu 5 Mar 09:00 local
    await timers.fire_due(rt(), datetime(2026, 3, 3, 2, 0, 1, tzinfo=UTC))  # the apology task opens Tue 09:00
    task = await HumanTask.get(dossier_id=dossier.id, element_id="apology", state="ready")
    client._transport.app.state.clock = lambda: datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    await _as(client, "specialist")
    page = (await client.get(f"/can-bo/viec/{task.id}")).text
    assert "09:00 ngày 05/03/2026" in page[page.index('id="current-due"'):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "reason": "Chờ ý kiến cơ quan thuế", "new_due_at-year": "2026",
            "new_due_at-month": "3", "new_due_at-time": "15:00"}
    saturday = await client.post(f"/can-bo/viec/{task.id}", data={**form, "new_due_at-day": "7"})
    assert saturday.status_code == 200 and "Ngày hẹn trả kết quả mới phải là ngày làm việc." in saturday.text
    assert "<title>Lỗi: " in saturday.text and "<title>Lỗi: " not in page
    empty = await client.post(f"/can-bo/viec/{task.id}", data={"csrf_token": token})  # the form's own errors
    assert empty.status_code == 200 and "<title>Lỗi: " in empty.text
    assert (await Dossier.get(code=dossier.code)).extension is None
    r = await client.post(f"/can-bo/viec/{task.id}", data={**form, "new_due_at-day": "10"})
    assert r.status_code == 303
    stored = await Dossier.get(code=dossier.code)
    assert stored.extension["reason"] == "Chờ ý kiến cơ quan thuế" and stored.due_adjusted_at == datetime(
        2026, 3, 10, 8, 0, tzinfo=UTC)
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    assert "Hẹn lại ngày trả kết quả: 10/03/2026 15:00; lý do: Chờ ý kiến cơ quan thuế" in page


async def test_form_02_of_an_intake_supplement_has_no_closing_date_and_stays_linked_after_acceptance(
        client: httpx.AsyncClient, users: dict) -> None:
    from tests.factories import APPLICATIONS, publish_shipped

    await publish_shipped("household-business")
    dossier = await dossiers.submit(rt(), "2.000720", APPLICATIONS["household-business"], now=NOW,
                                    user=users["citizen"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "supplement", "intake_note": "Thiếu bản sao CCCD"},
                                 users["officer"], NOW)
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await _as(client, "officer")
    form = await client.get(f"/ho-so/{dossier.code}/mau-02")
    assert form.status_code == 200 and "Thiếu bản sao CCCD" in form.text and 'id="deadline"' not in form.text
    _r, token = await _step_get(client, dossier.code, "receive_supplement")
    r = await client.post(f"/can-bo/ho-so/{dossier.code}/buoc/receive_supplement", data={"csrf_token": token})
    assert r.status_code == 303 and (await Dossier.get(code=dossier.code)).lifecycle_status == 1
    task = await HumanTask.get(dossier_id=dossier.id, state="ready", element_id="intake")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    assert f'href="/ho-so/{dossier.code}/mau-02"' in page
