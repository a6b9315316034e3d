"""Formatting for the pages and printed forms: dates and times in Asia/Ho_Chi_Minh, time limits, kinds."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from web.i18n import current_language

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = {"working_days": ("ngày làm việc", "working days"), "working_hours": ("giờ làm việc", "working hours"),
         "calendar_days": ("ngày", "days"), "same_day": ("trong ngày", "same day")}
KINDS = {"original": ("Bản chính", "Original"), "copy": ("Bản sao", "Copy"), "e-copy": ("Bản điện tử", "E-copy")}


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def english() -> bool:
    """Whether the current request's (or form's) language is English."""
    return current_language.get() == "en"


def unit_label(unit: str) -> str:
    """A procedure's time unit in the page's language ("ngày làm việc" / "working days")."""
    return UNITS.get(unit, (unit, unit))[1 if english() else 0]


def time_limit_label(limit: object, unit: str) -> str:
    """"3 ngày làm việc" / "3 working days"; "trong ngày" / "same day" for same-day procedures."""
    if unit == "same_day":
        return unit_label(unit)
    return f"{float(str(limit)):g} {unit_label(unit)}"


def fmt(at: datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh (stored UTC): "08:30 ngày 02/03/2026", "08:30 on 02/03/2026"."""
    if at is None:
        return "—"
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return value.astimezone(LOCAL_TZ).strftime("%H:%M on %d/%m/%Y" if english() else "%H:%M ngày %d/%m/%Y")


def fmt_due(at: datetime | str | None) -> str:
    """A due date as `fmt`, except that midnight is the end of the day before: a period in days
    ends at 24:00 of its last day (Civil Code art. 147-148, stored as 00:00 of the next day), so
    it reads "24:00 ngày <last day>", never "00:00 ngày <a day the dossier is not due on>"."""
    if at is None:
        return "—"
    local = (datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(LOCAL_TZ)
    if local.time() == time.min:
        return (local - timedelta(days=1)).strftime("24:00 on %d/%m/%Y" if english() else "24:00 ngày %d/%m/%Y")
    return fmt(local)


def fmt_day(at: datetime | str | None) -> str:
    """The date line of an official letter, local date: "ngày 04 tháng 3 năm 2026" (Decree
    30/2020/NĐ-CP: a leading 0 for days below 10 and for months 1 and 2); "4 March 2026" in English."""
    if at is None:
        return "—"
    day = (datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(LOCAL_TZ).date()
    if english():
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"
