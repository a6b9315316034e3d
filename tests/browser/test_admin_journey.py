"""The administrators' acceptance journey in a real browser at 360 and 1280 px: an admin adds a commune
agency with a counter, a staff member scoped to it, a provincial day off and a paper-free rule from the
pages; then the due date moves, the counter refuses a paper dossier with the rule's message, and the
scoped officer's inbox holds only their agency's tasks."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from engine.workdays import default_calendar
from tests.browser.conftest import PASSWORD, Watch, login, new_page, screenshot
from tests.browser.test_citizen_journey import PDF, _fill_birth_application
from tests.factories import APPLICATIONS, CODES

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


async def _fits(page: Any, width: int) -> None:
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, page.url


async def _submit_form(page: Any, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


async def _add_agency(page: Any, server: str, code: str, name: str, point: str) -> None:
    await page.goto(server + "/quan-tri/co-quan")
    await page.fill("#f-code", code)
    await page.fill("#f-name", name)
    await page.select_option("#f-tier", "commune")
    await page.select_option("#f-kind", "commune_committee")
    await page.select_option("#f-commune_type", "xa")
    await _submit_form(page, "form[action='/quan-tri/co-quan'] button[type=submit]")
    await page.fill("#p-code", point)
    await page.fill("#p-name", f"Bộ phận Một cửa {name}")
    await page.select_option("#p-agency_code", code)
    await _submit_form(page, "form[action='/quan-tri/diem-tiep-nhan'] button[type=submit]")
    assert await page.locator(f"tr[data-agency='{code}'] [data-point='{point}']").count() == 1


async def _other_agency_dossier(server: str, point: str) -> str:
    """A household-business dossier received at another commune's counter (by a province-wide officer)."""
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await api.post("/api/v1/dossiers", headers=headers, json={
            "procedure": CODES["household-business"], "data": APPLICATIONS["household-business"],
            "channel": "counter", "submitter_kind": "citizen", "reception_point": point})
        assert r.status_code == 201, r.text
        return str(r.json()["code"])


async def _due_now(server: str) -> str:
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.get("/api/v1/calendar/due", params={"procedure": CODES["household-business"]})
        assert r.status_code == 200, r.text
        return str(r.json()["due_local"]).split(" ")[-1]


async def test_admin_sets_up_a_commune_and_its_effects_show_at_360_and_1280(
        server: str, browser: Any, watch: Watch, tmp_path: Any) -> None:
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(PDF)
    today = datetime.now(LOCAL).date()
    cal = default_calendar()
    day_off = cal.next_working_day(today + timedelta(days=1))
    for width, height in ((360, 740), (1280, 900)):
        commune, other, point, other_point, officer = (f"X.{width}", f"Y.{width}", f"Q-{width}", f"QY-{width}",
                                                       f"xa{width}")
        admin = await new_page(browser, watch, width=width, height=height)
        await login(admin, server, "admin")
        await admin.goto(server + "/quan-tri")
        assert admin.url.endswith("/quan-tri/co-quan")
        await _add_agency(admin, server, commune, f"UBND xã Thử {width}", point)
        await _add_agency(admin, server, other, f"UBND xã Khác {width}", other_point)
        await _fits(admin, width)
        await screenshot(admin, f"admin-agencies-{width}")

        # a one-stop officer scoped to the new commune
        await admin.click("a[href='/quan-tri/nguoi-dung']")
        await admin.click("a[href='/quan-tri/nguoi-dung/moi']")
        await admin.fill("#f-username", officer)
        await admin.fill("#f-password", PASSWORD)
        await admin.fill("#f-full_name", "Cán bộ xã Thử")
        await admin.check("#role-one_stop")
        await admin.select_option("#f-agency", commune)
        await _submit_form(admin, "form[action='/quan-tri/nguoi-dung/moi'] button[type=submit]")
        row = admin.locator(f"tr[data-user='{officer}']")
        assert "Cán bộ một cửa" in await row.inner_text() and f"UBND xã Thử {width}" in await row.inner_text()
        await _fits(admin, width)
        await screenshot(admin, f"admin-users-{width}")

        # a provincial day off: the preview says how the due date moves, then it moves
        before = await _due_now(server)
        await admin.click("a[href='/quan-tri/lich']")
        await admin.fill("#f-on", day_off.strftime("%d/%m/%Y"))
        await admin.select_option("#f-kind", "off")
        await admin.fill("#f-note", f"Quyết định nghỉ {width}")
        await admin.select_option("#f-procedure", CODES["household-business"])
        await _submit_form(admin, "button[value=preview]")
        text = await admin.inner_text("#preview-due")
        moved = re.search(r"sẽ hẹn trả .*?(\d\d/\d\d/\d{4}) thay vì .*?(\d\d/\d\d/\d{4})", text)
        assert moved and moved.group(2) == before and moved.group(1) != before, text
        await _fits(admin, width)
        await screenshot(admin, f"admin-calendar-preview-{width}")
        await _submit_form(admin, "button[value=save]")
        assert await admin.locator(f"tr[data-on='{day_off.isoformat()}']").count() == 1
        assert await _due_now(server) == moved.group(1)
        day_off = cal.next_working_day(day_off + timedelta(days=1))  # the next run's day

        # a paper-free rule for birth registration at the new commune's counter
        await admin.click("a[href='/quan-tri/khong-giay']")
        rule = f"Không giấy tại xã Thử {width}"
        await admin.fill("#f-name", rule)
        await admin.check(f"input[name=procedure_codes][value='{CODES['birth-registration']}']")
        await admin.check(f"input[name=reception_points][value='{point}']")
        await admin.fill("#f-start_on", today.strftime("%d/%m/%Y"))
        await _submit_form(admin, "button[value=preview]")
        message = await admin.inner_text("#preview-message")
        assert rule in message and "không tiếp nhận hồ sơ giấy" in message
        await _fits(admin, width)
        await screenshot(admin, f"admin-paper-free-preview-{width}")
        await _submit_form(admin, "button[value=save]")
        assert await admin.locator("#rules", has_text=rule).count() == 1
        await admin.context.close()

        # the scoped officer: the paper dossier is refused with the rule's message, the assisted one is taken
        elsewhere = await _other_agency_dossier(server, other_point)
        staff = await new_page(browser, watch, width=width, height=height)
        await login(staff, server, officer)
        await staff.goto(f"{server}/can-bo/tiep-nhan/{CODES['birth-registration']}")
        counters = await staff.locator("#reception_point option").all_inner_texts()
        assert counters == [f"Bộ phận Một cửa UBND xã Thử {width}"]
        await _fill_birth_application(staff)
        await staff.set_input_files("[name=birth_certificate]", str(certificate))
        await _submit_form(staff, "#intake-submit")
        refused = await staff.inner_text("#channel-refused")
        assert rule in refused and "không tiếp nhận hồ sơ giấy" in refused and "trực tuyến" in refused
        await _fits(staff, width)
        await screenshot(staff, f"admin-journey-intake-refused-{width}")
        await staff.check("#mode-assisted")
        await staff.set_input_files("[name=birth_certificate]", str(certificate))
        await _submit_form(staff, "#intake-submit")
        assert "/can-bo/ho-so/" in staff.url, await staff.inner_text("main")
        mine = staff.url.rsplit("/", 1)[-1]
        await staff.goto(server + "/can-bo")
        listed = await staff.locator("tr[data-dossier]").evaluate_all("rows => rows.map(r => r.dataset.dossier)")
        assert mine in listed and elsewhere not in listed and set(listed) == {mine}, listed
        await _fits(staff, width)
        await screenshot(staff, f"admin-journey-scoped-inbox-{width}")
        r = await staff.context.request.get(f"{server}/can-bo/ho-so/{elsewhere}")  # same session, no console
        assert r.status == 404 and "text/html" in r.headers["content-type"]
        await staff.context.close()
