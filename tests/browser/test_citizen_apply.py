"""The application page in a real browser at 360 px: a hide rule acts live with JavaScript and
stays the server's with it off; an uploaded file survives an error elsewhere on the form."""

from __future__ import annotations

import json
from typing import Any

from forms.client import tree_of
from forms.feel import compile_expression
from tests.browser.conftest import Watch, login, new_page, screenshot
from tests.browser.test_citizen_journey import PDF, _fill_birth_application
from tests.conftest import shared_path

APPLY = "/nop-ho-so/1.001193"


def _client_vectors() -> list[list[Any]]:
    """The shared FEEL parity vectors the browser may decide: [JSON tree, context, form-js's answer]."""
    vectors = json.loads(shared_path("frontend", "feel_parity.json").read_text(encoding="utf-8"))
    return [[tree, v["ctx"], v["feelin_unaryTest"]] for v in vectors
            if (tree := tree_of(compile_expression(v["expr"]).tree)) is not None]


async def test_hide_rule_acts_without_a_round_trip_and_agrees_with_the_server(
        server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360)
    await login(page, server, "citizen")
    await page.goto(server + APPLY)
    upload = page.locator("#f-authorisation")
    assert not await upload.is_visible()
    await page.evaluate("window.__same_page = true")
    await page.select_option("[name='requester_relationship']", "authorised")
    await upload.wait_for(state="visible")  # shown in place: no post, the page is the same
    assert await page.evaluate("window.__same_page === true") and page.url == server + APPLY
    await screenshot(page, "apply-hide-rule-shown-360")
    await page.select_option("[name='requester_relationship']", "mother")
    await upload.wait_for(state="hidden")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    # the browser decides the shared FEEL vectors as form-js does (those it may decide at all)
    vectors = _client_vectors()
    assert len(vectors) >= 20
    got = await page.evaluate("vs => vs.map(([t, ctx]) => window.MotcuaHide.unaryTest(t, ctx))", vectors)
    assert got == [v[2] for v in vectors]
    await page.context.close()


async def test_without_javascript_the_server_decides_the_hide_rule(server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360, javascript=False)
    await login(page, server, "citizen")
    await page.goto(server + APPLY)
    await page.select_option("[name='requester_relationship']", "authorised")
    assert not await page.locator("#f-authorisation").is_visible()  # nothing happens until the post
    await page.click("#submit")
    await page.wait_for_load_state("load")
    assert await page.locator("#f-authorisation").is_visible()
    assert "Tải lên văn bản ủy quyền" in await page.inner_text(".mc-error-summary")
    await page.context.close()


async def test_an_uploaded_file_is_kept_after_an_error_at_360_px(server: str, browser: Any, watch: Watch) -> None:
    page = await new_page(browser, watch, width=360)
    await login(page, server, "citizen")
    await page.goto(server + APPLY)
    await _fill_birth_application(page)
    await page.fill("[name='mother.full_name']", "")
    await page.set_input_files("[name='birth_certificate']", files=[
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await page.click("#submit")
    await page.wait_for_load_state("load")
    summary = await page.inner_text(".mc-error-summary")
    assert "Thông tin người mẹ: Nhập họ, chữ đệm và tên" in summary and "giấy chứng sinh" not in summary
    kept = await page.inner_text("#f-birth_certificate-current")
    assert f"Đã tải lên: giay-chung-sinh.pdf ({len(PDF)} B)" in kept
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "apply-upload-kept-360")
    await page.fill("[name='mother.full_name']", "Trần Thị Hoa")
    await page.click("#submit")  # the file is not chosen again
    await page.wait_for_load_state("load")
    assert "/xong/" in page.url, await page.inner_text("main")
    await screenshot(page, "apply-confirmation-360")
    await page.context.close()


async def test_each_notification_checkbox_sits_on_its_own_label_at_360_px(
        server: str, browser: Any, watch: Watch) -> None:
    """The channel choices under "Nhận thông báo về hồ sơ qua": a box on a line above its label reads as the
    previous label's box (the site-wide `label{display:block}`); each box shares the line of its label."""
    page = await new_page(browser, watch, width=360, javascript=False)
    await login(page, server, "citizen")
    await page.goto(server + APPLY)
    for channel in ("email", "sms", "ascii"):
        box = await page.locator(f"#notify-{channel}").bounding_box()
        label = await page.locator(f"label[for='notify-{channel}']").bounding_box()
        assert box and label
        assert label["y"] < box["y"] + box["height"] and box["y"] < label["y"] + label["height"], (channel, box, label)
        assert label["x"] >= box["x"] + box["width"], (channel, box, label)  # beside it, to the right
    await page.click("label[for='notify-sms']")  # the label still ticks its own box
    assert await page.is_checked("#notify-sms") and not await page.is_checked("#notify-email")
    await screenshot(page, "apply-notify-choices-360")
    await page.context.close()
