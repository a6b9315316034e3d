"""A leader opens the /bao-cao scorecard, follows a figure to the dossiers behind it and opens one
dossier; at phone width without JavaScript and at desktop width, with screenshots (tmp dir)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import Watch, login, new_page
from tests.factories import APPLICATIONS, CODES, PASSWORD


async def _accepted(server: str) -> str:
    """A household-business dossier submitted online and accepted now (the current quarter)."""
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
        # the reporting projection is the worker's (here the embedded scheduler's): wait until its
        # deliveries are done, as a leader would see the figure a moment after the acceptance
        admin, deadline = await headers("admin"), time.monotonic() + 60
        while True:
            queue = (await api.get("/api/v1/outbox", headers=admin)).json()["subscribers"]
            reports = [s for s in queue if s["subscriber"] == "reports"]
            assert reports and not reports[0]["dead"], queue
            if reports[0]["pending"] == reports[0]["delivering"] == 0:
                break
            assert time.monotonic() < deadline, queue
            await asyncio.sleep(0.1)
        return str(r.json()["code"])


async def test_a_leader_follows_a_figure_to_its_dossiers(server: str, browser: Any, watch: Watch,
                                                          tmp_path: Path) -> None:
    code = await _accepted(server)
    for width, height, javascript in ((360, 740, False), (1280, 900, True)):
        page = await new_page(browser, watch, width=width, height=height, javascript=javascript)
        await login(page, server, "leader")
        await page.click("a[href='/bao-cao']")
        await page.wait_for_load_state("load")
        assert await page.locator("svg[role=img] > title").count() == 2
        assert await page.evaluate("document.documentElement.scrollWidth") <= width, await page.evaluate(
            "w => [...document.querySelectorAll('body *')].filter(e => e.scrollWidth > e.clientWidth + 1 && "
            "getComputedStyle(e).overflowX === 'visible').map(e => e.tagName + '.' + e.className + ' ' + "
            "e.scrollWidth + '>' + e.clientWidth + ' ' + (e.textContent || '').slice(0, 80))", width)
        await page.screenshot(path=str(tmp_path / f"bao-cao-{width}.png"), full_page=True)
        online = page.locator("tr[data-indicator='3.3'] a.mc-count")
        total = int(await online.inner_text())
        await online.click()
        await page.wait_for_load_state("load")
        assert int(await page.inner_text("#list-count")) == total
        assert await page.locator(f"#report-dossiers tr[data-dossier='{code}']").count() == 1
        await page.screenshot(path=str(tmp_path / f"bao-cao-ho-so-{width}.png"), full_page=True)
        await page.click(f"a[href='/can-bo/ho-so/{code}']")
        await page.wait_for_load_state("load")
        assert code in await page.inner_text("main")
        await page.context.close()
    assert all((tmp_path / f"bao-cao-{w}.png").stat().st_size > 0 for w in (360, 1280))
