"""XSS canaries (issue 10): a hostile payload in every user-controlled value we can set over the API
(procedure metadata, the citizen's application fields, staff supplement reasons, calendar notes,
channel-policy names and messages), then every page that shows them opened in Chromium with the
site's real CSP: the payload is shown as text, no element or script was injected, `window.__xss`
stays undefined, and no console error (CSP violations are console errors) appears."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.browser.conftest import PASSWORD, Watch, login, new_page, running_server
from tests.factories import APPLICATIONS

CANARY = "<img src=x onerror=window.__xss=1>\"'><script>window.__xss=2</script>"
#: pages opened for injection only: the public catalogue shows the published version's metadata (set in
#: the designer), not the catalogue row the API edits; the apply page shows the policy message only
#: on a day its channel is closed
UNSHOWN = {"/", "/thu-tuc/2.000720", "/nop-ho-so/2.000720"}
SHOWN = "window.__xss=2"  # part of the canary that must appear as text wherever the value is shown
PROBE = """() => ({
    xss: typeof window.__xss,
    injected: document.querySelectorAll('img[src="x"], img[onerror]').length,
    scripts: [...document.scripts].filter(s => s.textContent.includes('__xss')).length,
    shown: document.body.innerText.includes('SHOWN'),
})""".replace("SHOWN", SHOWN)


@pytest.fixture(scope="module")
def canary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own (the canaries rename things other browser tests look for)."""
    with running_server(tmp_path_factory.mktemp("xss-server")) as base:
        yield base


def _seed(base: str) -> str:
    """Put the canary everywhere the API lets a user write text; the dossier code."""
    def auth(user: str) -> dict[str, str]:
        r = httpx.post(f"{base}/api/v1/auth/token", json={"username": user, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    admin, citizen, officer = auth("admin"), auth("citizen"), auth("officer")
    for path, body in [
        ("/api/v1/procedures", {"code": "2.000720", "name": f"Đăng ký hộ kinh doanh {CANARY}",
                                "agency": f"UBND {CANARY}", "fee": f"0 đồng {CANARY}"}),
        ("/api/v1/calendar/overrides", {"on": "2027-01-04", "kind": "off", "note": f"Nghỉ {CANARY}"}),
        ("/api/v1/channel-policies", {"name": f"Ngày không giấy {CANARY}", "start_on": "2026-01-01",
                                      "channels_allowed": ["online", "counter", "post"],
                                      "message": {"vi": f"Thông báo {CANARY}", "en": f"Notice {CANARY}"}}),
    ]:
        r = httpx.post(base + path, json=body, headers=admin)
        assert r.status_code in (200, 201), (path, r.text)
    data = {**APPLICATIONS["household-business"], "business_name": f"Hộ {CANARY}",
            "owner_full_name": f"Lê {CANARY}", "business_street": f"12 {CANARY}"}
    r = httpx.post(f"{base}/api/v1/dossiers", json={"procedure": "2.000720", "data": data}, headers=citizen)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    task = next(t for t in r.json()["tasks"] if t["element_id"] == "intake")
    r = httpx.post(f"{base}/api/v1/tasks/{task['id']}/complete", headers=officer,
                   json={"data": {"intake_decision": "supplement", "intake_note": f"Thiếu {CANARY}"}})
    assert r.status_code == 200, r.text
    return code


async def test_canaries_render_as_text_on_every_page_under_the_real_csp(canary_server: str, browser: object,
                                                                        watch: Watch) -> None:
    base = canary_server
    code = _seed(base)
    pages = {
        None: ["/", "/thu-tuc/2.000720"],
        "citizen": [f"/tra-cuu/{code}", "/nop-ho-so/2.000720"],
        "officer": ["/can-bo", f"/can-bo/ho-so/{code}"],
        "manager": [f"/quan-ly/ho-so?code={quote(code)}"],
        "admin": ["/quan-tri/lich", "/quan-tri/khong-giay", "/designer/"],
    }
    seen: list[str] = []
    missing: list[str] = []
    for user, paths in pages.items():
        page = await new_page(browser, watch)
        if user:
            await login(page, base, user)
        for path in paths:
            response = await page.goto(base + path)
            assert response is not None and response.status == 200, (user, path)
            csp = response.headers.get("content-security-policy", "")
            directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
            assert directives.get("script-src") == "'self'", (path, csp)  # the real CSP: no inline script
            probe = await page.evaluate(PROBE)
            assert probe["xss"] == "undefined", (user, path, probe)
            assert probe["injected"] == 0 and probe["scripts"] == 0, (user, path, probe)
            if path not in UNSHOWN:
                (seen if probe["shown"] else missing).append(f"{user} {path}")
        await page.context.close()
    print(f"canary shown as text on {len(seen)} pages: {seen}")
    assert not missing, f"the canary is not shown as text on {missing}"
