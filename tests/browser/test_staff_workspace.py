"""The staff inbox and dossier page at phone and desktop width: cards, labelled data, history
sentences and the step buttons, with no horizontal scroll and no English on the Vietnamese page."""

from __future__ import annotations

from typing import Any

import httpx

from tests.browser.conftest import Watch, login, new_page, screenshot
from tests.factories import APPLICATIONS, CODES, PASSWORD


async def _accepted_household(server: str) -> str:
    async with httpx.AsyncClient(base_url=server) as api:
        async def headers(username: str) -> dict[str, str]:
            r = await api.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        r = await api.post("/api/v1/dossiers", headers=await headers("citizen"),
                           json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
        assert r.status_code == 201, r.text
        done = await api.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete", headers=await headers("officer"),
                              json={"data": {"intake_decision": "accept"}})
        assert done.status_code == 200, done.text
        return str(r.json()["code"])


async def test_inbox_cards_and_dossier_page_at_360_and_1280(server: str, browser: Any, watch: Watch) -> None:
    code = await _accepted_household(server)
    for width, height in ((360, 740), (1280, 900)):
        page = await new_page(browser, watch, width=width, height=height)
        await login(page, server, "specialist")
        await page.goto(server + "/can-bo")
        row = page.locator(f"tr[data-dossier='{code}']")
        assert await row.count() == 1
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await screenshot(page, f"staff-inbox-{width}")
        await page.goto(f"{server}/can-bo/ho-so/{code}")
        await page.wait_for_selector("#diagram[data-ready='1']")
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        main = await page.inner_text("main")
        assert "Chủ hộ kinh doanh" in main and "Có" in main and "owner_full_name" not in main
        assert "đã tiếp nhận hồ sơ" in main
        assert await page.locator("[data-step='request_supplement']").count() == 1
        for english in ("Submitted", "Accepted", "Yes", "None", "Request a supplement"):
            assert english not in main, english
        await screenshot(page, f"staff-dossier-{width}")
        await page.context.close()
