"""A signed-out citizen on a phone, without JavaScript: the apply page explains why an account is
needed, registration with the demo's code signs them in and brings them back to the apply page."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watch, new_page, screenshot

APPLY = "/nop-ho-so/1.001193"


async def test_a_citizen_registers_from_the_apply_page_and_comes_back_signed_in(
        server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360, height=740, javascript=False)
    await page.goto(server + APPLY)
    assert await page.locator("h1").inner_text() == "Cần đăng nhập để nộp hồ sơ"
    assert await page.locator("text=Vì sao cần tài khoản?").count() == 1
    await screenshot(page, "apply-signed-out-360")
    await page.click("#register")
    await page.fill("#full_name", "Phạm Thị Thu")
    await page.fill("#address", "0398 765 432")
    await page.fill("#password", "mat-khau-cua-thu")
    await page.fill("#password_confirm", "mat-khau-cua-thu")
    await page.click("button[type=submit] >> text=Nhận mã xác minh")
    await page.wait_for_load_state("load")
    assert page.url == server + "/dang-ky/xac-minh"
    box = page.locator("#demo-code")
    assert "Bản demo" in await box.inner_text()
    code = await box.locator("strong[translate=no]").inner_text()
    assert len(code) == 6 and code.isdigit()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "register-confirm-360")
    await page.fill("#code", code)
    await page.click("button[type=submit] >> text=Xác minh và đăng nhập")
    await page.wait_for_load_state("load")
    assert page.url == server + APPLY
    assert await page.locator("#apply-form").count() == 1
    assert "Phạm Thị Thu" in await page.locator(".mc-user").inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.context.close()
