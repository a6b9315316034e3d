"""/bao-cao/muc-tieu: the target per indicator, on the three dossiers of tests/web/test_report_pages.py
(October 2026: 2.1 = 33.33 %, 3.3 = 33.33 %), both databases. 3.3's default target is 50 %: not met;
a manager sets 30 %: /bao-cao marks it met, and the change is in the audit trail (who, when, 50 -> 30)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import openpyxl

from engine import accounts, report_targets, reports
from engine.models import ReportTargetChange
from tests.factories import PASSWORD, page_csrf, page_login
from tests.web.test_report_pages import PERIOD, _row, _world

PAGE = "/bao-cao/muc-tieu"


def _form(csrf: str, **values: str) -> dict[str, str]:
    """Every indicator at its default, except `values` (keys: 3_3 for 3.3)."""
    form = {f"muc-tieu-{k}": f"{report_targets.default(k).normalize():f}" for k in reports.INDICATORS}
    form |= {f"muc-tieu-{k.replace('_', '.')}": v for k, v in values.items()}
    return {"csrf_token": csrf, **form}


def _goal(html: str, key: str) -> str:
    cell = re.search(r'data-goal="(\w+)"', _row(html, "indicators", "data-indicator", key))
    assert cell is not None, key
    return cell.group(1)


async def test_a_manager_sets_a_target_and_the_report_marks_it_met(client: httpx.AsyncClient, users: Any) -> None:
    await _world(users)
    await page_login(client, "manager")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    assert f'href="{PAGE}"' in html  # linked from the report
    assert _goal(html, "3.3") == "missed" and "≥ 50 %" in _row(html, "indicators", "data-indicator", "3.3")
    assert _goal(html, "2.1") == "missed" and _goal(html, "3.6") == "none"  # 3.6: no data, not judged
    before = datetime.now(UTC)
    r = await client.post(PAGE, data=_form(await page_csrf(client, PAGE), **{"3_3": "30"}))
    assert r.status_code == 303 and r.headers["location"] == f"{PAGE}?msg=saved"
    html = (await client.get("/bao-cao?" + PERIOD)).text
    assert _goal(html, "3.3") == "met" and "≥ 30 %" in _row(html, "indicators", "data-indicator", "3.3")
    assert _goal(html, "2.1") == "missed"
    sheet = openpyxl.load_workbook(io.BytesIO((await client.get("/bao-cao.xlsx?" + PERIOD)).content))["Chỉ số"]
    assert [c.value for c in sheet[1]][-2:] == ["Mục tiêu (%)", "Đạt mục tiêu"]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if str(r[0]).startswith("3.3."))
    assert row[-2:] == (30, "Đạt")  # the files say what the page says
    page = (await client.get(f"{PAGE}?msg=saved")).text
    assert 'id="targets-saved"' in page and 'value="30"' in page
    change = re.search(r'<tr data-change="3.3">.*?</tr>', page, re.S)
    assert change is not None and "manager" in change.group(0) and "50 % → 30 %" in change.group(0)
    audit = await ReportTargetChange.all()
    assert [(a.indicator, a.old_target, a.new_target, a.changed_by) for a in audit] == [
        ("3.3", Decimal(50), Decimal(30), "manager")
    ]
    assert before <= audit[0].changed_at <= datetime.now(UTC)
    # the same values again: nothing changes, nothing is audited
    r = await client.post(PAGE, data=_form(await page_csrf(client, PAGE), **{"3_3": "30,0"}))
    assert r.headers["location"] == f"{PAGE}?msg=unchanged" and await ReportTargetChange.all().count() == 1


async def test_a_wrong_target_is_shown_next_to_its_field_and_nothing_is_saved(
    client: httpx.AsyncClient, users: Any
) -> None:
    await accounts.create_user("manager", PASSWORD, "manager")
    await page_login(client, "manager")
    csrf = await page_csrf(client, PAGE)
    r = await client.post(PAGE, data=_form(csrf, **{"3_3": "30", "2_1": "abc", "5_4": "150", "2_2": "150"}))
    assert r.status_code == 422
    html = r.text
    assert 'id="targets-problems"' in html and 'href="#muc-tieu-2.1"' in html
    assert "<title>Lỗi: " in html and "<title>Lỗi: " not in (await client.get(PAGE)).text
    for key, message in (("2.1", "Mục tiêu là một số"), ("5.4", "không quá 100 %")):
        field = re.search(
            rf'<p class="mc-error" id="muc-tieu-{re.escape(key)}-error">([^<]*)</p>\s*<input[^>]*'
            rf'id="muc-tieu-{re.escape(key)}"[^>]*>',
            html,
        )
        assert field is not None and message in field.group(1), key
        assert 'aria-invalid="true"' in field.group(0)
    # what was typed comes back, the valid values too; 2.2 may exceed 100 % (a share of the time limit)
    assert 'name="muc-tieu-2.1" value="abc"' in html and 'name="muc-tieu-3.3" value="30"' in html
    assert 'name="muc-tieu-2.2" value="150"' in html and 'id="muc-tieu-2.2-error"' not in html
    assert (await report_targets.targets())["3.3"] == Decimal(50) and not await ReportTargetChange.all().count()
    refused = await client.post(PAGE, data={**_form(csrf, **{"3_3": "30"}), "csrf_token": "forged"})
    assert refused.status_code == 400 and (await report_targets.targets())["3.3"] == Decimal(50)  # the CSRF page


async def test_only_a_province_wide_manager_changes_the_targets(client: httpx.AsyncClient, users: Any) -> None:
    await _world(users)  # manager (province-wide), leader_x (a leader of agency X)
    await accounts.create_user("manager_x", PASSWORD, "manager", agency="X")
    for who in ("leader_x", "manager_x"):
        await page_login(client, who)
        page = await client.get(PAGE)
        assert page.status_code == 200 and 'id="targets-read-only"' in page.text
        assert 'id="targets-form"' not in page.text and "≥ 50 %" in _row(page.text, "targets", "data-indicator", "3.3")
        r = await client.post(PAGE, data=_form(await page_csrf(client, PAGE), **{"3_3": "30"}))
        assert r.status_code == 403, who
        await client.post("/logout", data={"csrf_token": await page_csrf(client, PAGE)})
    await page_login(client, "officer")  # staff who read no report
    assert (await client.get(PAGE)).status_code == 403
    assert (await report_targets.targets())["3.3"] == Decimal(50) and not await ReportTargetChange.all().count()
    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/can-bo")})
    await page_login(client, "manager")
    english = (await client.get(PAGE + "?lang=en")).text
    assert "Targets per indicator" in english and "Save the targets" in english
