"""Working-calendar functions for model expressions (timer dates, conditions, scripts).

The language declares their names (scripting.CONTEXT_FUNCTIONS); `bind(calendar)` gives their
implementations for one calendar source, and the runtime builds its script engine with them
(nothing is registered on import)::

    <bpmn:timeDate>add_working_days(received_at, 15)</bpmn:timeDate>
    <bpmn:timeDate>add_working_hours(received_at, 4)</bpmn:timeDate>
    <bpmn:conditionExpression>working_days_between(received_at, decided_at) > 15</bpmn:conditionExpression>

Arguments are task data, so texts: an ISO date-time ("2026-03-02T08:00:00+07:00"; a naive one is
local time of the calendar) or an ISO date ("2026-03-02" = the start of that local day). Results
are ISO date-times *with* their UTC offset, in the calendar's local time: SpiffWorkflow reads a
naive timer date with the server's offset of import time (SPIFFWORKFLOW.md §5.3). The calendar
is the runtime's: national holidays, make-up days and provincial overrides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from engine.workdays import Calendar


def _instant(value: object, calendar: Calendar, name: str) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"{name} expects an ISO date or date-time text, got {type(value).__name__}")
    text = value.strip()
    if len(text) == 10:  # a bare date: the start of that local day
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=calendar.tz)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=calendar.tz)


def _amount(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} expects a number of working days or hours, got {type(value).__name__}")
    return Decimal(str(value))


def bind(calendar_of: Callable[[], Calendar]) -> dict[str, Callable[..., Any]]:
    """The working-calendar functions, reading the calendar from `calendar_of()` at each call."""

    def add_working_days(start: str, days: float) -> str:
        """`days` working days (× the calendar's day length, fractions allowed) after `start`."""
        calendar = calendar_of()
        due = calendar.add_working_days(_instant(start, calendar, "add_working_days"),
                                        _amount(days, "add_working_days"))
        return calendar.local(due).isoformat()

    def add_working_hours(start: str, hours: float) -> str:
        """`hours` of office time after `start` (sessions, weekends and holidays skipped)."""
        calendar = calendar_of()
        due = calendar.add_working_hours(_instant(start, calendar, "add_working_hours"),
                                         _amount(hours, "add_working_hours"))
        return calendar.local(due).isoformat()

    def working_days_between(a: str, b: str) -> float:
        """Working time from `a` to `b` in working days (a float; negative when `b` is before `a`)."""
        calendar = calendar_of()
        spent = calendar.working_time_between(_instant(a, calendar, "working_days_between"),
                                              _instant(b, calendar, "working_days_between"))
        return spent / calendar.day_length

    return {"add_working_days": add_working_days, "add_working_hours": add_working_hours,
            "working_days_between": working_days_between}
