"""The staff inbox and dossier page at phone and desktop width: cards, labelled data, history
sentences and the step buttons, with no horizontal scroll and no English on the Vietnamese page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watch, accepted_dossier, login, new_page, screenshot


async def test_inbox_cards_and_dossier_page_at_360_and_1280(server: str, browser: Any, watch: Watch) -> None:
    code = await accepted_dossier(server)
    for width, height in ((360, 740), (1280, 900)):
        page = await new_page(browser, watch, width=width, height=height)
        await login(page, server, "specialist")
        await page.goto(server + "/can-bo")
        row = page.locator(f"tr[data-dossier='{code}']")
        assert await row.count() == 1
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await screenshot(page, f"staff-inbox-{width}")
        await page.goto(f"{server}/can-bo/ho-so/{code}")
        await page.wait_for_selector("#diagram[data-ready='1']")
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        main = await page.inner_text("main")
        assert "Chủ hộ kinh doanh" in main and "Có" in main and "owner_full_name" not in main
        assert "đã tiếp nhận hồ sơ" in main
        assert await page.locator("[data-step='request_supplement']").count() == 1
        for english in ("Submitted", "Accepted", "Yes", "None", "Request a supplement"):
            assert english not in main, english
        await screenshot(page, f"staff-dossier-{width}")
        await page.context.close()


async def test_a_specialist_refuses_with_reasons_at_360_and_the_citizen_reads_them_and_form_03(
        server: str, browser: Any, watch: Watch) -> None:
    code = await accepted_dossier(server)
    reason = "Tên hộ kinh doanh trùng với hộ kinh doanh đã đăng ký trong phạm vi cấp xã"
    page = await new_page(browser, watch, width=360, height=740)
    await login(page, server, "specialist")
    await page.goto(f"{server}/can-bo/ho-so/{code}")
    await page.click("[data-step='refuse']")
    await page.wait_for_selector("#step-form")
    await page.click("#confirm")  # no reason: the form comes back with the error, nothing is lost
    assert "Hãy ghi rõ lý do." in await page.inner_text("#error-summary")
    await page.fill("#reason", reason)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "staff-refuse-form-360")
    await page.click("#confirm")
    await page.wait_for_selector("#step-message")
    main = await page.inner_text("main")
    assert "Đã xử lý xong" in main and f"Cán bộ specialist đã từ chối hồ sơ: {reason}" in main
    assert await page.locator("#form-03").count() == 1
    assert await page.locator("[data-step]").count() == 0  # nothing more for the specialist: the one-stop unit
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "staff-refused-dossier-360")
    await page.context.close()

    page = await new_page(browser, watch, width=360, height=740)
    await login(page, server, "citizen")
    await page.goto(f"{server}/tra-cuu/{code}")
    assert reason in await page.inner_text("#refusal")
    await page.click("#form-03")
    await page.wait_for_selector("#reasons")
    assert reason in await page.inner_text("#reasons")
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in await page.inner_text("h1")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "citizen-form-03-360")
    await page.emulate_media(media="print")  # printed: the notice only, no site header
    assert not await page.locator("header").first.is_visible()
    assert await page.locator("#form-03").is_visible()
    await page.context.close()
