"""Staff notices in Chromium at 360 px without JavaScript: a task accepted through the API reaches the
specialists' notices (delivered by the server's own scheduler), the header shows the unread badge,
the list fits the screen, and "mark all as read" clears the badge."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.browser.conftest import PASSWORD, Watch, login, new_page, screenshot
from tests.factories import APPLICATIONS, CODES


async def accepted_through_the_api(server: str) -> str:
    async with httpx.AsyncClient(base_url=server, timeout=10) as api:
        async def bearer(username: str) -> dict[str, str]:
            r = await api.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        r = await api.post("/api/v1/dossiers", headers=await bearer("citizen"),
                           json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
        assert r.status_code == 201, r.text
        code = str(r.json()["code"])
        r = await api.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete", headers=await bearer("officer"),
                           json={"data": {"intake_decision": "accept"}})
        assert r.status_code == 200, r.text
        specialist = await bearer("specialist")
        for _ in range(100):  # the embedded scheduler delivers the outbox every 0.5 s
            items = (await api.get("/api/v1/notices", headers=specialist)).json()["items"]
            if any(i["dossier_code"] == code for i in items):
                return code
            await asyncio.sleep(0.1)
    raise AssertionError("the task's notice did not arrive within 10 s")


async def test_notices_badge_and_list_at_360_px_without_javascript(server: str, browser: Any, watch: Watch) -> None:
    code = await accepted_through_the_api(server)
    page = await new_page(browser, watch, width=360, height=740, javascript=False)
    await login(page, server, "specialist")
    await page.goto(server + "/can-bo")
    assert int((await page.locator("#notices-badge").inner_text()).split()[0]) >= 1  # "1 chưa đọc" (read out)
    await page.click("#notices-link")
    assert await page.locator("h1").inner_text() == "Thông báo"
    assert code in await page.locator("#notices").inner_text()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await screenshot(page, "notices-360")
    await page.click("text=Đánh dấu tất cả là đã đọc")
    assert await page.locator("#notices-badge").count() == 0
    await page.context.close()
