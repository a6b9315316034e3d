"""The administrators' pages: agencies, users, the calendar and the paper-free rules, each form with
its CSRF token, an invalid one shown again in Vietnamese with what was typed, and only for admins."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx

from engine.models import Agency, ApiToken, CalendarOverride, ChannelPolicy, User
from tests.factories import PASSWORD, page_csrf, page_login, publish_shipped, rt, token


async def _admin(client: httpx.AsyncClient) -> str:
    await page_login(client, "admin")
    return await page_csrf(client, "/quan-tri/co-quan")


async def test_only_admins_open_the_admin_pages(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "officer")
    for path in ("/quan-tri/co-quan", "/quan-tri/nguoi-dung", "/quan-tri/lich", "/quan-tri/khong-giay"):
        r = await client.get(path)
        assert r.status_code == 403 and "text/html" in r.headers["content-type"], path


async def test_an_admin_adds_a_commune_and_a_bad_form_comes_back_with_what_was_typed(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await _admin(client)
    r = await client.post("/quan-tri/co-quan", data={"csrf_token": csrf, "code": "X.01", "name": "",
                                                     "tier": "commune", "kind": "commune_committee"})
    assert r.status_code == 422 and "Bắt buộc nhập." in r.text and 'value="X.01"' in r.text
    assert "Chọn một giá trị trong danh sách." in r.text  # the commune type is missing
    assert not await Agency.exists()
    r = await client.post("/quan-tri/co-quan", data={"csrf_token": csrf, "code": "X.01", "name": "UBND xã Hoà An",
                                                     "tier": "commune", "kind": "commune_committee",
                                                     "commune_type": "xa"})
    assert r.status_code == 303
    r = await client.post("/quan-tri/diem-tiep-nhan", data={"csrf_token": csrf, "code": "HOA-AN", "name": "Quầy Hoà An",
                                                            "agency_code": "X.01", "address": "Thôn 1"})
    assert r.status_code == 303
    page = (await client.get("/quan-tri/co-quan")).text
    assert 'data-agency="X.01"' in page and 'data-point="HOA-AN"' in page and "Cấp xã · Xã" in page
    r = await client.post("/quan-tri/co-quan/X.01/trang-thai", data={"csrf_token": csrf, "active": "0"})
    assert r.status_code == 303 and not (await Agency.get(code="X.01")).active
    r = await client.post("/quan-tri/co-quan", data={"code": "X.02", "name": "n"})  # no CSRF token
    assert r.status_code in (400, 403) and not await Agency.filter(code="X.02").exists()


async def test_an_admin_edits_an_agency_and_a_point_and_a_bad_edit_comes_back_with_what_was_typed(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine.models import ReceptionPoint

    csrf = await _admin(client)
    agency = {"csrf_token": csrf, "code": "X.01", "name": "UBND xã Hoà An", "tier": "commune",
              "kind": "commune_committee", "commune_type": "xa"}
    assert (await client.post("/quan-tri/co-quan", data=agency)).status_code == 303
    point = {"csrf_token": csrf, "code": "HOA-AN", "name": "", "agency_code": "X.01", "address": "Thôn 1"}
    r = await client.post("/quan-tri/diem-tiep-nhan", data=point)
    assert r.status_code == 422 and "Bắt buộc nhập." in r.text and 'value="HOA-AN"' in r.text
    r = await client.post("/quan-tri/diem-tiep-nhan", data={**point, "name": "Quầy Hoà An"})
    assert r.status_code == 303 and r.headers["location"] == "/quan-tri/co-quan?msg=saved"

    page = await client.get("/quan-tri/co-quan/X.01")
    assert page.status_code == 200 and 'value="UBND xã Hoà An"' in page.text
    r = await client.post("/quan-tri/co-quan/X.01", data={**agency, "name": "", "code": "Y.01"})
    assert r.status_code == 422 and "Bắt buộc nhập." in r.text and 'value="xa" selected' in r.text
    assert (await Agency.get(code="X.01")).name == "UBND xã Hoà An"
    r = await client.post("/quan-tri/co-quan/X.01", data={**agency, "name": "UBND xã Hoà Bình", "code": "Y.01"})
    assert r.status_code == 303 and r.headers["location"] == "/quan-tri/co-quan?msg=saved"
    assert (await Agency.get(code="X.01")).name == "UBND xã Hoà Bình" and not await Agency.exists(code="Y.01")

    page = await client.get("/quan-tri/diem-tiep-nhan/HOA-AN")
    assert page.status_code == 200 and 'value="Quầy Hoà An"' in page.text
    r = await client.post("/quan-tri/diem-tiep-nhan/HOA-AN", data={**point, "address": "Thôn 2"})
    assert r.status_code == 422 and "Bắt buộc nhập." in r.text and 'value="Thôn 2"' in r.text
    r = await client.post("/quan-tri/diem-tiep-nhan/HOA-AN", data={**point, "name": "Quầy Hoà Bình",
                                                                   "address": "Thôn 2"})
    assert r.status_code == 303
    saved = await ReceptionPoint.get(code="HOA-AN")
    assert (saved.name, saved.address, saved.active) == ("Quầy Hoà Bình", "Thôn 2", True)
    r = await client.post("/quan-tri/diem-tiep-nhan/HOA-AN/trang-thai", data={"csrf_token": csrf, "active": "0"})
    assert r.status_code == 303 and not (await ReceptionPoint.get(code="HOA-AN")).active
    assert (await client.get("/quan-tri/diem-tiep-nhan/NOPE")).status_code == 404


async def test_users_are_created_scoped_edited_and_deactivated_ending_their_tokens_and_sessions(
        client: httpx.AsyncClient, users: dict) -> None:
    await Agency.create(code="X.01", name="UBND xã Hoà An", tier="commune", kind="commune_committee",
                        commune_type="xa")
    csrf = await _admin(client)
    form = {"csrf_token": csrf, "username": "canbo1", "password": "short", "full_name": "Lê Văn Cán",
            "kind": "staff", "roles": ["one_stop"], "agency": "X.01"}
    r = await client.post("/quan-tri/nguoi-dung/moi", data=form)
    assert r.status_code == 422 and "Ít nhất 8 ký tự." in r.text and 'value="Lê Văn Cán"' in r.text
    r = await client.post("/quan-tri/nguoi-dung/moi", data={**form, "password": PASSWORD})
    assert r.status_code == 303
    made = await User.get(username="canbo1")
    assert made.agency == "X.01" and made.roles == ["one_stop"]
    listing = (await client.get("/quan-tri/nguoi-dung?q=canbo")).text
    assert "Cán bộ một cửa" in listing and "UBND xã Hoà An" in listing and 'data-user="officer"' not in listing
    r = await client.post(f"/quan-tri/nguoi-dung/{made.id}", data={
        "csrf_token": csrf, "full_name": "Lê Văn Cán", "kind": "staff", "roles": ["one_stop", "specialist"],
        "agency": "NOPE"})
    assert r.status_code == 422 and "Chọn một cơ quan đang hoạt động." in r.text
    r = await client.post(f"/quan-tri/nguoi-dung/{made.id}", data={
        "csrf_token": csrf, "full_name": "Lê Văn Cán", "kind": "staff", "roles": ["one_stop", "specialist"],
        "agency": ""})
    assert r.status_code == 303
    assert (await User.get(id=made.id)).roles == ["one_stop", "specialist"]
    # signed in elsewhere (page session and API token), then deactivated
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as other:
        await page_login(other, "canbo1")
        headers = await token(other, "canbo1")
        assert (await other.get("/can-bo")).status_code == 200
        r = await client.post(f"/quan-tri/nguoi-dung/{made.id}/khoa", data={"csrf_token": csrf})
        assert r.status_code == 303
        assert not await ApiToken.filter(user_id=made.id).exists()
        assert (await other.get("/api/v1/tasks", headers=headers)).status_code == 401
        r = await other.get("/can-bo")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_the_calendar_page_previews_a_day_off_then_saves_it_for_every_process(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")  # 3 working days
    csrf = await _admin(client)
    cal = rt().calendar
    today = rt().clock().astimezone(cal.tz).date()
    day = cal.next_working_day(today + timedelta(days=1))
    form = {"csrf_token": csrf, "on": day.strftime("%d/%m/%Y"), "kind": "off", "note": "QĐ 12/QĐ-UBND",
            "procedure": "2.000720", "action": "preview"}
    r = await client.post("/quan-tri/lich", data=form)
    assert r.status_code == 200, r.text
    moved = re.search(r"sẽ hẹn trả (.+?) thay vì (.+?)\.", r.text)
    assert moved and moved.group(1) != moved.group(2)
    assert not await CalendarOverride.exists()  # a preview saves nothing
    r = await client.post("/quan-tri/lich", data={**form, "on": "31/02/2026"})
    assert r.status_code == 422 and "Nhập ngày theo dạng dd/mm/yyyy." in r.text and 'value="31/02/2026"' in r.text
    r = await client.post("/quan-tri/lich", data={**form, "action": "save"})
    assert r.status_code == 303
    assert not (await rt().fresh_calendar()).is_working_day(day)
    page = (await client.get(f"/quan-tri/lich?nam={day.year}")).text
    assert f'data-on="{day.isoformat()}"' in page and "QĐ 12/QĐ-UBND" in page
    row = await CalendarOverride.get(on=day)
    r = await client.post(f"/quan-tri/lich/{row.id}/xoa?nam={day.year}", data={"csrf_token": csrf})
    assert r.status_code == 303 and not await CalendarOverride.exists()
    assert (await rt().fresh_calendar()).is_working_day(day)


async def test_the_paper_free_page_previews_the_counter_message_then_saves_the_rule(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    csrf = await _admin(client)
    start = rt().clock().date() + timedelta(days=1)
    form = {"csrf_token": csrf, "name": "Thứ Năm không giấy", "procedure_codes": ["2.000720"],
            "start_on": start.strftime("%d/%m/%Y"), "end_on": "", "weekdays": ["3"],
            "channels_allowed": ["online"], "exceptions_allowed": ["postal"], "action": "preview"}
    r = await client.post("/quan-tri/khong-giay", data=form)
    assert r.status_code == 200, r.text
    assert "Theo quy định “Thứ Năm không giấy”" in r.text and "Thứ năm" in r.text
    assert not await ChannelPolicy.exists()
    r = await client.post("/quan-tri/khong-giay", data={**form, "channels_allowed": [], "start_on": "hôm qua"})
    assert r.status_code == 422 and "Chọn ít nhất một kênh." in r.text and 'value="hôm qua"' in r.text
    r = await client.post("/quan-tri/khong-giay", data={**form, "action": "save"})
    assert r.status_code == 303
    rule = await ChannelPolicy.get()
    assert rule.weekdays == [3] and rule.procedure_codes == ["2.000720"] and rule.end_on is None
    assert rule.created_by == "admin"
    r = await client.post(f"/quan-tri/khong-giay/{rule.id}/xoa", data={"csrf_token": csrf})
    assert r.status_code == 303 and not await ChannelPolicy.exists()
