"""UI languages: Vietnamese (the source strings) and English (Babel catalogue web/translations/en).

The .po catalogue is compiled in memory at start-up (no .mo file to forget to rebuild):
`scripts/i18n` extracts new strings and updates it; a test checks every string is translated.

`LanguageMiddleware` sets `current_language` for each request, so that dates and units computed
anywhere in a view (web/documents.py `fmt`, `unit_label`) come out in the page's language.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("vi", "en")
CATALOGUES = Path(__file__).parent / "translations"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    po = CATALOGUES / lang / "LC_MESSAGES" / "messages.po"
    if lang == "vi" or not po.exists():
        return gettext.NullTranslations()  # Vietnamese is the source language
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str) -> gettext.NullTranslations:
    return translations(lang if lang in LANGUAGES else "vi")


def number_text(value: object, lang: str, *, trim: bool = False) -> str:
    """A figure as the page's language writes it, its digits kept: 33,33 and 1.234 in Vietnamese,
    33.33 and 1,234 in English (a report's "33.33" read as thirty-three thousand, otherwise);
    `trim`: trailing zeros dropped ("2.0" → 2, "50.50" → 50,5). Anything that is not a number
    comes back as it is."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if trim:
        number = number.normalize()
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_decimal(number, format="#,##0" + ("." + "0" * places if places else ""),
                          locale="en" if lang == "en" else "vi")


#: the language of the request being served ("vi" outside any request)
current_language: ContextVar[str] = ContextVar("motcua_language", default="vi")


def pick(asked: str | None, session: Mapping[str, Any] | None, default: str) -> str:
    """?lang= first, then the session's choice (kept across sign-in and sign-out), then the default."""
    lang = asked or (session or {}).get("lang") or default
    return lang if lang in LANGUAGES else "vi"


class LanguageMiddleware:
    """Pure ASGI (the view runs in this context): sets `current_language` from the request; placed
    inside the session middleware, which it reads."""

    def __init__(self, app: Any, default: str = "vi") -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [None])[-1]
        token = current_language.set(pick(asked, scope.get("session"), self.default))
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)
