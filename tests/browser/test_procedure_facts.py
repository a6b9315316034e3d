"""The published facts of a procedure on a phone (360 px, no JavaScript), and the designer's facts
editor used the same way: screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Watch, login, new_page, screenshot


async def test_procedure_page_shows_fees_components_and_delivery_at_360px(
        server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360, javascript=False)
    await page.goto(server + "/thu-tuc/2.000720")
    fees = await page.inner_text("#fees")
    assert "Lệ phí đăng ký hộ kinh doanh" in fees and "Hội đồng nhân dân cấp tỉnh" in fees
    assert "Không" not in fees.split()
    assert "3 ngày làm việc" in await page.inner_text("#time-limit")
    assert await page.inner_text("#level") == "Trực tuyến toàn trình"
    assert "Nhà nước đã có, không phải nộp" in await page.inner_text("#components")
    assert "Nghị định số 168/2025/NĐ-CP" in await page.inner_text("#legal-basis")
    assert "Nhận qua dịch vụ bưu chính công ích" in await page.inner_text("#delivery")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "procedure-facts-360")
    await page.goto(server + "/thu-tuc/1.001193")
    assert "Miễn phí, lệ phí" in await page.inner_text("#fees")
    await page.context.close()


async def test_admin_adds_a_fee_row_without_javascript_at_360px(server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360, javascript=False)
    await login(page, server, "admin")
    await page.goto(server + "/designer/1.001193/metadata")
    assert await page.input_value("#fees-0-amount") == "0"
    await page.click("#add-fees")
    await page.wait_for_load_state("load")
    assert await page.locator("#fees-1-name").count() == 1
    await page.fill("#time_limit", "hai")
    await page.select_option("#time_unit", "working_days")
    await page.click("#save")
    await page.wait_for_load_state("load")
    assert "Thời hạn giải quyết: nhập một số lớn hơn 0" in await page.inner_text("#problems")
    assert await page.input_value("#time_limit") == "hai"  # kept as typed
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "designer-metadata-360")
    await page.context.close()
