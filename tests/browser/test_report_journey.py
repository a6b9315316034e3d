"""A leader opens the /bao-cao scorecard, follows a figure to the dossiers behind it and opens one
dossier; at phone width without JavaScript and at desktop width, with screenshots (tmp dir)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import Watch, accepted_dossier, login, new_page


async def test_a_leader_follows_a_figure_to_its_dossiers(server: str, browser: Any, watch: Watch,
                                                          tmp_path: Path) -> None:
    code = await accepted_dossier(server, reports_delivered=True)
    for width, height, javascript in ((360, 740, False), (1280, 900, True)):
        page = await new_page(browser, watch, width=width, height=height, javascript=javascript)
        await login(page, server, "leader")
        await page.click("a[href='/bao-cao']")
        await page.wait_for_load_state("load")
        # one named chart per monthly trend and per agency (the agencies: the dossiers' own, or "no agency")
        assert await page.locator("svg[role=img] > title").all_text_contents() == [
            "Tỷ lệ theo tháng", "Tỷ lệ theo cơ quan"]
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


#: the words of a page's table cells that the layout splits across two lines (a column squeezed below its
#: longest word: "Tim|es", "C|ơ q|u|a|n" under `main{overflow-wrap:anywhere}`)
SPLIT_WORDS = """() => { const out = [];
  for (const cell of document.querySelectorAll('main .mc-table th, main .mc-table td')) {
    const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT); let node;
    while ((node = walk.nextNode())) { const words = /[^\\s\\/.:\\-]{3,}/g; let m;
      while ((m = words.exec(node.data))) { const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.push(m[0]); } } }
  return out; }"""


async def test_report_tables_never_split_a_word_at_desktop_width(server: str, browser: Any, watch: Watch) -> None:
    await accepted_dossier(server, reports_delivered=True)
    page = await new_page(browser, watch, width=1280)
    await login(page, server, "manager")
    for lang in ("vi", "en"):
        if lang == "en":
            await page.click("form[action='/language'] button")
            await page.wait_for_load_state("load")
        for path in ("/bao-cao", "/bao-cao/bieu-mau/2.000720", "/bao-cao/quy-trinh/2.000720", "/bao-cao/muc-tieu"):
            await page.goto(server + path)
            assert await page.evaluate("document.documentElement.lang") == lang
            assert await page.evaluate(SPLIT_WORDS) == [], (lang, path)
    await page.context.close()
