"""Citizen and staff journeys in a real browser (Debian chromium), offline, no console errors."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watch, login, new_page, screenshot


async def test_citizen_finds_birth_registration_with_and_without_diacritics(
        server: str, browser: Any, watch: Watch) -> None:
    for width in (360, 1280):
        page = await new_page(browser, watch, width=width)
        await page.goto(server + "/")
        await screenshot(page, f"catalogue-{width}")
        for query in ("khai sinh", "dang ky khai sinh"):
            await page.fill("#q", query)
            await page.click("button[type=submit] >> text=Tìm kiếm")
            await page.wait_for_load_state("load")
            links = await page.locator("#results a").all_inner_texts()
            assert links == ["Đăng ký khai sinh"], (query, links)
        # no layout break at 360 px: nothing wider than the viewport
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.click("#results a")
        await page.wait_for_load_state("load")
        assert "1.001193" in await page.inner_text("main")
        await screenshot(page, f"procedure-{width}")
        await page.context.close()


async def test_staff_signs_in_and_sees_the_inbox(server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch)
    await login(page, server, "officer")
    await page.goto(server + "/can-bo")
    assert await page.locator("h1").inner_text() == "Việc cần xử lý"
    await screenshot(page, "inbox-1280")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _fill_birth_application(page: Any) -> None:
    await page.fill("[name=child_full_name]", "Nguyễn Văn Bình")
    for part, value in (("day", "01"), ("month", "11"), ("year", "2026")):
        await page.fill(f"[name='child_date_of_birth-{part}']", value)
    await page.check("input[name='child_sex'][value='male']")
    await page.select_option("[name='child_ethnicity']", "kinh")
    await page.select_option("[name='child_nationality']", "VN")
    await page.fill("[name='child_place_of_birth']", "Bệnh viện Phụ sản Hà Nội")
    await page.fill("[name='child_home_town']", "Xã Đông Anh, Hà Nội")
    await page.fill("[name='mother.full_name']", "Trần Thị Hoa")
    await page.fill("[name='mother.birth_year']", "1995")
    await page.select_option("[name='mother.ethnicity']", "kinh")
    await page.select_option("[name='mother.nationality']", "VN")
    await page.fill("[name='mother.residence']", "Phường Ba Đình, Hà Nội")
    await page.fill("[name='requester_full_name']", "Trần Thị Hoa")
    await page.fill("[name='requester_id_number']", "001195012345")
    await page.select_option("[name='requester_relationship']", "mother")
    await page.fill("[name='requester_phone']", "0912345678")
    await page.check("input[name='delivery_method'][value='electronic']")
    if await page.locator("#f-agency").count():  # communes exist (another test added some): pick one, as asked
        await page.select_option("#f-agency", index=1)


async def _complete_task(page: Any, server: str, dossier_code: str, fill: dict[str, str], width: int,
                         name: str) -> None:
    await page.goto(server + "/can-bo")
    row = page.locator(f"tr[data-dossier='{dossier_code}']")
    await row.locator("button >> text=Nhận xử lý").click()  # claim and open
    await page.wait_for_load_state("load")
    assert "/can-bo/viec/" in page.url
    for field, value in fill.items():
        target = page.locator(f"[name='{field}']")
        kind = await target.first.get_attribute("type")
        if kind == "radio":
            await page.check(f"input[name='{field}'][value='{value}']")
        elif kind == "checkbox":
            await page.check(f"input[name='{field}']")
        elif await target.first.evaluate("e => e.tagName") == "SELECT":
            await page.select_option(f"[name='{field}']", value)
        else:
            await page.fill(f"[name='{field}']", value)
    await screenshot(page, f"task-{name}-{width}")
    await page.click("#complete")
    await page.wait_for_load_state("load")
    assert page.url.endswith(f"ho_so={dossier_code}"), page.url


async def test_citizen_applies_staff_handle_each_task_citizen_tracks_and_rates(
        server: str, browser: Any, watch: Watch, tmp_path: Any) -> None:
    certificate = tmp_path / "giay-chung-sinh.pdf"
    certificate.write_bytes(PDF)
    citizen = await new_page(browser, watch, width=360, height=740)
    await login(citizen, server, "citizen")
    await citizen.goto(server + "/?q=khai+sinh")
    await citizen.click("#results a")
    await citizen.click("#apply")
    await citizen.wait_for_load_state("load")
    await screenshot(citizen, "apply-empty-360")
    await citizen.click("#submit")  # nothing filled: field errors, summary on top
    await citizen.wait_for_load_state("load")
    assert await citizen.title() != "" and (await citizen.title()).startswith("Lỗi")
    summary = citizen.locator(".mc-error-summary")
    assert await summary.count() >= 1 and "child_full_name" in (await summary.first.inner_html())
    await screenshot(citizen, "apply-errors-360")
    await _fill_birth_application(citizen)
    await citizen.set_input_files("[name=birth_certificate]", str(certificate))
    await citizen.click("#submit")
    await citizen.wait_for_load_state("load")
    if await citizen.locator("#dossier-code").count() == 0:
        await screenshot(citizen, "apply-unexpected-360")
        raise AssertionError(await citizen.inner_text("main"))
    code = (await citizen.inner_text("#dossier-code")).strip()
    assert code.endswith("-0001") or "-" in code
    await screenshot(citizen, "confirmation-360")

    staff = await new_page(browser, watch, width=1280)
    for username, fill, name in [
        ("officer", {"intake_decision": "accept"}, "intake"),
        ("specialist", {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện đăng ký"}, "appraisal"),
        ("leader", {"approval_decision": "sign"}, "approval"),
        ("officer", {"returned_via": "electronic", "result_handed_over": "y"}, "return"),
    ]:
        await staff.context.clear_cookies()
        await login(staff, server, username)
        await _complete_task(staff, server, code, fill, 1280, name)
    await staff.goto(f"{server}/can-bo/ho-so/{code}")
    await staff.wait_for_selector("#diagram[data-ready='1']")
    await screenshot(staff, "dossier-1280")
    assert "Đã trả kết quả" in await staff.inner_text("#status")

    tracker = await new_page(browser, watch, width=360, height=740)  # tracking without an account
    await tracker.goto(server + "/tra-cuu")
    await tracker.fill("#code", code)
    await tracker.fill("#factor", "0912 345 678")
    await tracker.click("button >> text=Tra cứu")
    await tracker.wait_for_load_state("load")
    assert "Đã trả kết quả" in await tracker.inner_text("#status")
    assert await tracker.locator("#result").count() == 1
    await tracker.check("#score-5")
    await tracker.click("button >> text=Gửi đánh giá")
    await tracker.wait_for_load_state("load")
    assert await tracker.locator("#rated").count() == 1
    await screenshot(tracker, "tracking-360")
    for p in (citizen, staff, tracker):
        assert await p.evaluate("document.documentElement.scrollWidth") <= p.viewport_size["width"]


async def test_every_page_renders_at_phone_and_desktop_width_without_horizontal_scroll(
        server: str, browser: Any, watch: Watch) -> None:
    """Screenshots of each page at 360 and 1280 px (test-artifacts/), with no layout break."""
    pages = {"citizen": ["/", "/thu-tuc/1.001193", "/nop-ho-so/1.001193", "/tra-cuu", "/login"],
             "officer": ["/can-bo", "/can-bo/tiep-nhan", "/can-bo/tiep-nhan/2.000720"]}
    for width, height in ((360, 740), (1280, 900)):
        for username, paths in pages.items():
            page = await new_page(browser, watch, width=width, height=height)
            await login(page, server, username)
            for path in paths:
                response = await page.goto(server + path)
                assert response is not None and response.status == 200, path
                assert await page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
                name = path.strip("/").replace("/", "_").replace(".", "-") or "home"
                await screenshot(page, f"page-{name}-{width}")
            await page.context.close()
