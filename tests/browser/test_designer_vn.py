"""The designer for a non-programmer, in a real browser under a strict CSP (script-src 'self'):
Vietnamese palette, context pad, replace menu and properties panel (English after the switch),
only what the engine runs on offer, the Vietnamese field types as form palette entries whose
fields the server accepts, the guided condition builder writing the restricted expression the
server checks, and a model without diagram interchange opening laid out."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lxml import etree

from tests.browser.conftest import Watch, login, new_page, screenshot
from tests.browser.test_designer import (
    SELECTION,
    WATERMARK_VISIBLE,
    drag,
    open_group,
    select,
)

CSP = "script-src 'self'; object-src 'none'; base-uri 'self'"

COLLECT_VIOLATIONS = """document.addEventListener('securitypolicyviolation', e => {
  (window.__cspViolations = window.__cspViolations || []).push(e.violatedDirective + ' ' + e.blockedURI);
});"""


async def strict_page(browser: Any, watch: Watch, **size: Any) -> Any:
    """A page whose designer documents carry the coming CSP; violations are collected."""
    page = await new_page(browser, watch, **size)

    async def with_csp(route: Any) -> None:
        if route.request.resource_type != "document" or route.request.method != "GET":
            await route.fallback()
            return
        response = await route.fetch(max_redirects=0)
        headers = {**response.headers, "content-security-policy": CSP}
        await route.fulfill(response=response, headers=headers)

    await page.route("**/designer/**", with_csp)
    await page.add_init_script(COLLECT_VIOLATIONS)
    return page


async def until(page: Any, predicate: str, arg: Any = None, seconds: float = 15) -> None:
    """Poll a JavaScript function until it returns true. (Playwright's wait_for_function evaluates
    its predicate with eval in the page, which the strict CSP forbids, as it should.)"""
    for _ in range(int(seconds * 10)):
        if await page.evaluate(predicate, arg):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never true within {seconds} s: {predicate} ({arg!r})")


async def wait_saved(page: Any) -> None:
    await until(page, "() => document.getElementById('save-status').dataset.state === 'saved'")


async def check(page: Any) -> list[dict[str, str]]:
    await page.evaluate("document.getElementById('check-summary').textContent = ''")
    await page.click("#btn-check")
    await until(page, "() => document.getElementById('check-summary').textContent !== ''")
    result: list[dict[str, str]] = await page.evaluate("""() => [...document.querySelectorAll('#problems li')]
        .map(li => ({code: li.dataset.code, element: li.dataset.element || '', text: li.textContent}))""")
    return result


async def assert_no_csp_violations(page: Any) -> None:
    assert await page.evaluate("window.__cspViolations || []") == []
    header = await page.evaluate("""async () => (await fetch(location.href)).headers.get('content-type')""")
    assert header.startswith("text/html")


async def new_procedure(page: Any, server: str, code: str, name: str, bpmn: Path | None = None) -> None:
    await page.goto(server + "/designer/")
    await page.fill("#new-code", code)
    await page.fill("#new-name", name)
    await page.fill("#new-time_limit", "5")
    if bpmn is not None:
        await page.set_input_files("#new-bpmn", str(bpmn))
    await page.click("button >> text=Tạo thủ tục")
    await page.wait_for_url(f"**/designer/{code}")
    await page.wait_for_selector("#canvas[data-ready='1']")


async def entry_label(page: Any, entry_id: str) -> str:
    return (await page.inner_text(f"[data-entry-id='{entry_id}'] label")).strip()


async def group_label(page: Any, group: str) -> str:
    return (await page.inner_text(
        f".bio-properties-panel-group[data-group-id='group-{group}'] .bio-properties-panel-group-header-title")).strip()


#: diagram-js shows an entry's tooltip from its aria-label (or title)
TOOLTIP = "e => e.getAttribute('aria-label') || e.title"


async def palette_title(page: Any, action: str) -> str:
    result: str = await page.eval_on_selector(f".djs-palette [data-action='{action}']", TOOLTIP)
    return result


async def test_modeler_speaks_vietnamese_offers_only_what_the_engine_runs_and_switches_to_english(
        server: str, browser: Any, watch: Watch) -> None:
    page = await strict_page(browser, watch, width=1400, height=950)
    await login(page, server, "admin")
    # a shipped model opens beside the palette, not under it (its pool's lane names on the left stay readable)
    await page.goto(server + "/designer/1.001193")
    await page.wait_for_selector("#canvas[data-ready='1']")
    assert await page.evaluate("""() => {
        const palette = document.querySelector('#canvas .djs-palette').getBoundingClientRect();
        const shapes = [...document.querySelectorAll('#canvas .djs-element.djs-shape')]
            .map(e => e.getBoundingClientRect()).filter(r => r.width > 0);
        return shapes.length > 0 && Math.min(...shapes.map(r => r.left)) >= palette.right;
    }""")
    await new_procedure(page, server, "9.000101", "Thủ tục tiếng Việt")

    # palette: Vietnamese tooltips; a user task instead of the untyped task; no data objects
    assert await palette_title(page, "create.user-task") == "Thêm bước xử lý (cán bộ thực hiện)"
    assert await palette_title(page, "create.exclusive-gateway") == "Thêm cổng rẽ nhánh"
    assert await palette_title(page, "hand-tool") == "Công cụ kéo sơ đồ"
    actions = await page.eval_on_selector_all(".djs-palette [data-action]", "es => es.map(e => e.dataset.action)")
    for gone in ("create.task", "create.data-object", "create.data-store", "create.group"):
        assert gone not in actions

    # context pad of a step: "append user task", not the untyped task; Vietnamese titles
    await page.click(".djs-element[data-element-id='intake']")
    await page.wait_for_selector(".djs-context-pad.open")
    pad = await page.eval_on_selector_all(".djs-context-pad.open [data-action]", f"""es => Object.fromEntries(
        es.map(e => [e.dataset.action, ({TOOLTIP})(e)]))""")
    assert pad.get("append.user-task") == "Nối bước xử lý"
    assert pad.get("delete") == "Xóa" and pad.get("replace") == "Đổi loại phần tử"
    assert "append.append-task" not in pad

    # replace menu: what the engine runs, nothing it refuses (service, send, receive, manual, rules)
    await page.click(".djs-context-pad [data-action='replace']")
    await page.wait_for_selector(".djs-popup [data-id='replace-with-script-task']")
    entries = await page.eval_on_selector_all(".djs-popup [data-id]", "es => es.map(e => e.dataset.id)")
    for gone in ("service-task", "send-task", "receive-task", "manual-task", "rule-task", "call-activity",
                 "transaction", "task"):
        assert f"replace-with-{gone}" not in entries, gone
    assert "Bước tự động" in await page.inner_text(".djs-popup [data-id='replace-with-script-task']")
    await page.keyboard.press("Escape")

    # properties panel: stock and motcua groups and labels in Vietnamese
    await select(page, "intake")
    assert await group_label(page, "general") == "Chung"
    assert await group_label(page, "motcua-form") == "Biểu mẫu"
    assert await group_label(page, "motcua-budget") == "Thời hạn bước"
    await open_group(page, "general")
    assert await entry_label(page, "name") == "Tên"
    assert await page.text_content(".bio-properties-panel-header-type") == "Bước xử lý"  # shown upper-case
    await screenshot(page, "designer-vi")
    await assert_no_csp_violations(page)

    # the language switch in the header: the same page in English
    await page.click("form[action='/language'] button")
    await page.wait_for_load_state("load")
    await page.goto(server + "/designer/9.000101")
    await page.wait_for_selector("#canvas[data-ready='1']")
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert await palette_title(page, "create.user-task") == "Create user task"
    await select(page, "intake")
    assert await group_label(page, "general") == "General"
    assert await group_label(page, "motcua-budget") == "Step budget"
    await assert_no_csp_violations(page)
    await page.click("form[action='/language'] button")  # back to Vietnamese for the other tests
    await page.wait_for_load_state("load")
    await page.context.close()


async def test_form_palette_offers_vietnamese_types_and_the_server_accepts_what_they_insert(
        server: str, browser: Any, watch: Watch) -> None:
    page = await strict_page(browser, watch, width=1400, height=950)
    await login(page, server, "admin")
    await new_procedure(page, server, "9.000102", "Biểu mẫu có CCCD")
    await page.goto(server + "/designer/9.000102/forms/application")
    await page.wait_for_selector("#form-editor[data-ready='1']")
    assert await page.evaluate(WATERMARK_VISIBLE, ".fjs-powered-by") == "ok"

    types = await page.eval_on_selector_all(".fjs-palette-field", "es => es.map(e => e.dataset.fieldType)")
    for vn in ("motcua_cccd", "motcua_phone", "motcua_tax_code", "motcua_date_of_birth", "motcua_admin_unit"):
        assert vn in types
    for gone in ("html", "iframe", "table", "image", "button", "expression", "documentPreview"):
        assert gone not in types, gone
    cccd = page.locator(".fjs-palette-field[data-field-type='motcua_cccd']")
    assert (await cccd.inner_text()).strip() == "Số CCCD"
    assert await cccd.get_attribute("title") == "Thêm: Số CCCD"
    groups = await page.eval_on_selector_all(".fjs-palette-group-title", "es => es.map(e => e.textContent)")
    assert groups[0] == "Nhập liệu" and "Trình bày" in groups
    assert (await page.inner_text(".fjs-palette-header")).strip() == "Thành phần"
    assert await page.get_attribute(".fjs-palette-search", "placeholder") == "Tìm thành phần"

    # a CCCD field from the palette: a textfield with motcua:type cccd, Vietnamese panel
    drop = page.locator(".fjs-form-container .fjs-drop-container-vertical").first
    await drag(page, cccd, drop)
    await until(page, """() => JSON.stringify(window.motcuaFormEditor.saveSchema())
        .includes('"motcua:type":"cccd"')""")
    field = await page.evaluate("""() => window.motcuaFormEditor.saveSchema().components
        .find(c => (c.properties || {})['motcua:type'] === 'cccd')""")
    assert field["type"] == "textfield" and field["key"] == "so_dinh_danh"
    assert field["label"] == "Số định danh cá nhân" and field["validate"] == {"required": True}
    await open_group(page, "motcua-vn")
    await page.wait_for_selector("select[name='motcua-vn-type']")
    assert await page.input_value("select[name='motcua-vn-type']") == "cccd"
    assert await group_label(page, "general") == "Chung"
    assert await group_label(page, "validation") == "Kiểm tra dữ liệu"

    # a guided hide rule on the CCCD field: written in the FEEL subset the server evaluates
    hide = """(id) => { const f = window.motcuaFormEditor.saveSchema().components.find(c => c.id === id);
        return (f.conditional || {}).hide || null; }"""
    await open_group(page, "motcua-hide")
    await page.select_option("select[name='motcua-hide-field']", "applicant_name")
    await page.select_option("select[name='motcua-hide-op']", "empty")
    await until(page, f"() => ({hide})('{field['id']}') === '=applicant_name = null'")
    await page.select_option("select[name='motcua-hide-op']", "=")
    await page.fill("input[name='motcua-hide-value']", 'Nguyễn "A"')
    await page.press("input[name='motcua-hide-value']", "Tab")
    await until(page, f"""() => ({hide})('{field['id']}') === '=applicant_name = "Nguyễn \\\\"A\\\\""'""")

    # an administrative unit: a group with province, commune and address lines, one undo step
    await drag(page, page.locator(".fjs-palette-field[data-field-type='motcua_admin_unit']"), drop)
    await until(page, """() => window.motcuaFormEditor.saveSchema().components
        .some(c => c.type === 'group' && (c.components || []).length === 3)""")
    group = await page.evaluate("""() => window.motcuaFormEditor.saveSchema().components
        .find(c => c.type === 'group')""")
    assert group["path"] == "dia_chi"
    assert [c["key"] for c in group["components"]] == ["tinh", "xa", "chi_tiet"]

    await page.click("#btn-save-form")
    await until(page, "() => document.getElementById('form-status').dataset.state === 'saved'")
    preview = await (await page.request.get(server + "/designer/9.000102/forms/application/preview")).text()
    assert "Số định danh cá nhân" in preview and "Xã, phường, đặc khu" in preview
    problems = await page.request.post(server + "/designer/9.000102/check", headers={
        "X-CSRF-Token": await page.input_value("input[name=csrf_token]"), "Content-Type": "application/json"},
        data="{}")
    assert not [p for p in (await problems.json())["problems"] if p.get("form") == "application"]
    await screenshot(page, "designer-form-vn")
    await assert_no_csp_violations(page)

    # in English after the switch; the field the admin labelled stays as written
    await page.click("form[action='/language'] button")
    await page.wait_for_load_state("load")
    await page.goto(server + "/designer/9.000102/forms/application")
    await page.wait_for_selector("#form-editor[data-ready='1']")
    cccd = page.locator(".fjs-palette-field[data-field-type='motcua_cccd']")
    assert (await cccd.inner_text()).strip() == "Citizen ID (CCCD)"
    groups = await page.eval_on_selector_all(".fjs-palette-group-title", "es => es.map(e => e.textContent)")
    assert groups[0] == "Input"
    assert await page.locator(".fjs-form-field-label >> text=Số định danh cá nhân").count() == 1
    await assert_no_csp_violations(page)
    await page.click("form[action='/language'] button")
    await page.wait_for_load_state("load")
    await page.context.close()


async def test_condition_builder_writes_the_restricted_expression_the_server_checks(
        server: str, browser: Any, watch: Watch) -> None:
    page = await strict_page(browser, watch, width=1400, height=950)
    await login(page, server, "admin")
    await new_procedure(page, server, "9.000103", "Điều kiện có hướng dẫn")
    await page.evaluate("""(id) => { const m = window.motcuaModeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", "Flow_gateway_refuse")  # labelled flow
    await open_group(page, "motcua-condition")
    prefix = "#bio-properties-panel-motcua-condition-expression"
    assert await page.input_value(prefix + "-mode") == "guided"
    fields = await page.eval_on_selector_all(prefix + "-field option", "os => os.map(o => o.value)")
    assert {"applicant_name", "applicant_phone", "intake_note"} <= set(fields)

    body = """([id, text]) => { const c = window.motcuaModeler.get('elementRegistry').get(id)
        .businessObject.conditionExpression; return (c ? c.body : null) === text; }"""
    flow = "Flow_gateway_refuse"
    await page.select_option(prefix + "-field", "intake_note")
    await page.select_option(prefix + "-op", "in")
    await page.fill(prefix + "-value", "nhanh; khẩn")
    await until(page, body, [flow, 'intake_note in ("nhanh", "khẩn")'])
    assert (await page.inner_text(".motcua-condition-text")).strip() == 'intake_note in ("nhanh", "khẩn")'

    await page.select_option(prefix + "-op", "!=")
    await page.fill(prefix + "-value", 'gấp "A"')
    await until(page, body, [flow, 'intake_note != "gấp \\"A\\""'])

    await page.select_option(prefix + "-op", "empty")
    await until(page, body, [flow, 'intake_note in (None, "", [])'])
    await screenshot(page, "designer-condition-builder")
    # the server's restricted evaluator accepts what the builder wrote
    await wait_saved(page)
    problems = await check(page)
    assert not [p for p in problems if p["code"] == "expression_refused"], problems

    # free text stays available and shows the same expression; reselecting reopens the builder
    await page.select_option(prefix + "-mode", "free")
    assert await page.input_value(prefix) == 'intake_note in (None, "", [])'
    await page.fill(prefix, "len(intake_note) > 3")
    await until(page, body, [flow, "len(intake_note) > 3"])
    await select(page, "intake")
    await page.evaluate("""(id) => { const m = window.motcuaModeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""", "Flow_gateway_refuse")  # labelled flow
    assert await page.input_value(prefix + "-mode") == "free", "an expression the builder cannot read stays free text"
    assert await page.evaluate(SELECTION) == ["Flow_gateway_refuse"]
    await assert_no_csp_violations(page)
    await page.context.close()


#: Written here for the test: a process without any bpmndi (no diagram interchange).
NO_DI = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs_no_di"
    targetNamespace="https://motcua.vn/test">
  <bpmn:process id="Process_no_di" isExecutable="true">
    <bpmn:startEvent id="Start_no_di" name="Nộp hồ sơ"/>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_no_di" targetRef="Receive_no_di"/>
    <bpmn:userTask id="Receive_no_di" name="Tiếp nhận"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Receive_no_di" targetRef="Decide_no_di"/>
    <bpmn:exclusiveGateway id="Decide_no_di" name="Đủ hồ sơ?" default="F4"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Decide_no_di" targetRef="Approve_no_di">
      <bpmn:conditionExpression>ok == True</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="F4" sourceRef="Decide_no_di" targetRef="End_no_di"/>
    <bpmn:userTask id="Approve_no_di" name="Phê duyệt"/>
    <bpmn:sequenceFlow id="F5" sourceRef="Approve_no_di" targetRef="End_no_di"/>
    <bpmn:endEvent id="End_no_di" name="Kết thúc"/>
  </bpmn:process>
</bpmn:definitions>
"""


async def test_a_model_without_diagram_interchange_opens_laid_out(
        server: str, browser: Any, watch: Watch, tmp_path: Path) -> None:
    model = tmp_path / "no-di.bpmn"
    model.write_text(NO_DI, encoding="utf-8")
    page = await strict_page(browser, watch, width=1400, height=950)
    await login(page, server, "admin")
    await new_procedure(page, server, "9.000104", "Mô hình không có sơ đồ", bpmn=model)
    assert await page.get_attribute("#canvas", "data-laid-out") == "1"
    canvas = await page.locator("#canvas").bounding_box()
    for element in ("Start_no_di", "Receive_no_di", "Decide_no_di", "Approve_no_di", "End_no_di"):
        box = await page.locator(f".djs-shape[data-element-id='{element}']").bounding_box()
        assert box and box["width"] > 10 and box["height"] > 10, element
        assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"] + 1, element
    for flow in ("F1", "F2", "F3", "F4", "F5"):
        assert await page.locator(f".djs-connection[data-element-id='{flow}']").count() == 1, flow
    xs = [(await page.locator(f".djs-shape[data-element-id='{e}']").bounding_box())["x"]
          for e in ("Start_no_di", "Receive_no_di", "Decide_no_di")]
    assert xs == sorted(xs) and len(set(xs)) == 3, "laid out left to right along the flow"
    # the layout is saved into the draft: the exported model now carries the diagram
    await wait_saved(page)
    exported = await (await page.request.get(server + "/designer/9.000104/export.bpmn?v=draft")).body()
    shapes = etree.fromstring(exported).xpath("//*[local-name()='BPMNShape']/@bpmnElement")
    assert {"Start_no_di", "Receive_no_di", "Decide_no_di", "Approve_no_di", "End_no_di"} <= set(shapes)
    await screenshot(page, "designer-no-di")
    await assert_no_csp_violations(page)
    await page.context.close()
