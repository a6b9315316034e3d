"""The new form pages (Form 06 control sheet, Form 07 register) at phone width: no horizontal
scroll, and their "Tải PDF" links give a PDF in the signed-in browser session."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watch, accepted_dossier, login, new_page, screenshot


async def test_control_sheet_and_register_at_360_with_their_pdfs(server: str, browser: Any, watch: Watch) -> None:
    code = await accepted_dossier(server)
    page = await new_page(browser, watch, width=360, height=740)
    await login(page, server, "officer")
    await page.goto(f"{server}/can-bo/ho-so/{code}")
    await page.click("#form-06")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in await page.inner_text("main")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "form-06-360")
    await page.goto(f"{server}/quan-ly/so-theo-doi")
    assert await page.locator(f"tr[data-code='{code}']").count() == 1
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "form-07-360")
    href = await page.get_attribute("#register-pdf", "href")
    assert href
    r = await page.request.get(server + href)
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    assert (await r.body()).startswith(b"%PDF-")
    await page.context.close()


async def test_the_print_buttons_appear_only_when_they_can_print(server: str, browser: Any, watch: Watch) -> None:
    """"In" calls window.print() from print.js: with JavaScript off the button would do nothing, so it stays
    hidden (the browser's own Print still works); with JavaScript on it is shown."""
    code = await accepted_dossier(server)
    for javascript in (False, True):
        page = await new_page(browser, watch, width=360, height=740, javascript=javascript)
        await login(page, server, "officer")
        for path in ("/quan-ly/so-theo-doi", f"/can-bo/ho-so/{code}/mau-06", f"/dossiers/{code}/receipt"):
            await page.goto(server + path)
            button = page.locator("[data-print]")
            assert await button.count() == 1, path
            if javascript:
                await button.wait_for(state="visible")
            else:
                assert not await button.is_visible(), path
        await page.context.close()
