"""The installation's work calendar: national data (`holidays`) + provincial overrides from the DB.

`current()` is what pure code and expression functions use; `refresh()` rebuilds it from the
CalendarOverride rows (at start-up and whenever an admin changes them).
"""

from __future__ import annotations

from engine.models import CalendarOverride
from engine.workdays import Calendar, Overrides, default_calendar

_current: Calendar = default_calendar()


def current() -> Calendar:
    return _current


async def refresh() -> Calendar:
    global _current
    rows = await CalendarOverride.all()
    overrides = Overrides(days_off=frozenset(r.on for r in rows if r.kind == "off"),
                          working_days=frozenset(r.on for r in rows if r.kind == "working"))
    _current = default_calendar(overrides=overrides)
    return _current
