"""Server-rendered pages without a browser: catalogue, procedure page, tracking, staff inbox and
dossier page (the browser journeys live in tests/browser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from engine import dossiers
from engine.models import HumanTask
from tests.factories import APPLICATIONS, HAPPY_PATH, page_csrf, page_login, publish_shipped, rt, supplement_asked

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_catalogue_finds_procedures_with_and_without_diacritics(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    await publish_shipped("household-business")
    for q in ("khai sinh", "dang ky khai sinh"):
        page = (await client.get("/", params={"q": q})).text
        assert "/thu-tuc/1.001193" in page and "/thu-tuc/2.000720" not in page, q
    page = (await client.get("/thu-tuc/1.001193")).text
    assert "Đăng ký khai sinh" in page and 'id="apply"' in page and "Trong ngày" in page


async def test_xss_in_citizen_data_is_shown_as_text(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    data = dict(APPLICATIONS["birth-registration"], child_full_name="<script>alert(1)</script>")
    dossier = await dossiers.submit(rt(), "1.001193", data, now=NOW, user=users["citizen"])
    await page_login(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


async def test_tracking_needs_code_and_phone_and_says_nothing_else(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    token = await page_csrf(client, "/tra-cuu")
    wrong = await client.post("/tra-cuu", data={"csrf_token": token, "code": dossier.code, "factor": "0900000000"})
    missing = await client.post("/tra-cuu", data={"csrf_token": token, "code": "NOPE-1", "factor": "0912345678"})
    assert wrong.status_code == missing.status_code == 200 and "mc-error-summary" in wrong.text
    assert re.sub(r'value="[^"]*"', "", wrong.text) == re.sub(r'value="[^"]*"', "", missing.text)  # no enumeration
    assert (await client.get(f"/tra-cuu/{dossier.code}")).status_code == 404
    ok = await client.post("/tra-cuu", data={"csrf_token": token, "code": dossier.code.lower(),
                                             "factor": "+84 912 345 678"})
    assert ok.status_code == 303
    page = (await client.get(ok.headers["location"])).text
    assert "Mới đăng ký" in page and "Đã nộp hồ sơ" in page


async def test_staff_inbox_claim_and_dossier_page_with_verdicts(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    assert (await client.get("/can-bo")).status_code == 303
    await page_login(client, "officer")
    page = (await client.get("/can-bo")).text
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    assert f'data-task="{task.id}"' in page
    r = await client.post(f"/can-bo/viec/{task.id}/nhan", data={"csrf_token": await page_csrf(client, "/can-bo")})
    assert r.status_code == 303 and (await HumanTask.get(id=task.id)).claimed_by_id == users["officer"].id
    counts = (await client.get("/can-bo")).text
    assert '<span data-count="all">1</span>' in counts and '<span data-count="mine">1</span>' in counts
    # the page's clock is the real one: the overdue count is the number of rows the page marks overdue
    late_rows = counts.count('class="mc-due mc-due--overdue"')
    assert f'<span data-count="overdue">{late_rows}</span>' in counts
    # the time left or past as Vietnamese writes numbers: "1,5", "2", "1.234,5" (never "2.0")
    labels = re.findall(r"([\d.,]+) (?:ngày|giờ) làm việc", counts)
    assert labels and all(re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d)?", x) for x in labels), labels
    from web.staff.inbox import _shown
    assert _shown({"value": 2.0}, en=False)["value"] == "2" and _shown({"value": 1234.5}, en=True)["value"] == "1,234.5"
    for element_id, staff, data in HAPPY_PATH[:2]:
        current = await HumanTask.get(dossier_id=dossier.id, state="ready")
        assert current.element_id == element_id
        await dossiers.complete_task(rt(), current.id, data, users[staff], NOW)
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    assert 'id="diagram"' in page and '"active": ["approval"]' in page
    assert "mc-tag--" in page and "Đang xử lý" in page
    xml = await client.get(f"/can-bo/ho-so/{dossier.code}/so-do.bpmn")
    assert xml.status_code == 200 and b"bpmn:definitions" in xml.content


async def test_counter_intake_refuses_paper_on_a_paper_free_day_unless_an_exception_is_recorded(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine import channels
    from engine.models import Dossier

    await publish_shipped("household-business")
    today = channels.local_date(datetime.now(UTC))
    await channels.create_policy(created_by="admin", name="Thứ Tư không giấy", procedure_codes=["2.000720"],
                                 start_on=today.isoformat(), channels_allowed=["online"],
                                 exceptions_allowed=["priority_citizen"], message={"vi": "Ngày không giấy", "en": "x"})
    await page_login(client, "officer")
    form = {k: str(v) for k, v in APPLICATIONS["household-business"].items() if not isinstance(v, list | dict | bool)}
    form.update({"registration_required_confirmed": "y", "business_lines": "5610", "owner_date_of_birth-day": "02",
                 "owner_date_of_birth-month": "04", "owner_date_of_birth-year": "1988"})
    page = await client.get("/can-bo/tiep-nhan/2.000720")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refused = await client.post("/can-bo/tiep-nhan/2.000720", data={**form, "csrf_token": token, "mode": "paper",
                                                                     "submission": "s1"})
    assert 'id="channel-refused"' in refused.text and "Thứ Tư không giấy" in refused.text
    assert not await Dossier.exists()
    accepted = await client.post("/can-bo/tiep-nhan/2.000720", data={
        **form, "csrf_token": token, "mode": "paper", "submission": "s2", "exception_kind": "priority_citizen",
        "exception_reason": "Người cao tuổi, không dùng được điện thoại"})
    assert accepted.status_code == 303, accepted.text[-2000:]
    dossier = await Dossier.get()
    assert dossier.channel == "counter" and dossier.channel_exception["kind"] == "priority_citizen"


async def test_an_invalid_counter_intake_shows_its_errors_and_keeps_what_was_typed(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine.models import Dossier

    await publish_shipped("household-business")
    await page_login(client, "officer")
    page = await client.get("/can-bo/tiep-nhan/2.000720")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    typed = {"csrf_token": token, "mode": "paper", "submission": "s3", "business_name": "Quán phở Bích",
             "business_phone": "0912345678"}
    r = await client.post("/can-bo/tiep-nhan/2.000720", data=typed)
    assert r.status_code == 200
    # the error summary and the messages beside the fields, as on the citizen's form
    assert 'id="mc-error-summary-title"' in r.text and "<title>Lỗi: Tiếp nhận hồ sơ tại quầy" in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'value="Quán phở Bích"' in r.text and 'value="0912345678"' in r.text
    assert not await Dossier.exists()


async def test_citizen_uploads_the_supplement_a_specialist_asked_for(client: httpx.AsyncClient, users: dict) -> None:
    from engine.models import Attachment, AuditEvent, Timer

    dossier, page = await supplement_asked(client, users, NOW)
    assert 'id="supplement"' in page and "Thiếu biên bản họp" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = await client.post(f"/tra-cuu/{dossier.code}/bo-sung", data={"csrf_token": token, "note": "Đã bổ sung"},
                          files={"files": ("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")})
    assert r.status_code == 303 and r.headers["location"].endswith("supplement=sent")
    # the upload is the supplement's arrival: recorded, the 15-day auto-close stops, the officer confirms
    event = await AuditEvent.get(dossier_id=dossier.id, action="supplement_received")
    assert event.details == {"source": "online", "files": ["bien-ban.pdf"]}
    stored = await Attachment.get(dossier_id=dossier.id, source="supplement")
    assert stored.name == "bien-ban.pdf" and len(stored.sha256) == 64
    assert not await Timer.filter(dossier_id=dossier.id, kind="auto_close", state="pending").exists()
    fake = await client.post(f"/tra-cuu/{dossier.code}/bo-sung", data={"csrf_token": token, "note": "Bản chụp"},
                             files={"files": ("x.pdf", b"MZ not a pdf", "application/pdf")})
    assert fake.status_code == 200 and "Loại tệp không được chấp nhận" in fake.text
    assert '<textarea id="note" name="note" rows="2">Bản chụp</textarea>' in fake.text  # the note is kept


async def test_a_draft_keeps_what_the_citizen_typed_until_they_come_back(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    await page_login(client, "citizen")
    token = await page_csrf(client, "/nop-ho-so/1.001193")
    r = await client.post("/nop-ho-so/1.001193", data={"csrf_token": token, "save_draft": "1",
                                                       "child_full_name": "Nguyễn Văn Bình",
                                                       "requester_phone": "0912345678"})
    assert r.status_code == 303
    page = (await client.get("/nop-ho-so/1.001193")).text
    assert 'id="draft-notice"' in page and 'value="Nguyễn Văn Bình"' in page and "0912345678" in page


async def test_staff_dossier_page_shows_form_labels_and_history_in_words(client: httpx.AsyncClient,
                                                                        users: dict) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, HAPPY_PATH[0][2], users["officer"], NOW)
    await page_login(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    data = page[page.index('id="data"'):page.index('id="history"')]
    assert "Thông tin người mẹ" in data and "Giới tính" in data and ">Nam<" in data and "01/11/2026" in data
    assert "child_sex" not in re.sub(r'data-key="[^"]*"', "", data) and "mother.full_name" not in data.replace(
        'data-key="mother.full_name"', "")
    assert "giay-chung-sinh.pdf" in data
    assert "Cán bộ một cửa officer đã tiếp nhận hồ sơ; hạn trả kết quả" in page
    assert "Hồ sơ chuyển từ trạng thái 1 “Mới đăng ký” sang 2 “Được tiếp nhận”" in page
    assert "officer đã hoàn thành bước" in page


async def test_only_the_step_owner_may_request_a_supplement_from_the_dossier_page(client: httpx.AsyncClient,
                                                                                 users: dict) -> None:
    from engine.models import Dossier
    from tests.factories import accepted_household

    dossier = await accepted_household(users, NOW)
    code = dossier.code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await page_login(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert 'data-step="request_supplement"' not in page  # the appraisal (specialist) owns the step
    token = await page_csrf(client, f"/can-bo/ho-so/{code}")
    refused = await client.post(f"/can-bo/ho-so/{code}/buoc/request_supplement",
                                data={"csrf_token": token, "reason": "Thiếu giấy tờ"})
    assert refused.status_code == 409 and "thuộc vai trò khác" in refused.text
    await client.post("/logout", data={"csrf_token": token})
    await page_login(client, "specialist")
    path = f"/can-bo/ho-so/{code}"
    page = (await client.get(path)).text
    assert 'data-step="request_supplement"' in page and "Yêu cầu bổ sung" in page
    token = await page_csrf(client, path)
    empty = await client.post(f"{path}/buoc/request_supplement", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 200 and "error-summary" in empty.text
    assert (await Dossier.get(code=code)).lifecycle_status == 4
    r = await client.post(f"{path}/buoc/request_supplement",
                          data={"csrf_token": token, "reason": "Thiếu biên bản họp"})
    assert r.status_code == 303 and "msg=done" in r.headers["location"]
    assert (await Dossier.get(code=code)).lifecycle_status == 5
    page = (await client.get(r.headers["location"])).text
    assert "Đã thực hiện bước xử lý." in page and "Yêu cầu bổ sung: Thiếu biên bản họp" in page
