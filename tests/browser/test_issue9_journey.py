"""Issue 9's main acceptance journey, through the pages only, in a real browser at 360 and 1280 px:
an admin builds a procedure from the starter in the Vietnamese designer (a leader's approval step in
its own lane, a CCCD field from the palette, a guided condition, the lifecycle defaults) and
publishes it; a citizen finds it, applies (the CCCD checked) and tracks it by code and phone; the
one-stop officer accepts (receipt, due date), requests a supplement, the citizen uploads it, the
officer records it, the leader approves, the officer returns the result with a channel; the dossier
ends in status 10 with the citizen's rating. Screenshots of each stage go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import Watch, login, new_page, screenshot, wait_for_js
from tests.browser.test_designer import center, ids_of, name_and_role, open_group, select, wait_saved
from tests.browser.test_designer import check as check_model
from tests.browser.test_designer import drag as drag_to
from tests.browser.test_designer import end_label_editing as end_label_editing_safe
from tests.browser.test_designer_vn import new_procedure
from tests.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = "0987654321"
CCCD = "001203004567"
COND = "#bio-properties-panel-motcua-condition-expression"


async def no_scroll(page: Any, where: str) -> None:
    width = page.viewport_size["width"]
    assert await page.evaluate("document.documentElement.scrollWidth") <= width, (where, width)


async def design_and_publish(browser: Any, watch: Watch, server: str, code: str, name: str) -> None:
    page = await new_page(browser, watch, width=1400, height=950)
    await login(page, server, "admin")
    await new_procedure(page, server, code, name)
    pid = "Participant_Process_" + code.replace(".", "_")

    # a guided condition on the refusal branch: field, comparison, value
    await page.evaluate("""(id) => { const m = window.motcuaModeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", "Flow_gateway_refuse")
    await open_group(page, "motcua-condition")
    await page.select_option(COND + "-mode", "guided")
    await page.select_option(COND + "-field", "intake_decision")
    await page.select_option(COND + "-op", "==")
    if await page.locator(COND + "-value").evaluate("e => e.tagName") == "SELECT":
        await page.select_option(COND + "-value", "refuse")
    else:
        await page.fill(COND + "-value", "refuse")
    await page.press(COND + "-value", "Tab")
    await wait_for_js(page, """() => window.motcuaModeler.get('elementRegistry').get('Flow_gateway_refuse')
        .businessObject.conditionExpression.body === 'intake_decision == "refuse"'""")
    # a leader's approval step dropped on the flow accepted → return the result, in a lane of its own
    await page.click(".djs-palette [data-action='create.user-task']")
    x, y = await center(page, "Flow_gateway_accept")
    await page.mouse.move(x - 40, y + 30, steps=4)
    await page.mouse.move(x, y, steps=4)
    await page.mouse.click(x, y)
    [approve] = [t for t in await ids_of(page, "bpmn:UserTask") if t not in ("intake", "return_result")]
    await end_label_editing_safe(page)
    await select(page, pid, header=True)
    await page.click(".djs-context-pad [data-action='lane-insert-below']")
    [lower] = [lane for lane in await ids_of(page, "bpmn:Lane") if lane != "Lane_one_stop"]
    start, target = await center(page, approve), await center(page, lower)
    await page.mouse.move(*start)
    await page.mouse.down()
    await page.mouse.move(start[0] + 10, start[1] + 10, steps=3)
    await page.mouse.move(start[0], target[1], steps=8)
    await page.mouse.up()
    await name_and_role(page, lower, "Lãnh đạo phê duyệt", "leader")
    await select(page, approve)
    await open_group(page, "general")
    await page.fill("#bio-properties-panel-name", "Phê duyệt kết quả")

    await wait_saved(page)
    await screenshot(page, f"j9-{code}-designer-model")

    # a CCCD field from the form palette on the application form
    await page.goto(f"{server}/designer/{code}/forms/application")
    await page.wait_for_selector("#form-editor[data-ready='1']")
    cccd = page.locator(".fjs-palette-field[data-field-type='motcua_cccd']")
    assert (await cccd.inner_text()).strip() == "Số CCCD"
    await drag_to(page, cccd, page.locator(".fjs-form-container .fjs-drop-container-vertical").first)
    await wait_for_js(page, """JSON.stringify(window.motcuaFormEditor.saveSchema()).includes('"motcua:type":"cccd"')""")
    await page.click("#btn-save-form")
    await wait_for_js(page, "document.getElementById('form-status').dataset.state === 'saved'")
    await screenshot(page, f"j9-{code}-designer-form")

    # the lifecycle defaults, previewed then applied in one click
    await page.goto(f"{server}/designer/{code}/lifecycle")
    await screenshot(page, f"j9-{code}-designer-lifecycle")
    if await page.locator("#apply-lifecycle").count():
        await page.click("#apply-lifecycle")
        await page.wait_for_selector("#lifecycle-applied")
    else:
        await page.goto(f"{server}/designer/{code}")
    await page.wait_for_selector("#canvas[data-ready='1']")
    problems = await check_model(page)
    assert problems == [], problems
    await page.click("#btn-publish")
    await page.wait_for_selector("#designer-message:not([hidden])")
    assert "Đã xuất bản phiên bản 1" in await page.inner_text("#designer-message")
    await screenshot(page, f"j9-{code}-designer-published")
    await page.context.close()


async def claim_and_complete(page: Any, server: str, code: str, fill: dict[str, str], shot: str) -> None:
    await page.goto(server + "/can-bo")
    await page.locator(f"[data-dossier='{code}']").locator("button >> text=Nhận xử lý").click()
    await page.wait_for_load_state("load")
    assert "/can-bo/viec/" in page.url, page.url
    assert await page.evaluate("typeof window.MotcuaHide") == "object", "the task page runs the live hide rules"
    for field, value in fill.items():
        if await page.locator(f"input[type=radio][name='{field}']").count():
            await page.check(f"input[name='{field}'][value='{value}']")
        else:
            await page.fill(f"[name='{field}']", value)
    await no_scroll(page, shot)
    await screenshot(page, shot)
    await page.click("#complete")
    await page.wait_for_load_state("load")


async def step(page: Any, server: str, code: str, command: str, shot: str, **inputs: str) -> None:
    await page.goto(f"{server}/can-bo/ho-so/{code}")
    await page.click(f"[data-step='{command}']")
    await page.wait_for_selector("#step-form")
    for field, value in inputs.items():
        await page.fill(f"#{field}", value)
    await no_scroll(page, shot)
    await screenshot(page, shot)
    await page.click("#confirm")
    await page.wait_for_selector("#step-message")


@pytest.mark.parametrize("width", [360, 1280])
async def test_issue9_admin_builds_citizen_applies_staff_decide_the_dossier_ends_returned_and_rated(
        server: str, browser: Any, watch: Watch, tmp_path: Any, width: int) -> None:
    code, name = f"9.009{width:03d}", f"Cấp giấy xác nhận hành trình {width}"
    height = 740 if width == 360 else 900
    await design_and_publish(browser, watch, server, code, name)
    tag = f"j9-{width}"

    # the citizen finds the published procedure in the catalogue and applies
    citizen = await new_page(browser, watch, width=width, height=height)
    await login(citizen, server, "citizen")
    await citizen.goto(server + "/?q=" + "hành trình")
    assert name in await citizen.locator("#results").inner_text()
    await citizen.click(f"#results a >> text={name}")
    await citizen.wait_for_load_state("load")
    await screenshot(citizen, f"{tag}-procedure")
    await citizen.click("#apply")
    await citizen.wait_for_load_state("load")
    await citizen.fill("[name=applicant_name]", "Lê Thị Hạnh")
    await citizen.fill("[name=applicant_phone]", PHONE)
    await citizen.fill("[name=so_dinh_danh]", "12345")  # not a CCCD: refused, the input kept
    await citizen.click("#submit")
    await citizen.wait_for_load_state("load")
    assert await citizen.locator("#dossier-code").count() == 0
    assert "so_dinh_danh" in await citizen.locator(".mc-error-summary").first.inner_html()
    assert await citizen.input_value("[name=applicant_name]") == "Lê Thị Hạnh"
    await no_scroll(citizen, "apply errors")
    await screenshot(citizen, f"{tag}-apply-cccd-error")
    await citizen.fill("[name=so_dinh_danh]", CCCD)
    await citizen.click("#submit")
    await citizen.wait_for_load_state("load")
    if await citizen.locator("#dossier-code").count() == 0:
        await screenshot(citizen, f"{tag}-apply-unexpected")
        raise AssertionError(await citizen.inner_text("main"))
    dossier = (await citizen.inner_text("#dossier-code")).strip()
    await screenshot(citizen, f"{tag}-confirmation")

    # tracking by code and phone, without an account
    tracker = await new_page(browser, watch, width=width, height=height)

    async def track() -> str:
        await tracker.goto(server + "/tra-cuu")
        await tracker.fill("#code", dossier)
        await tracker.fill("#factor", PHONE)
        await tracker.click("button >> text=Tra cứu")
        await tracker.wait_for_load_state("load")
        assert await tracker.locator("#status").count() == 1, await tracker.inner_text("main")
        return str(await tracker.inner_text("#status"))

    assert "Mới đăng ký" in await track()
    await screenshot(tracker, f"{tag}-tracking-new")

    # the one-stop officer accepts: receipt (Form 01), legal clock started
    staff = await new_page(browser, watch, width=width, height=height)
    await login(staff, server, "officer")
    await claim_and_complete(staff, server, dossier, {"intake_decision": "accept"}, f"{tag}-officer-intake")
    await staff.goto(f"{server}/can-bo/ho-so/{dossier}")
    assert await staff.locator("#status").count() == 1
    assert "Mới đăng ký" not in await staff.inner_text("#status")
    await staff.goto(f"{server}/dossiers/{dossier}/receipt")
    receipt = await staff.inner_text("body")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt.upper() and dossier in receipt
    assert (await staff.inner_text("#applicant")).strip() == "Lê Thị Hạnh"
    assert await staff.locator("#appointment").count() == 1 and "ngày" in await staff.inner_text("#appointment")
    await screenshot(staff, f"{tag}-receipt")
    assert "Mới đăng ký" not in await track()
    assert await tracker.locator("#due").count() == 1, "the due date shows once the clock started"

    # the leader, at the approval step, requests a supplement; the citizen sees what is asked, uploads it
    asked = "Bản sao giấy xác nhận nơi cư trú có chứng thực"
    leader = await new_page(browser, watch, width=width, height=height)
    await login(leader, server, "leader")
    await step(leader, server, dossier, "request_supplement", f"{tag}-leader-supplement", reason=asked)
    assert "Chờ bổ sung" in await track() or await tracker.locator("#supplement").count() == 1
    assert asked in await tracker.inner_text("#supplement")
    await no_scroll(tracker, "tracking supplement")
    await screenshot(tracker, f"{tag}-tracking-supplement")
    upload = tmp_path / "xac-nhan-cu-tru.pdf"
    upload.write_bytes(PDF)
    await tracker.set_input_files("[name=files]", str(upload))
    await tracker.click("button >> text=Gửi bổ sung")
    await tracker.wait_for_load_state("load")
    await screenshot(tracker, f"{tag}-tracking-uploaded")
    assert "Đã gửi giấy tờ bổ sung" in await tracker.inner_text("#supplement-notice")

    # the officer sees the upload and records it
    await staff.goto(f"{server}/can-bo/ho-so/{dossier}")
    await staff.click("[data-step='receive_supplement']")
    await staff.wait_for_selector("#arrivals li")
    assert "xac-nhan-cu-tru.pdf" in await staff.inner_text("#arrivals")
    await screenshot(staff, f"{tag}-officer-receive")
    await staff.click("#confirm")
    await staff.wait_for_selector("#step-message")

    # the leader approves
    await claim_and_complete(leader, server, dossier, {}, f"{tag}-leader-approve")

    # the officer returns the result with the channel used
    await claim_and_complete(staff, server, dossier, {"returned_via": "electronic"}, f"{tag}-officer-return")
    await staff.goto(f"{server}/can-bo/ho-so/{dossier}")
    assert "Đã trả kết quả" in await staff.inner_text("#status")
    await no_scroll(staff, "dossier page")
    await screenshot(staff, f"{tag}-dossier-returned")

    # the citizen sees the result and rates it
    assert "Đã trả kết quả" in await track()
    assert await tracker.locator("#result").count() == 1
    await tracker.check("#score-5")
    await tracker.click("button >> text=Gửi đánh giá")
    await tracker.wait_for_load_state("load")
    assert await tracker.locator("#rated").count() == 1
    await no_scroll(tracker, "tracking rated")
    await screenshot(tracker, f"{tag}-tracking-rated")

    # what the engine stored (read only): status 10, the channel, the rating
    async with httpx.AsyncClient(base_url=server) as api:  # as staff: admins read no dossier
        r = await api.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        body = (await api.get(f"/api/v1/dossiers/{dossier}", headers=headers)).json()
    assert body["lifecycle"]["code"] == 10, body["lifecycle"]
    assert body["lifecycle"]["returned_at"] is not None
    rated = [e for e in body.get("history", []) if e["kind"] == "rated"]
    assert rated and rated[0]["details"].get("score") == 5, body.get("history")
    for p in (citizen, tracker, staff, leader):
        await p.context.close()


async def test_the_counter_intake_page_applies_hide_rules_live(server: str, browser: Any, watch: Watch) -> None:
    """forms/static/forms/hide.js also runs on the officer's counter intake page (and the task pages,
    checked in the journey above): the authorisation upload appears without a round trip."""
    page = await new_page(browser, watch, width=360, height=740)
    await login(page, server, "officer")
    intake = server + "/can-bo/tiep-nhan/1.001193"
    await page.goto(intake)
    upload = page.locator("#f-authorisation")
    assert not await upload.is_visible()
    await page.evaluate("window.__same_page = true")
    await page.select_option("[name='requester_relationship']", "authorised")
    await upload.wait_for(state="visible")
    assert await page.evaluate("window.__same_page === true") and page.url == intake
    await no_scroll(page, "counter intake")
    await screenshot(page, "j9-counter-intake-hide-rule-360")
    await page.select_option("[name='requester_relationship']", "mother")
    await upload.wait_for(state="hidden")
    await page.context.close()
