"""More XSS canaries (issue 10), typed through the real pages in Chromium under the site's CSP: the
self-registration full name (/dang-ky, demo mode), usernames and full names on the admin user pages,
agency and reception-point names, refusal and supplement reasons typed in the staff step forms, and
procedure metadata set in the designer's metadata editor then published. Every page that shows one is
opened: the payload is shown as text, nothing was injected, `window.__xss` stays undefined, and no
console error (CSP violations are console errors) appears."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PASSWORD, Watch, login, new_page, running_server, wait_for_js
from tests.browser.test_xss_canaries import CANARY, PROBE
from tests.factories import APPLICATIONS

FILE_NAME = "<img src=x onerror=window.__xss=1>\"'><svg onload=window.__xss=4>.pdf"
FILE_MARKER = "<svg onload=window.__xss=4>"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF\n"


@pytest.fixture(scope="module")
def more_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own, self-registration in demo mode (the code is shown on the page)."""
    with running_server(tmp_path_factory.mktemp("xss-more-server"), MOTCUA_REGISTRATION="demo") as base:
        yield base


async def submit(page: Any, base: str, path: str, values: dict[str, str], form: str = "form[method=post]", *,
                 refused: bool = False) -> Any:
    """Open `path`, type `values` into the named inputs of `form` and send it like a person would."""
    response = await page.goto(base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    scope = page.locator(form).filter(has=page.locator(f"[name={next(iter(values))}]")).first
    for name, value in values.items():
        field = scope.locator(f"[name={name}]").first
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)
    async with page.expect_navigation():
        await scope.locator("button[type=submit]").first.click()
    errors = await page.locator(".mc-error, .mc-error-summary").all_inner_texts()
    assert bool(errors) == refused, (path, page.url, errors)
    return page


async def check(page: Any, base: str, path: str, *, shown: str | None) -> dict[str, Any]:
    response = await page.goto(base + path)
    assert response is not None and response.status == 200, (path, response and response.status)
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, (path, csp)
    probe: dict[str, Any] = await page.evaluate(PROBE.replace("window.__xss=2", shown or "window.__xss=2"))
    assert probe["xss"] == "undefined", (path, probe)
    assert probe["injected"] == 0 and probe["scripts"] == 0, (path, probe)
    assert await page.locator("svg[onload], a[href^='javascript:']").count() == 0, path
    if shown and not probe["shown"]:  # an edit form shows the value in its inputs, intact
        probe["shown"] = await page.evaluate(
            "m => [...document.querySelectorAll('input, textarea')].some(e => e.value.includes(m))", shown)
    return probe


def _accepted_dossier(base: str) -> str:
    """A dossier the citizen sent and the one-stop officer accepted: in appraisal, the specialist's."""
    def auth(user: str) -> dict[str, str]:
        r = httpx.post(f"{base}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    r = httpx.post(f"{base}/api/v1/dossiers", headers=auth("citizen"),
                   json={"procedure": "2.000720", "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201, r.text
    task = next(t for t in r.json()["tasks"] if t["element_id"] == "intake")
    done = httpx.post(f"{base}/api/v1/tasks/{task['id']}/complete", headers=auth("officer"),
                      json={"data": {"intake_decision": "accept"}})
    assert done.status_code == 200, done.text
    return str(r.json()["code"])


async def test_more_canaries_typed_in_the_pages_render_as_text(more_server: str, browser: object,
                                                                watch: Watch) -> None:
    base = more_server
    shown: dict[str, list[str]] = {}
    missing: list[str] = []

    async def expect(page: Any, path: str, marker: str) -> None:
        probe = await check(page, base, path, shown=marker)
        (shown.setdefault(marker, []) if probe["shown"] else missing).append(path)

    # self-registration (demo): the full name, shown on the account page and in the admin's user list
    page = await new_page(browser, watch)
    await submit(page, base, "/dang-ky", {"full_name": f"Trần {CANARY} reg", "address": "0912345678",
                                          "password": PASSWORD, "password_confirm": PASSWORD})
    code = (await page.locator("#demo-code strong[translate=no]").inner_text()).strip()
    await page.fill("[name=code]", code)
    async with page.expect_navigation():
        await page.click("form[action='/dang-ky/xac-minh'] button[type=submit]")
    await expect(page, "/tai-khoan", "window.__xss=2</script> reg")
    await page.context.close()

    admin = await new_page(browser, watch)
    await login(admin, base, "admin")
    # users made by the admin: a full name, and a username (accepted as typed, shown in the list and the
    # search box the admin lands on)
    await submit(admin, base, "/quan-tri/nguoi-dung/moi", {"username": "canary1", "password": PASSWORD,
                                                          "full_name": f"Phạm {CANARY} staff"})
    await submit(admin, base, "/quan-tri/nguoi-dung/moi", {"username": f"x{CANARY}", "password": PASSWORD,
                                                          "full_name": "Người thử username"})
    landed = admin.url.removeprefix(base)
    assert "q=" in landed, landed
    await expect(admin, landed, "window.__xss=2</script>")
    await check(admin, base, "/quan-tri/nguoi-dung/moi", shown=None)
    await expect(admin, "/quan-tri/nguoi-dung", "window.__xss=2</script> reg")
    await expect(admin, "/quan-tri/nguoi-dung", "window.__xss=2</script> staff")
    # agency and reception point names
    await submit(admin, base, "/quan-tri/co-quan", {"code": "CQXSS", "name": f"Sở {CANARY} agency",
                                                    "tier": "province", "kind": "department"},
                 "form[action='/quan-tri/co-quan']")
    await submit(admin, base, "/quan-tri/co-quan", {"code": "DXSS", "name": f"Điểm {CANARY} point",
                                                    "address": f"Số 1 {CANARY} addr"},
                 "form[action='/quan-tri/diem-tiep-nhan']")
    for marker in ("agency", "point"):
        await expect(admin, "/quan-tri/co-quan", f"window.__xss=2</script> {marker}")
    edits = {marker: await admin.locator(f"a[href^='/quan-tri/']:has-text('{marker}')").first.get_attribute("href")
             for marker in ("agency", "point")}  # each one's edit page, by the link the list shows
    for marker, href in edits.items():
        assert href and href.count("/") == 3, href
        await expect(admin, href, f"window.__xss=2</script> {marker}")
    await expect(admin, edits["point"], "window.__xss=2</script> addr")

    # staff reasons typed by the specialist during appraisal: a refusal (Form 03), a supplement (Form 02)
    refused, supplemented = _accepted_dossier(base), _accepted_dossier(base)
    officer = await new_page(browser, watch)
    await login(officer, base, "specialist")
    await submit(officer, base, f"/can-bo/ho-so/{refused}/buoc/refuse", {"reason": f"Sai {CANARY} refuse"})
    await submit(officer, base, f"/can-bo/ho-so/{supplemented}/buoc/request_supplement",
                 {"reason": f"Thiếu {CANARY} supp"})
    for path, marker in [(f"/can-bo/ho-so/{refused}", "refuse"),
                               (f"/ho-so/{refused}/mau-03", "refuse"),
                               (f"/can-bo/ho-so/{supplemented}", "supp"),
                               (f"/ho-so/{supplemented}/mau-02", "supp")]:
        await expect(officer, path, f"window.__xss=2</script> {marker}")
    citizen = await new_page(browser, watch)
    await login(citizen, base, "citizen")
    await expect(citizen, f"/tra-cuu/{refused}", "window.__xss=2</script> refuse")
    await expect(citizen, f"/tra-cuu/{supplemented}", "window.__xss=2</script> supp")
    # the citizen answers with a file whose name is the payload (no '/': a path separator) and a note
    await citizen.set_input_files("#files", files=[{"name": FILE_NAME, "mimeType": "application/pdf",
                                                    "buffer": PDF}])
    await citizen.fill("#note", f"Gửi {CANARY} note")
    async with citizen.expect_navigation():
        await citizen.click(f"form[action='/tra-cuu/{supplemented}/bo-sung'] button[type=submit]")
    await check(citizen, base, f"/tra-cuu/{supplemented}", shown=None)  # says "sent", lists no names
    await expect(officer, f"/can-bo/ho-so/{supplemented}", FILE_MARKER)
    one_stop = await new_page(browser, watch)
    await login(one_stop, base, "officer")
    await expect(one_stop, f"/can-bo/ho-so/{supplemented}/buoc/receive_supplement", FILE_MARKER)
    await one_stop.context.close()

    # the application form in the designer's form editor: every text field's label, and a markdown
    # text component (a javascript: link must stay text); saved with the editor's own button
    await admin.goto(f"{base}/designer/2.000720/forms/application")
    await wait_for_js(admin, "() => !!window.motcuaFormEditor")
    await admin.evaluate("""async (canary) => {
        const editor = window.motcuaFormEditor, schema = editor.saveSchema();
        const walk = cs => cs.forEach(c => {
            if (c.type === 'textfield' && c.label) c.label = `${c.label} ${canary} label`;
            if (c.components) walk(c.components);
        });
        walk(schema.components);
        schema.components.unshift({type: 'text', id: 'Text_xss',
            text: `## Lưu ý ${canary} md\n\n[bấm](javascript:window.__xss=3) **${canary}**`});
        await editor.importSchema(schema);
    }""", CANARY)
    await admin.click("#btn-save-form")
    await wait_for_js(admin, "() => document.getElementById('form-status').dataset.state.startsWith('saved')")
    await expect(admin, "/designer/2.000720/forms/application/preview", "window.__xss=2</script> label")
    await expect(admin, "/designer/2.000720/forms/application/preview", "window.__xss=2</script> md")

    # procedure metadata in the designer, published, then the citizen's procedure page
    await submit(admin, base, "/designer/2.000720/metadata", {"name": f"Đăng ký {CANARY} meta",
                                                              "agency": f"UBND {CANARY} magency"},
                 "form.mc-meta")
    await expect(admin, "/designer/2.000720/metadata", "window.__xss=2</script> meta")
    revision = int(await admin.locator("[name=revision]").first.get_attribute("value"))
    csrf = await admin.locator("[name=csrf_token]").first.get_attribute("value")
    published = await admin.evaluate("""async ([revision, csrf]) => {
        const r = await fetch('/designer/2.000720/publish', {method: 'POST', body: JSON.stringify({revision}),
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
        return [r.status, await r.text()];
    }""", [revision, csrf])
    assert published[0] in (200, 201), published
    for path in ("/", "/thu-tuc/2.000720"):
        await expect(citizen, path, "window.__xss=2</script> meta")
    await expect(citizen, "/thu-tuc/2.000720", "window.__xss=2</script> magency")
    for marker in ("label", "md"):
        await expect(citizen, "/nop-ho-so/2.000720", f"window.__xss=2</script> {marker}")
    assert await citizen.locator("a[href^='javascript:']").count() == 0
    for p in (admin, officer, citizen):
        await p.context.close()
    print(f"canaries shown as text: {shown}")
    assert not missing, f"a canary is not shown as text on {missing}"
