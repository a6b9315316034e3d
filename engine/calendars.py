"""The installation's work calendar: national data (`holidays`) + provincial overrides from the DB.

`current()` is what pure code and expression functions use; `refresh()` rebuilds it from the
CalendarOverride rows (at start-up and whenever an admin changes them).
"""

from __future__ import annotations

from datetime import time

from engine.models import CalendarOverride
from engine.workdays import Calendar, Overrides, default_calendar

_current: Calendar = default_calendar()
_sessions: tuple[tuple[time, time], ...] | None = None


def parse_sessions(text: str) -> tuple[tuple[time, time], ...]:
    """"07:00-11:30,13:30-17:00" → ((07:00, 11:30), (13:30, 17:00)); ValueError when malformed."""
    sessions = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        sessions.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
    if not sessions or any(s >= e for s, e in sessions) or any(
            a[1] > b[0] for a, b in zip(sessions, sessions[1:], strict=False)):
        raise ValueError(f"office hours must be ordered HH:MM-HH:MM sessions: {text!r}")
    return tuple(sessions)


def current() -> Calendar:
    return _current


async def refresh(office_hours: str | None = None) -> Calendar:
    """Rebuild from the override rows (and, when given, new office hours from the settings)."""
    global _current, _sessions
    if office_hours is not None:
        _sessions = parse_sessions(office_hours)
    rows = await CalendarOverride.all()
    overrides = Overrides(days_off=frozenset(r.on for r in rows if r.kind == "off"),
                          working_days=frozenset(r.on for r in rows if r.kind == "working"))
    _current = default_calendar(overrides=overrides, sessions=_sessions)
    return _current
