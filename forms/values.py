"""Parse and format typed values: numbers with Vietnamese separators, times, date-times.

Pure. Numbers (decided, documented in forms/__init__.py): spaces are ignored; "," and "." are both
accepted as the decimal mark; one mark followed by exactly three digits after a leading group of
1-3 digits is a *thousands* separator ("100.000" and "100,000" are 100000) unless the field allows
three or more decimals; several identical marks are thousands separators that must group by three
("1.000.000"); with both marks, the last one is the decimal mark ("1.234.567,5", "1,234,567.5").
Exponents, currency signs and words are refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

VN_OFFSET = timezone(timedelta(hours=7))  # Asia/Ho_Chi_Minh has no daylight saving time
_GROUPED = re.compile(r"^[1-9]\d{0,2}(?:X\d{3})+$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$", re.ASCII)
_TIME = re.compile(r"^(\d{1,2})\s*(?:[:hH.]\s*(\d{2})?)?(?::(\d{2}))?$", re.ASCII)
_ISO_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", re.ASCII)


def parse_number(text: str, decimal_digits: int | None = None) -> Decimal | None:
    """A number as typed by a Vietnamese citizen (see the module docstring); None if it is not one."""
    s = re.sub(r"[\s\u00a0\u202f_']", "", text)
    if not s or len(s) > 40:
        return None
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:]
    commas, dots = s.count(","), s.count(".")
    if commas and dots:
        decimal_mark = "," if s.rfind(",") > s.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = s.rpartition(decimal_mark)
        if thousands in fraction or not _grouped(whole, thousands):
            return None
        s = whole.replace(thousands, "") + "." + fraction
    elif commas + dots > 1:
        mark = "," if commas else "."
        if not _grouped(s, mark):
            return None
        s = s.replace(mark, "")
    elif commas + dots == 1:
        mark = "," if commas else "."
        if _grouped(s, mark) and (decimal_digits is None or decimal_digits < 3):
            s = s.replace(mark, "")
        else:
            s = s.replace(",", ".")
    if not _PLAIN.match(s):
        return None
    try:
        return Decimal(sign + s)
    except InvalidOperation:  # pragma: no cover - guarded by the regex
        return None


def _grouped(text: str, mark: str) -> bool:
    return bool(_GROUPED.match(text.replace(mark, "X"))) and "X" not in text


def json_number(value: object) -> Decimal | None:
    """A JSON number (bool is not a number); non-finite floats are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def decimals(value: Decimal) -> int:
    """Digits after the decimal point, trailing zeros ignored (form-js countDecimals)."""
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def number_out(value: Decimal, as_string: bool) -> int | float | str:
    """The value form-js would submit: a JSON number (int when integral), or a string."""
    if as_string:
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def show_number(value: object) -> str:
    """A stored number as the input box shows it (no grouping, "." as the decimal mark)."""
    number = json_number(value)
    if number is None:
        return str(value) if isinstance(value, str) else ""
    return format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))


def parse_time(text: str) -> time | None:
    """"16:00", "16h00", "16h", "7.30", "16:00:00"; 24-hour clock."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_iso_time(text: str) -> time | None:
    """An ISO time with an optional offset (JSON input); returns local (UTC+7) wall time."""
    match = _ISO_TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    offset = _offset(match.group(4))
    if offset is None:
        return time(hour, minute)
    moment = datetime(2000, 1, 3, hour, minute, tzinfo=offset).astimezone(VN_OFFSET)
    return time(moment.hour, moment.minute)


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_iso_datetime(text: str) -> datetime | None:
    """An ISO date-time (JSON input), returned as naive local (UTC+7) wall time."""
    text = text.strip().replace(" ", "T", 1)
    if "T" not in text:
        return None
    day_part, _, time_part = text.partition("T")
    try:
        day = date.fromisoformat(day_part)
    except ValueError:
        return None
    match = _ISO_TIME.match(time_part)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    # Without an offset the text is already local wall time; with one, convert it to local first.
    offset = _offset(match.group(4)) or VN_OFFSET
    moment = datetime(day.year, day.month, day.day, int(match.group(1)), int(match.group(2)), tzinfo=offset)
    return moment.astimezone(VN_OFFSET).replace(tzinfo=None)


def time_out(value: time, fmt: str) -> str:
    """form-js timeSerializingFormat for a local time: utc_offset (default), utc_normalized, no_timezone."""
    if fmt == "no_timezone":
        return f"{value.hour:02d}:{value.minute:02d}"
    if fmt == "utc_normalized":
        moment = datetime(2000, 1, 3, value.hour, value.minute, tzinfo=VN_OFFSET).astimezone(UTC)
        return f"{moment.hour:02d}:{moment.minute:02d}Z"
    return f"{value.hour:02d}:{value.minute:02d}+07:00"


def datetime_out(value: datetime, fmt: str) -> str:
    if fmt == "no_timezone":
        return value.strftime("%Y-%m-%dT%H:%M")
    if fmt == "utc_normalized":
        return value.replace(tzinfo=VN_OFFSET).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return value.strftime("%Y-%m-%dT%H:%M") + "+07:00"


def file_size(size: int, lang: str = "vi") -> str:
    """A file's size for people, in decimal units like the upload limit (10 MB = 10 000 000 bytes):
    bytes under 1 KB ("512 B", never "0 KB"), one decimal under 10 KB/MB, a decimal comma in
    Vietnamese ("1,5 MB") and a point in English ("1.5 MB")."""
    size = max(int(size), 0)
    if size < 1000:
        return f"{size} B"
    value, unit = size / 1000, "KB"
    if round(value, 1 if value < 10 else 0) >= 1000:
        value, unit = size / 1_000_000, "MB"
    text = f"{value:.1f}".removesuffix(".0") if round(value, 1) < 10 else f"{value:.0f}"
    return f"{text.replace('.', ',') if lang == 'vi' else text} {unit}"
