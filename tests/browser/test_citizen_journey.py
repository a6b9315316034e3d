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
