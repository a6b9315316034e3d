"""The step heatmap (/bao-cao/quy-trinh/{code}) colours the diagram with bpmn-js markers and label overlays
from the committed script (CSP script-src 'self'), at phone and desktop width; screenshots in tmp_path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Watch, accepted_dossier, login, new_page, wait_for_js
from tests.factories import CODES


async def test_the_heatmap_marks_the_steps_on_the_diagram(server: str, browser: Any, watch: Watch,
                                                          tmp_path: Path) -> None:
    await accepted_dossier(server)
    for width, height in ((360, 740), (1280, 900)):
        page = await new_page(browser, watch, width=width, height=height)
        await login(page, server, "manager")
        await page.goto(f"{server}/bao-cao/quy-trinh/{CODES['household-business']}")
        await page.wait_for_selector("#diagram[data-ready='1']")
        marked = await wait_for_js(page, "document.querySelectorAll('#diagram [class*=\"mc-heat-\"]').length")
        assert marked >= 1  # intake completed: a colour class on its shape
        assert await page.locator("#diagram .mc-heat-label").count() >= 2  # intake done, appraisal waiting
        assert "intake" in await page.evaluate(
            "Array.from(document.querySelectorAll('#diagram .djs-element[class*=\"mc-heat-\"]'))"
            ".map(e => e.getAttribute('data-element-id')).join(' ')")
        assert await page.locator("#steps tr[data-element='intake']").count() == 1  # the same figures, as a table
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        await page.screenshot(path=str(tmp_path / f"heatmap-{width}.png"), full_page=True)
        await page.context.close()
    assert (tmp_path / "heatmap-360.png").stat().st_size > 0


async def test_without_javascript_the_diagrams_give_way_to_their_tables(server: str, browser: Any,
                                                                        watch: Watch) -> None:
    """The heatmap and the dossier's process diagram are drawn by script: with it off, no empty framed box
    of 22-24rem, but a line pointing at the table that holds the same steps."""
    code = await accepted_dossier(server)
    page = await new_page(browser, watch, width=360, javascript=False)
    await login(page, server, "manager")
    for path, table in ((f"/bao-cao/quy-trinh/{CODES['household-business']}", "#steps"),
                        (f"/can-bo/ho-so/{code}", "#steps")):
        await page.goto(server + path)
        assert not await page.locator("#diagram").is_visible(), path
        assert await page.locator("#diagram-nojs").is_visible(), path
        assert "JavaScript" in await page.inner_text("#diagram-nojs")
        assert await page.locator(table).count() == 1
    await page.context.close()
