"""A manager finds a late dossier with the search page's filters (no JavaScript needed) and
downloads the list as CSV; at phone and desktop width, with screenshots."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import Watch, login, new_page, screenshot
from tests.factories import APPLICATIONS, CODES, PASSWORD


async def _flagged_late(server: str) -> str:
    """Accepted, a supplement asked and received, then a second one a manager forced: counted late."""
    async with httpx.AsyncClient(base_url=server) as api:
        async def headers(username: str) -> dict[str, str]:
            r = await api.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            return {"Authorization": f"Bearer {r.json()['access_token']}"}

        data = {**APPLICATIONS["household-business"], "owner_full_name": "Vũ Thị Trễ Hạn"}
        r = await api.post("/api/v1/dossiers", headers=await headers("citizen"),
                           json={"procedure": CODES["household-business"], "data": data})
        assert r.status_code == 201, r.text
        code = str(r.json()["code"])
        steps = [(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete", "officer",
                  {"data": {"intake_decision": "accept"}}),
                 (f"/api/v1/dossiers/{code}/request-supplement", "specialist", {"reasons": ["Thiếu giấy tờ"]}),
                 (f"/api/v1/dossiers/{code}/receive-supplement", "officer", {}),
                 (f"/api/v1/dossiers/{code}/request-supplement", "manager",
                  {"reasons": ["Thiếu thêm giấy tờ"], "override": True})]
        for path, who, body in steps:
            done = await api.post(path, headers=await headers(who), json=body)
            assert done.status_code == 200, done.text
        # an on-time dossier that must not be listed
        r = await api.post("/api/v1/dossiers", headers=await headers("citizen"),
                           json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
        assert r.status_code == 201, r.text
        return code


async def test_a_manager_finds_a_late_dossier_and_downloads_the_csv(server: str, browser: Any, watch: Watch,
                                                                     tmp_path: Path) -> None:
    code = await _flagged_late(server)
    for width, height, javascript in ((360, 740, False), (1280, 900, True)):
        page = await new_page(browser, watch, width=width, height=height, javascript=javascript)
        await login(page, server, "manager")
        await page.click("a[href='/quan-ly/ho-so']")
        await page.select_option("#status", "5")
        await page.check("#overdue")
        await page.fill("#name", "vu thi tre han")
        await page.click("#search-submit")
        await page.wait_for_load_state("load")
        rows = page.locator("#results tbody tr[data-dossier]")
        assert await rows.count() == 1 and await rows.first.get_attribute("data-dossier") == code
        main = await page.inner_text("main")
        assert "Yêu cầu bổ sung giấy tờ" in main and "Quá hạn" in main and "Vũ Thị Trễ Hạn" in main
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await screenshot(page, f"dossier-search-{width}")
        async with page.expect_download() as waiting:
            await page.click("#csv-link")
        download = await waiting.value
        target = tmp_path / f"{width}.csv"
        await download.save_as(str(target))
        raw = target.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0][0] == "Mã hồ sơ" and [row[0] for row in table[1:]] == [code]
        assert table[1][4] == "Vũ Thị Trễ Hạn" and table[1][5] == "Yêu cầu bổ sung giấy tờ" and table[1][-1] == "Có"
        await page.click(f"a[href='/can-bo/ho-so/{code}']")
        await page.wait_for_load_state("load")
        assert code in await page.inner_text("main")
        await page.context.close()
