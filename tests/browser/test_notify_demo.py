"""A citizen ticks "e-mail" when applying (360 px); with the demo catcher on (the shared browser
server runs it, with the embedded scheduler), the message with the dossier code and the tracking
link shows at /dev/mail."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.browser.conftest import Watch, login, new_page, screenshot
from tests.browser.test_citizen_journey import PDF, _fill_birth_application


async def test_a_citizen_choosing_email_finds_the_message_at_dev_mail(server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360)
    await login(page, server, "citizen")
    await page.goto(server + "/nop-ho-so/1.001193")
    await _fill_birth_application(page)
    await page.fill("[name='requester_email']", "tran.thi.hoa@example.vn")
    await page.set_input_files("[name='birth_certificate']", files=[
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await page.check("#notify-email")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.click("#submit")
    await page.wait_for_load_state("load")
    assert "/xong/" in page.url, await page.inner_text("main")
    code = page.url.rsplit("/", 1)[1]
    for _ in range(100):  # the embedded scheduler delivers the outbox every 0.5 s
        await page.goto(server + "/dev/mail")
        if code in await page.inner_text("main"):
            break
        await asyncio.sleep(0.2)
    mine = page.locator("#mailbox li", has_text=code)
    assert await mine.count() == 1  # e-mail only: SMS was not ticked
    text = await mine.inner_text()
    assert f"Hồ sơ {code} đã được nộp" in text and "tran.thi.hoa@example.vn" in text and text.startswith("E-mail")
    assert f"{server}/tra-cuu?ma={code}" in text
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "dev-mail-360")
    await page.context.close()
