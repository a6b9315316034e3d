"""Printable documents: the Form 01 receipt at acceptance and the apology letter."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from engine import dossiers, timers
from engine.models import Dossier, HumanTask
from tests.factories import accepted_household, page_login, rt

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1)


async def test_receipt_shows_code_applicant_components_and_times_to_the_minute(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    assert (await client.get(f"/dossiers/{dossier.code}/receipt")).status_code == 303  # login first
    await page_login(client, "officer")
    r = await client.get(f"/dossiers/{dossier.code}/receipt")
    assert r.status_code == 200, r.text
    html = r.text
    assert _text(html, "code") == dossier.code
    assert _text(html, "applicant") == "Lê Văn Nam"
    assert _text(html, "time-limit") == "3 ngày làm việc"
    assert _text(html, "received-at") == "09:00 ngày 02/03/2026"
    assert _text(html, "appointment") == "09:00 ngày 05/03/2026"
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in html


async def test_citizen_sees_own_receipt_only(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await page_login(client, "citizen2")
    assert (await client.get(f"/dossiers/{dossier.code}/receipt")).status_code == 404
    await page_login(client, "citizen")
    assert (await client.get(f"/dossiers/{dossier.code}/receipt")).status_code == 200


async def test_apology_letter_has_reason_original_and_new_appointment(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    stored = await Dossier.get(id=dossier.id)
    in_time = stored.due_adjusted_at - timedelta(days=1, hours=1)  # Wed 4 Mar 08:00 local: before the limit
    await timers.fire_due(rt(), in_time)
    apology = await HumanTask.get(dossier_id=dossier.id, kind="apology")
    await dossiers.complete_task(rt(), apology.id, {"reason": "Chờ ý kiến cơ quan thuế",
                                                    "new_due_at": "2026-03-10T15:00"}, users["specialist"], in_time)
    await page_login(client, "officer")
    html = (await client.get(f"/dossiers/{dossier.code}/apology")).text
    assert _text(html, "reason") == "Chờ ý kiến cơ quan thuế"
    assert _text(html, "original") == "09:00 ngày 05/03/2026"
    assert _text(html, "new-appointment") == "15:00 ngày 10/03/2026"


async def test_receipt_lists_only_the_components_received_and_prints_without_the_site_header(
        client: httpx.AsyncClient, users: dict) -> None:
    from tests.factories import APPLICATIONS, publish_shipped

    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=ACCEPTED,
                                    user=users["citizen"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], ACCEPTED)
    await page_login(client, "citizen")
    html = (await client.get(f"/dossiers/{dossier.code}/receipt")).text
    rows = re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", html)
    assert rows == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc "
                    "sinh hoặc giấy cam đoan về việc sinh"]  # not the optional papers nobody brought
    css = re.search(r"@media print\{([^}]*)\}", html)
    assert css and ".mc-header" in css.group(1) and ".mc-footer" in css.group(1) and "display:none" in css.group(1)
    assert "onclick" not in html and 'src="/static/web/print.js"' in html
    assert (await client.get("/static/web/print.js")).status_code == 200
