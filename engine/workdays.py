"""The working-day / working-hour calendar of one province, and arithmetic in working time (pure).

Which dates are working days is data: Monday–Friday, minus the national holidays, compensatory
days and swapped days that the pinned ``holidays`` package knows for Vietnam, plus its make-up
working Saturdays, then the province's own overrides (``Overrides``) on top (RULES §3.3). Which
local hours count is data too: the office sessions, 07:00–11:30 and 13:30–17:00 by default.

Boundary conventions (every function follows them):

* A session is the half-open interval ``[start, end)``: 11:30 itself is not working time, so
  ``next_working_instant(11:30)`` is 13:30 and ``is_working_time(17:00)`` is false.
* ``add_working_hours(start, h)`` is the *earliest* instant ``t >= start`` with
  ``working_time_between(start, t) == h``. For ``h > 0`` it therefore lies in ``(start, end]``
  of a session: a due date that consumes a session's last minute lands at 11:30 or 17:00, never
  at the next 13:30 or 07:00. For ``h == 0`` it is ``start`` itself, even at 11:30 or at night.
* ``subtract_working_hours(end, h)`` is the *latest* instant ``t <= end`` with
  ``working_time_between(t, end) == h``: for ``h > 0`` it lies in ``[start, end)`` of a session.
* One working day is the calendar's ``day_length`` (the sum of its sessions: 8 h by default), so
  day counts are hour-precise like real receipts: 25 working days from 08:37 ends at 08:37.
* Every datetime taken must be aware (ValueError otherwise); every datetime returned is UTC.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LOCAL_TZ = "Asia/Ho_Chi_Minh"
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
DEFAULT_WEEKEND = frozenset({5, 6})  # date.weekday(): Saturday, Sunday (Decision 188/1999/QĐ-TTg)
PROVINCE_DAY_OFF = "ngày nghỉ của tỉnh"
WEEKDAY_NAMES = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
ONE_DAY = timedelta(days=1)
# A calendar with no working time for this long is misconfigured; stop instead of looping forever.
HORIZON_DAYS = 3660
_MICROS_PER_HOUR = Decimal(3_600_000_000)


@lru_cache(maxsize=256)
def _national_year(country: str, year: int) -> tuple[Mapping[date, str], frozenset[date]]:
    """Holidays (Vietnamese names) and make-up working weekend days of one year, from the package.

    The next year is loaded too because a substitution is filed under the year of the day off:
    the make-up Saturday 27 Dec 2014 appears only in the 2015 data.
    """
    data = holidays.country_holidays(country, years=(year, year + 1), language="vi")
    days_off = {day: name for day, name in data.items() if day.year == year}
    workdays = frozenset(day for day in data.weekend_workdays if day.year == year)
    return days_off, workdays


def _aware_utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: pass an aware datetime")
    return at.astimezone(UTC)


def hours_to_timedelta(amount: Decimal | float, unit: timedelta = timedelta(hours=1)) -> timedelta:
    """``amount`` × ``unit`` to the microsecond; floats go through ``str`` so 0.1 h is 6 minutes."""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    if not value.is_finite() or value < 0:
        raise ValueError(f"a duration must be finite and >= 0, got {amount!r}")
    micros = (value * Decimal(unit // timedelta(microseconds=1))).quantize(Decimal(1), ROUND_HALF_EVEN)
    return timedelta(microseconds=int(micros))


@dataclass(frozen=True)
class Overrides:
    """A province's decisions on top of the national data: extra days off, extra working days."""

    days_off: frozenset[date] = frozenset()
    working_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        both = self.days_off & self.working_days
        if both:
            raise ValueError(f"dates both off and working: {sorted(both)}")


@dataclass(frozen=True)
class Calendar:
    """Office sessions (local wall-clock times), weekend, national data and provincial overrides.

    Precedence for a date: a provincial working day, then a provincial day off, then a national
    make-up working day, then a national holiday, then the weekend rule. ``country=None`` drops
    the national data (tests, or a province that loads every date itself through overrides).
    """

    sessions: tuple[tuple[time, time], ...] = DEFAULT_SESSIONS
    overrides: Overrides = Overrides()
    timezone: str = LOCAL_TZ
    country: str | None = "VN"
    weekend: frozenset[int] = DEFAULT_WEEKEND
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.sessions:
            raise ValueError("a calendar needs at least one office session")
        previous_end = time.min
        for start, end in self.sessions:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("session times are local wall-clock times, without tzinfo")
            if not previous_end <= start < end:
                raise ValueError(f"sessions must be ordered, non-empty and disjoint: {self.sessions}")
            previous_end = end
        if not self.weekend <= frozenset(range(7)):
            raise ValueError(f"weekend days are date.weekday() numbers 0-6, got {sorted(self.weekend)}")
        object.__setattr__(self, "tz", ZoneInfo(self.timezone))

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day; one "working day" of a time limit is this long."""
        return sum(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start) for start, end in self.sessions),
            timedelta(),
        )

    # -- dates -------------------------------------------------------------------------------

    def local(self, at: datetime) -> datetime:
        """``at`` in the calendar's timezone, for display and for reading the local date."""
        return _aware_utc(at).astimezone(self.tz)

    def holiday_name(self, day: date) -> str | None:
        """The national holiday on ``day`` (Vietnamese name from the package), if any."""
        if self.country is None:
            return None
        return _national_year(self.country, day.year)[0].get(day)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides.working_days:
            return True
        if day in self.overrides.days_off:
            return False
        if self.country is not None:
            days_off, workdays = _national_year(self.country, day.year)
            if day in workdays:
                return True
            if day in days_off:
                return False
        return day.weekday() not in self.weekend

    def non_working_reason(self, day: date) -> str | None:
        """Why ``day`` is not a working day: the holiday's name, the province's day off, or the
        weekday name ("Thứ bảy", "Chủ nhật"); ``None`` when it is a working day."""
        if self.is_working_day(day):
            return None
        name = self.holiday_name(day)
        if name is not None:
            return name
        if day in self.overrides.days_off:
            return PROVINCE_DAY_OFF
        return WEEKDAY_NAMES[day.weekday()]

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, HORIZON_DAYS + 1):
            candidate = day + offset * ONE_DAY
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {HORIZON_DAYS} days after {day}")

    def skipped_days(self, start: datetime, end: datetime) -> list[tuple[date, str]]:
        """Non-working local dates whose office hours, had they been a working day, would have
        counted between ``start`` and ``end``, with reasons, so a screen can explain why a
        working-time due date is where it is. A boundary day counts only for the part inside the
        interval: a Saturday is not skipped by a count that starts at 20:00 that Saturday or
        ends at 17:00 the Friday before."""
        start, end = _aware_utc(start), _aware_utc(end)
        if end < start:
            raise ValueError("end is before start")
        opens, closes = self.sessions[0][0], self.sessions[-1][1]
        skipped: list[tuple[date, str]] = []
        day, last = self.local(start).date(), self.local(end).date()
        while day <= last:
            reason = self.non_working_reason(day)
            if reason is not None and (datetime.combine(day, opens, tzinfo=self.tz) < end
                                       and datetime.combine(day, closes, tzinfo=self.tz) > start):
                skipped.append((day, reason))
            day += ONE_DAY
        return skipped

    # -- sessions ----------------------------------------------------------------------------

    def sessions_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The office sessions of a local date as UTC ``[start, end)`` pairs; none on a day off."""
        if not self.is_working_day(day):
            return []
        return [
            (
                datetime.combine(day, start, tzinfo=self.tz).astimezone(UTC),
                datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC),
            )
            for start, end in self.sessions
        ]

    def day_end(self, day: date) -> datetime:
        """End of the last session of ``day`` (which must be a working day), in UTC."""
        sessions = self.sessions_on(day)
        if not sessions:
            raise ValueError(f"{day} is not a working day")
        return sessions[-1][1]

    def end_of_working_day(self, at: datetime) -> datetime:
        """End of the working day ``at`` falls in; if ``at`` is on a day off or after that day's
        last session, end of the next working day. An instant exactly at 17:00 stays 17:00."""
        at = _aware_utc(at)
        day = self.local(at).date()
        if self.is_working_day(day) and at <= self.day_end(day):
            return self.day_end(day)
        return self.day_end(self.next_working_day(day))

    def is_working_time(self, at: datetime) -> bool:
        at = _aware_utc(at)
        return any(start <= at < end for start, end in self.sessions_on(self.local(at).date()))

    def _forward(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals from ``at`` on, the first one clipped to start at ``at``."""
        day, idle = self.local(at).date(), 0
        while idle <= HORIZON_DAYS:
            sessions = self.sessions_on(day)
            idle = 0 if sessions else idle + 1
            for start, end in sessions:
                if end > at:
                    yield max(start, at), end
            day += ONE_DAY
        raise ValueError(f"no working time within {HORIZON_DAYS} days after {at.isoformat()}")

    def _backward(self, at: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals before ``at``, latest first, the first one clipped to end at ``at``."""
        day, idle = self.local(at).date(), 0
        while idle <= HORIZON_DAYS:
            sessions = self.sessions_on(day)
            idle = 0 if sessions else idle + 1
            for start, end in reversed(sessions):
                if start < at:
                    yield start, min(end, at)
            day -= ONE_DAY
        raise ValueError(f"no working time within {HORIZON_DAYS} days before {at.isoformat()}")

    def next_working_instant(self, at: datetime) -> datetime:
        """``at`` itself when it is working time, else the start of the next session."""
        start, _ = next(self._forward(_aware_utc(at)))
        return start

    # -- arithmetic --------------------------------------------------------------------------

    def add_working_hours(self, start: datetime, hours: Decimal | float) -> datetime:
        """The earliest instant after ``hours`` of working time from ``start`` (see module doc)."""
        remaining = hours_to_timedelta(hours)
        cursor = _aware_utc(start)
        if not remaining:
            return cursor
        for begin, end in self._forward(cursor):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        raise AssertionError("unreachable: _forward raises when it runs out")

    def subtract_working_hours(self, end: datetime, hours: Decimal | float) -> datetime:
        """The latest instant ``hours`` of working time before ``end`` (see module doc)."""
        remaining = hours_to_timedelta(hours)
        cursor = _aware_utc(end)
        if not remaining:
            return cursor
        for begin, stop in self._backward(cursor):
            if remaining <= stop - begin:
                return stop - remaining
            remaining -= stop - begin
        raise AssertionError("unreachable: _backward raises when it runs out")

    def add_working_days(self, start: datetime, days: Decimal | float) -> datetime:
        """``days`` × ``day_length`` of working time after ``start``; fractions (3.5) allowed."""
        return self.add_working_hours(start, self._days_in_hours(days))

    def subtract_working_days(self, end: datetime, days: Decimal | float) -> datetime:
        return self.subtract_working_hours(end, self._days_in_hours(days))

    def _days_in_hours(self, days: Decimal | float) -> Decimal:
        length = hours_to_timedelta(days, self.day_length)
        return Decimal(length // timedelta(microseconds=1)) / _MICROS_PER_HOUR

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside sessions of working days between ``a`` and ``b`` (negative when
        ``b`` is before ``a``)."""
        a, b = _aware_utc(a), _aware_utc(b)
        if b < a:
            return -self.working_time_between(b, a)
        total = timedelta()
        day, last = self.local(a).date(), self.local(b).date()
        while day <= last:
            for start, end in self.sessions_on(day):
                overlap = min(end, b) - max(start, a)
                if overlap > timedelta():
                    total += overlap
            day += ONE_DAY
        return total

    def working_times_from(self, origin: datetime, instants: Sequence[datetime]) -> list[timedelta]:
        """``working_time_between(origin, x)`` for each ``x``, in one sweep over the days they span
        (a page of 50 inbox rows walked the days between now and each due, one row at a time):
        with W(x) the working time from a fixed start up to x, each value is W(x) - W(origin)."""
        origin = _aware_utc(origin)
        points = [_aware_utc(x) for x in instants]
        targets = sorted({origin, *points})
        upto: dict[datetime, timedelta] = {}
        total, i = timedelta(), 0
        day, last = self.local(targets[0]).date(), self.local(targets[-1]).date()
        while day <= last:
            sessions = self.sessions_on(day)
            while i < len(targets) and self.local(targets[i]).date() == day:
                x = targets[i]
                upto[x] = total + sum((min(end, x) - start for start, end in sessions if start < x), timedelta())
                i += 1
            total += sum((end - start for start, end in sessions), timedelta())
            day += ONE_DAY
        return [upto[x] - upto[origin] for x in points]


def default_calendar(
    overrides: Overrides | None = None, sessions: Sequence[tuple[time, time]] | None = None
) -> Calendar:
    """Vietnam's national calendar in Asia/Ho_Chi_Minh with the default (or given) office sessions."""
    return Calendar(
        sessions=tuple(sessions) if sessions is not None else DEFAULT_SESSIONS,
        overrides=overrides or Overrides(),
    )


_KEYS = frozenset({"timezone", "country", "sessions", "weekend", "days_off", "working_days"})


def calendar_from_dict(data: Mapping[str, object]) -> Calendar:
    """A calendar from plain JSON-able data, so a province's settings can be stored as JSON::

        {"timezone": "Asia/Ho_Chi_Minh", "country": "VN",
         "sessions": [["07:30", "11:30"], ["13:00", "17:00"]], "weekend": [5, 6],
         "days_off": ["2026-01-02"], "working_days": ["2026-01-10"]}

    Every key is optional (defaults as in ``Calendar``); unknown keys raise ValueError.
    """
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"unknown calendar keys: {sorted(unknown)}")
    sessions = DEFAULT_SESSIONS
    if "sessions" in data:
        pairs = _pairs(data["sessions"])
        sessions = tuple((time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs)
    country = data.get("country", "VN")
    timezone = data.get("timezone", LOCAL_TZ)
    if not (country is None or isinstance(country, str)) or not isinstance(timezone, str):
        raise ValueError("country must be a string or null; timezone a string")
    return Calendar(
        sessions=sessions,
        overrides=Overrides(
            days_off=frozenset(date.fromisoformat(text) for text in _strings(data.get("days_off", []))),
            working_days=frozenset(date.fromisoformat(text) for text in _strings(data.get("working_days", []))),
        ),
        timezone=timezone,
        country=country,
        weekend=frozenset(_ints(data.get("weekend", sorted(DEFAULT_WEEKEND)))),
    )


def calendar_to_dict(calendar: Calendar) -> dict[str, object]:
    """The inverse of ``calendar_from_dict``."""
    return {
        "timezone": calendar.timezone,
        "country": calendar.country,
        "sessions": [[start.isoformat("minutes"), end.isoformat("minutes")] for start, end in calendar.sessions],
        "weekend": sorted(calendar.weekend),
        "days_off": sorted(day.isoformat() for day in calendar.overrides.days_off),
        "working_days": sorted(day.isoformat() for day in calendar.overrides.working_days),
    }


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return value


def _ints(value: object) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(item, int) for item in value):
        raise ValueError(f"expected a list of integers, got {value!r}")
    return value


def _pairs(value: object) -> list[tuple[str, str]]:
    if not isinstance(value, list) or not all(
        isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(part, str) for part in pair)
        for pair in value
    ):
        raise ValueError(f"sessions must be a list of [start, end] strings, got {value!r}")
    return [(pair[0], pair[1]) for pair in value]
