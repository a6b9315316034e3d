"""Vietnamese field types (RULES.md §6.0): citizen ID, mobile phone, tax code, dates typed d/m/y.

Pure functions. Each takes what the citizen typed and returns ``(clean value, None)`` or
``(None, error code)``; stray spaces, dots and dashes are ignored where they cannot change the
meaning (CITIZEN_UX P5). There is no public check digit in a citizen ID, so none is invented.
"""

from __future__ import annotations

import re
from datetime import date

_SEPARATORS = re.compile(r"[\s.\-()\u00a0]+")
_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$", re.ASCII)
_DIGITS = re.compile(r"^\d+$", re.ASCII)
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)


def citizen_id(text: str) -> tuple[str | None, str | None]:
    """12-digit personal identification number (số định danh cá nhân / CCCD). A 9-digit CMND
    is refused with its own code ("cmnd"), because it expired on 31 Dec 2024."""
    digits = _SEPARATORS.sub("", text)
    if _DIGITS.match(digits) and len(digits) == 12:
        return digits, None
    if _DIGITS.match(digits) and len(digits) == 9:
        return None, "cmnd"
    return None, "cccd"


def mobile_phone(text: str) -> tuple[str | None, str | None]:
    """Vietnamese mobile number, normalised to ``0XXXXXXXXX`` (+84 / 84 / 0084 become 0)."""
    compact = _SEPARATORS.sub("", text)
    if compact.startswith("+84"):
        compact = "0" + compact[3:]
    elif compact.startswith("0084"):
        compact = "0" + compact[4:]
    elif compact.startswith("84") and len(compact) == 11:
        compact = "0" + compact[2:]
    if _PHONE.match(compact):
        return compact, None
    return None, "phone"


def tax_code(text: str) -> tuple[str | None, str | None]:
    """Mã số thuế: 10 digits, or 13 written ``0123456789-001``; since 1 Jul 2025 an individual's
    12-digit personal ID. A 13-digit code typed without the dash gets it."""
    compact = re.sub(r"[\s.\u00a0]+", "", text)
    match = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", compact, re.ASCII)
    if match:
        return (match.group(1) + "-" + match.group(2)) if match.group(2) else match.group(1), None
    if re.fullmatch(r"\d{12}", compact, re.ASCII):
        return compact, None
    return None, "tax_code"


def parse_date(text: str) -> tuple[date | None, str | None]:
    """A date typed ``dd/mm/yyyy`` (also d/m/yyyy, with - . or space), or ISO ``yyyy-mm-dd``.
    Error codes: ``format`` (not a date shape) and ``real`` (no such day, e.g. 31/02/2025)."""
    text = text.strip()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.match(text)
        if not match:
            return None, "format"
        day, month, year = (int(g) for g in match.groups())
    return from_parts(day, month, year)


def from_parts(day: int, month: int, year: int) -> tuple[date | None, str | None]:
    if year < 1 or not 1 <= month <= 12:
        return None, "real"
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "real"


def parse_date_boxes(day: str, month: str, year: str) -> tuple[date | None, str | None]:
    """The three boxes of a date (CITIZEN_UX P6): "3", "03", "tháng 3" and "th3" are all March.
    Reports the worst problem first: a missing part ("day", "month", "year"), then "year4" (not
    four digits), then "real"."""
    parts = [re.sub(r"\D", "", p or "", flags=re.ASCII) for p in (day, month, year)]
    for name, value in zip(("day", "month", "year"), parts, strict=True):
        if not value:
            return None, name
    if len(parts[2]) != 4:
        return None, "year4"
    if len(parts[0]) > 2 or len(parts[1]) > 2:
        return None, "real"
    return from_parts(int(parts[0]), int(parts[1]), int(parts[2]))


def format_dmy(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def not_after(value: date, today: date) -> str | None:
    """Date of birth rule: on or before today."""
    return "future" if value > today else None
