"""English mode: the chosen language survives signing in and out, and dates and time units come out
in English on citizen and staff pages (dd/mm/yyyy kept, Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from tests.factories import accepted_household, page_csrf, page_login, publish_shipped
from web.documents import fmt, fmt_day, fmt_due, time_limit_label
from web.i18n import current_language

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local


async def _english(client: httpx.AsyncClient) -> None:
    r = await client.post("/language", data={"csrf_token": await page_csrf(client, "/"), "lang": "en", "next": "/"})
    assert r.status_code == 303


def _lang(page: str) -> str:
    found = re.search(r'<html lang="(\w+)">', page)
    assert found
    return found.group(1)


async def test_the_chosen_language_survives_sign_in_sign_out_and_sign_in_again(
        client: httpx.AsyncClient, users: dict) -> None:
    await _english(client)
    await page_login(client, "citizen")
    page = (await client.get("/")).text
    assert _lang(page) == "en" and "Sign out" in page
    r = await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    assert r.status_code == 303
    page = (await client.get("/")).text
    assert _lang(page) == "en" and "Sign in" in page
    await page_login(client, "officer")
    assert _lang((await client.get("/can-bo")).text) == "en"


async def test_signing_in_without_a_choice_keeps_the_default_language(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "citizen")
    assert _lang((await client.get("/")).text) == "vi"


async def test_citizen_pages_show_time_limits_and_dates_in_english(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await publish_shipped("birth-registration")
    await page_login(client, "citizen")
    vietnamese = (await client.get("/")).text
    assert "3 ngày làm việc" in vietnamese and "Trong ngày" in vietnamese
    await _english(client)
    catalogue = (await client.get("/")).text
    assert "3 working days" in catalogue and "Same day" in catalogue and "ngày làm việc" not in catalogue
    assert "3 working days" in (await client.get("/thu-tuc/2.000720")).text
    status = (await client.get(f"/tra-cuu/{dossier.code}")).text
    assert "09:00 on 02/03/2026" in status and "09:00 on 05/03/2026" in status
    assert " ngày 0" not in status
    receipt = (await client.get(f"/dossiers/{dossier.code}/receipt")).text
    assert 'id="time-limit">3 working days<' in receipt and 'id="appointment">09:00 on 05/03/2026<' in receipt


async def test_staff_pages_show_units_and_dates_in_english(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await _english(client)
    await page_login(client, "specialist")
    client._transport.app.state.clock = lambda: ACCEPTED  # type: ignore[attr-defined]
    inbox = (await client.get("/can-bo")).text
    due = re.search(r'class="mc-due[^>]*>(.*?)</td>', inbox, re.S)
    assert _lang(inbox) == "en" and due, inbox
    assert re.search(r"Remaining [\d.]+ working (days|hours)<br>", due.group(1)), due.group(1)
    assert re.search(r"\d\d:\d\d on \d\d/03/2026", due.group(1)) and "làm việc" not in inbox
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    assert "09:00 on 02/03/2026" in page and " ngày 0" not in page


def test_formatting_follows_the_requests_language() -> None:
    at = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)  # 00:00 local on 4 March: due at the end of the 3rd
    assert (fmt(at), fmt_due(at), fmt_day(at)) == ("00:00 ngày 04/03/2026", "24:00 ngày 03/03/2026",
                                                     "ngày 04 tháng 3 năm 2026")
    assert time_limit_label(3, "working_days") == "3 ngày làm việc"
    token = current_language.set("en")
    try:
        assert (fmt(at), fmt_due(at), fmt_day(at)) == ("00:00 on 04/03/2026", "24:00 on 03/03/2026", "4 March 2026")
        assert (time_limit_label(3, "working_days"), time_limit_label(1.5, "working_hours"),
                time_limit_label(0, "same_day")) == ("3 working days", "1.5 working hours", "same day")
    finally:
        current_language.reset(token)
