"""UI languages: Vietnamese (the source strings) and English (Babel catalogue web/translations/en).

The .po catalogue is compiled in memory at start-up (no .mo file to forget to rebuild):
`scripts/i18n` extracts new strings and updates it; a test checks every string is translated.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

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
