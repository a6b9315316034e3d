"""Every UI string in the templates and pages has an English translation; the switch works."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import httpx
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import number_text

WEB = Path(__file__).resolve().parents[2] / "web"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def test_every_ui_string_has_an_english_translation() -> None:
    with (WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    used = {msg for _f, _l, msg, _c, _x in extract_from_dir(str(WEB), METHODS) if isinstance(msg, str)}
    assert used, "no strings found: the extraction is not looking at the templates"
    missing = sorted(m for m in used if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"untranslated: {missing}"


async def test_language_switch_shows_english(client: httpx.AsyncClient) -> None:
    page = (await client.get("/login")).text
    assert "Đăng nhập" in page and '<html lang="vi">' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    r = await client.post("/language", data={"csrf_token": csrf.group(1), "lang": "en", "next": "/login"})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = (await client.get("/login")).text
    assert "Sign in" in page and '<html lang="en">' in page


def test_figures_take_the_decimal_mark_of_the_page_language() -> None:
    # a report's "33.33" reads as thirty-three thousand to a Vietnamese reader: 33,33 there
    assert number_text("33.33", "vi") == "33,33" and number_text("33.33", "en") == "33.33"
    assert number_text(Decimal("100.00"), "vi") == "100,00"  # the figure's own digits are kept
    assert number_text(1234, "vi") == "1.234" and number_text(1234, "en") == "1,234"
    assert number_text("1234.5", "vi") == "1.234,5"
    assert number_text(20, "vi") == "20" and number_text(None, "vi") == ""
    assert number_text("Chưa có dữ liệu", "vi") == "Chưa có dữ liệu"  # not a number: as it is
