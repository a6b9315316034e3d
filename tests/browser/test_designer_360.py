"""The designer's pages at 360 px in Chromium: the procedure list, a procedure's modeler page and its
facts editor fit the phone's width (no page-wide horizontal scroll); screenshots in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch, login, new_page, screenshot, wait_for_js

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > window.innerWidth + 1
                 && !e.closest('.mc-scroll, .djs-container, .bjs-container, [data-scrolls]'); })
  .slice(0, 5)
  .map(e => e.tagName + '#' + e.id + '.' + e.className + ' right=' + Math.round(e.getBoundingClientRect().right))"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
async def test_designer_pages_fit_360_px(server: str, browser: Any, watch: Watch, javascript: bool) -> None:
    page = await new_page(browser, watch, width=360, height=740, javascript=javascript)
    await login(page, server, "admin")
    suffix = "" if javascript else "-nojs"
    for path, name in (("/designer", "designer-list"), ("/designer/1.001193", "designer-model"),
                       ("/designer/1.001193/metadata", "designer-metadata")):
        r = await page.goto(f"{server}{path}")
        assert r.status == 200, path
        if javascript and path == "/designer/1.001193":
            await wait_for_js(page, "() => !!document.querySelector('.djs-container svg')")
        width = await page.evaluate("document.documentElement.scrollWidth")
        if path == "/designer":  # each procedure reads as a card, not a five-column table one letter wide
            for cell in ("td:nth-child(2)", "td:nth-child(3)", "td:nth-child(4)", "td:nth-child(5) a.mc-button"):
                box = await page.locator(f"#procedures tr[data-code='1.001193'] {cell}").bounding_box()
                assert box and box["width"] >= 250, (cell, box)
        if path == "/designer/1.001193":  # the design history too
            box = await page.locator("#audit-table tbody tr td:nth-child(2)").first.bounding_box()
            assert box and box["width"] >= 250, box
        await screenshot(page, f"{name}-360{suffix}")
        assert width <= 360, (path, width, await page.evaluate(WIDEST))
