"""The citizen's account page and the admins' "cần xử lý" list in Chromium at 360 px, without
JavaScript: no horizontal scroll, and the export button downloads a ZIP holding the README."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from tests.browser.conftest import Watch, login, new_page, screenshot


async def test_account_page_and_export_at_360_px_without_javascript(server: str, browser: Any, watch: Watch,
                                                                     tmp_path: Path) -> None:
    page = await new_page(browser, watch, width=360, height=740, javascript=False)
    await login(page, server, "citizen")
    response = await page.goto(server + "/tai-khoan")
    assert response is not None and response.status == 200
    assert await page.locator("h1").inner_text() == "Tài khoản của tôi"
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "account-360")
    async with page.expect_download() as info:
        await page.click("#export")
    download = await info.value
    target = tmp_path / download.suggested_filename
    await download.save_as(str(target))
    assert target.suffix == ".zip"
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as z:
        assert "README.txt" in z.namelist() and "nhat-ky-truy-cap.json" in z.namelist()
    await page.context.close()

    admin = await new_page(browser, watch, width=360, height=740, javascript=False)
    await login(admin, server, "admin")
    response = await admin.goto(server + "/quan-tri/can-xu-ly")
    assert response is not None and response.status == 200
    assert await admin.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(admin, "attention-360")
    await admin.context.close()
