"""Due dates of dossiers and steps, pauses and resets, extensions, and early / on-time / late (pure).

The clock starts at ACCEPTANCE (RULES §3.1), never at submission. Every function takes the
instants it needs (no ``datetime.now()``) and a ``workdays.Calendar``; every datetime returned
is aware UTC. Time limits carry a unit (RULES §3.2, §8.4):

* ``working_days`` — hour-precise: due = acceptance + N × ``calendar.day_length`` of working time
  (8 h by default; fractions such as 3.5 allowed). With ``end_of_day=True`` (for procedures whose
  law counts whole days) the due moves to the end of the working day the hour-precise due is on.
* ``working_hours`` — acceptance + N working hours (same ``end_of_day`` option).
* ``calendar_days`` — Civil Code 2015 art. 147–148: the day of the event is not counted, the
  period ends at 24:00 of the last day (returned as 00:00 local of the following day), and a
  last day that is not a working day moves to the next working day, ending at its 24:00.
* ``same_day`` — "ngay trong ngày" with a cut-off (15:00 local by default, ND118 art. 18.2): a
  dossier accepted on a working day at or before the cut-off is due at the end of that day's last
  session; strictly after it, or on a day off, at the end of the next working day's last session.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from engine.errors import Conflict, InvalidData
from engine.workdays import LOCAL_TZ, ONE_DAY, Calendar, hours_to_timedelta

SAME_DAY_CUTOFF = time(15, 0)
SUPPLEMENT = "supplement"  # the Pause.reason that resets the legal clock (ND118 art. 19.5)


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"
    SAME_DAY = "same_day"


class Verdict(StrEnum):
    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn


@dataclass(frozen=True)
class Pause:
    """An interval during which the dossier waits for the citizen or a third party.

    ``reason == "supplement"`` (a Form 02 request after appraisal) resets the legal clock; any
    other reason (``"financial_obligation"``, ``"verification"``…) suspends it. Pass only the
    pauses the procedure says stop the clock. ``end_at=None`` means still waiting.
    """

    start_at: datetime
    end_at: datetime | None
    reason: str

    def __post_init__(self) -> None:
        # House rule: ``*_at`` fields hold UTC, whatever zone the caller used.
        object.__setattr__(self, "start_at", _require_aware(self.start_at).astimezone(UTC))
        if self.end_at is not None:
            object.__setattr__(self, "end_at", _require_aware(self.end_at).astimezone(UTC))
            if self.end_at < self.start_at:
                raise ValueError("a pause cannot end before it starts")


@dataclass(frozen=True)
class DueDates:
    """The due date computed at acceptance (kept for audit and lateness reports) and the one in
    force after resets, pauses and the single extension. ``adjusted`` is ``None`` while an open
    pause holds the clock: the due date is not known until the citizen answers."""

    original: datetime
    adjusted: datetime | None
    extended: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "original", _require_aware(self.original).astimezone(UTC))
        if self.adjusted is not None:
            object.__setattr__(self, "adjusted", _require_aware(self.adjusted).astimezone(UTC))


def _require_aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at.isoformat()}: pass an aware datetime")
    return at


def due_at(
    accepted_at: datetime,
    limit: Decimal | float,
    unit: Unit | str,
    calendar: Calendar,
    *,
    end_of_day: bool = False,
    cutoff: time = SAME_DAY_CUTOFF,
) -> datetime:
    """The due instant of a time limit counted from ``accepted_at`` (rules in the module doc).

    ``cutoff`` [V: 15:00 is the national portal's wording; a province may publish another] only
    matters for ``same_day``, whose ``limit`` is ignored. ``end_of_day`` only matters for the
    working units: ``calendar_days`` already end at 24:00 and ``same_day`` at the end of the day.
    """
    unit = Unit(unit)
    accepted_at = _require_aware(accepted_at).astimezone(UTC)
    if unit is Unit.SAME_DAY:
        return _same_day(accepted_at, calendar, cutoff)
    if unit is Unit.CALENDAR_DAYS:
        return _calendar_days(accepted_at, _whole_days(limit), calendar)
    if unit is Unit.WORKING_DAYS:
        due = calendar.add_working_days(accepted_at, limit)
    else:
        due = calendar.add_working_hours(accepted_at, limit)
    return calendar.end_of_working_day(due) if end_of_day else due


def _same_day(accepted_at: datetime, calendar: Calendar, cutoff: time) -> datetime:
    local = calendar.local(accepted_at)
    day = local.date()
    # Exactly 15:00 is not "after 15:00"; an instant past the last session cannot be served that day.
    if calendar.is_working_day(day) and local.time() <= cutoff and accepted_at < calendar.day_end(day):
        return calendar.day_end(day)
    return calendar.day_end(calendar.next_working_day(day))


def _whole_days(limit: Decimal | float) -> int:
    days = Decimal(str(limit)) if not isinstance(limit, Decimal) else limit
    if not days.is_finite() or days < 0 or days != days.to_integral_value():
        raise ValueError(f"calendar days must be a whole number >= 0, got {limit!r}")
    return int(days)


def _calendar_days(event_at: datetime, days: int, calendar: Calendar) -> datetime:
    last = calendar.local(event_at).date() + days * ONE_DAY  # the event's own day is not counted
    if not calendar.is_working_day(last):
        last = calendar.next_working_day(last)
    return datetime.combine(last + ONE_DAY, time.min, tzinfo=calendar.tz).astimezone(UTC)  # 24:00


def skipped_days(
    accepted_at: datetime,
    limit: Decimal | float,
    unit: Unit | str,
    calendar: Calendar,
    *,
    cutoff: time = SAME_DAY_CUTOFF,
) -> list[tuple[date, str]]:
    """The non-working days that really moved the due of ``due_at(accepted_at, limit, unit)``,
    with reasons (the "why is my due date there" screen).

    * working units: the days off whose office hours fall inside the count (Calendar.skipped_days);
    * ``calendar_days``: every day counts, weekends included, and the acceptance day is not counted
      at all; only a last day that is not a working day, and the days off after it up to the next
      working day, moved the end (Civil Code art. 148);
    * ``same_day``: the days off between acceptance and the due, and the acceptance day itself
      when the dossier came in on a day off before the cut-off.
    """
    unit = Unit(unit)
    due = due_at(accepted_at, limit, unit, calendar, cutoff=cutoff)
    if unit in (Unit.WORKING_DAYS, Unit.WORKING_HOURS):
        return calendar.skipped_days(accepted_at, due)
    local = calendar.local(accepted_at)
    if unit is Unit.CALENDAR_DAYS:
        first = local.date() + _whole_days(limit) * ONE_DAY  # the nominal last day
        last = calendar.local(due).date() - ONE_DAY  # the due is 24:00 (00:00 the next day) of the last day
    else:
        first = local.date() if local.time() <= cutoff else local.date() + ONE_DAY
        last = calendar.local(due).date() - ONE_DAY  # the due's own day is a working day
    days = (first + n * ONE_DAY for n in range((last - first).days + 1))
    return [(day, reason) for day in days if (reason := calendar.non_working_reason(day)) is not None]


def _merged(pauses: Iterable[Pause], lower: datetime, upper: datetime | None) -> list[tuple[datetime, datetime]]:
    """Closed pause intervals clipped to ``[lower, upper]``, overlaps merged so that no waiting
    time is subtracted twice. An open pause runs to ``upper`` (and is dropped when it is None)."""
    spans: list[tuple[datetime, datetime]] = []
    for pause in pauses:
        end = pause.end_at if pause.end_at is not None else upper
        if end is not None:
            spans.append((max(pause.start_at, lower), min(end, upper) if upper is not None else end))
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _paused(spans: Iterable[tuple[datetime, datetime]], calendar: Calendar) -> timedelta:
    return sum((calendar.working_time_between(start, end) for start, end in spans), timedelta())


def _shift(
    due: datetime, spans: Sequence[tuple[datetime, datetime]], unit: Unit, calendar: Calendar, end_of_day: bool
) -> datetime:
    """Push ``due`` later by the waiting time in ``spans``.

    Working units and ``same_day`` move by the paused *working* time (re-rounded to the end of
    the day where the unit or option rounds). ``calendar_days`` [V: no rule found] move by the
    paused elapsed time rounded up to whole days, then the Civil Code last-day rule again.
    """
    if not spans:
        return due
    if unit is Unit.CALENDAR_DAYS:
        elapsed = sum((end - start for start, end in spans), timedelta())
        extra = math.ceil(elapsed / ONE_DAY)
        # ``due`` is 24:00 of the (possibly moved) last day: count on from that day.
        return _calendar_days(due - ONE_DAY, extra, calendar) if extra else due
    hours = Decimal(_paused(spans, calendar) // timedelta(microseconds=1)) / Decimal(3_600_000_000)
    shifted = calendar.add_working_hours(due, hours)
    return calendar.end_of_working_day(shifted) if end_of_day or unit is Unit.SAME_DAY else shifted


def legal_due(
    accepted_at: datetime,
    limit: Decimal | float,
    unit: Unit | str,
    calendar: Calendar,
    pauses: Sequence[Pause] = (),
    *,
    end_of_day: bool = False,
    cutoff: time = SAME_DAY_CUTOFF,
) -> DueDates:
    """The legal due dates (RULES §3.5): a completed supplement after appraisal RESTARTS the
    clock with the full limit from the instant the supplement was received (ND118 art. 19.5,
    "recounted from the start"); other pauses after that restart push the due by their waiting
    time [V: RULES marks the financial-obligation pause K/V; pass only the pauses the procedure
    says stop the clock]. ``original`` is the due computed at acceptance, untouched by either;
    ``adjusted`` is None while any pause is still open.
    """
    unit = Unit(unit)
    original = due_at(accepted_at, limit, unit, calendar, end_of_day=end_of_day, cutoff=cutoff)
    if any(p.start_at < accepted_at for p in pauses):
        raise ValueError("a pause starts before acceptance: intake supplements stop no clock")
    if any(p.end_at is None for p in pauses):
        return DueDates(original, None)
    restart_at = max((p.end_at for p in pauses if p.reason == SUPPLEMENT and p.end_at), default=accepted_at)
    due = due_at(restart_at, limit, unit, calendar, end_of_day=end_of_day, cutoff=cutoff)
    # Waiting before a restart is wiped by the restart itself; count only what follows it.
    spans = _merged((p for p in pauses if p.reason != SUPPLEMENT), restart_at, None)
    return DueDates(original, _shift(due, spans, unit, calendar, end_of_day))


def kpi_elapsed(
    accepted_at: datetime, finished_at: datetime, pauses: Sequence[Pause], calendar: Calendar
) -> timedelta:
    """Working time from acceptance to the end of processing minus the paused working time, as
    the 766 on-time formula counts it (supplements are subtracted, not restarted). A pause still
    open at ``finished_at`` counts up to it, so an unanswered request ends the count at its start."""
    total = calendar.working_time_between(accepted_at, finished_at)
    return total - _paused(_merged(pauses, accepted_at, finished_at), calendar)


def kpi_verdict(
    accepted_at: datetime,
    finished_at: datetime,
    limit: Decimal | float,
    unit: Unit | str,
    calendar: Calendar,
    pauses: Sequence[Pause] = (),
    *,
    end_of_day: bool = False,
    cutoff: time = SAME_DAY_CUTOFF,
    by_day: bool = True,
) -> Verdict:
    """The KPI verdict (766-formulas, RULES §3.5): the due computed from acceptance, pushed by
    every paused interval up to ``finished_at``; more than one supplement request is LATE."""
    unit = Unit(unit)
    if sum(1 for p in pauses if p.reason == SUPPLEMENT) > 1:
        return Verdict.LATE
    due = due_at(accepted_at, limit, unit, calendar, end_of_day=end_of_day, cutoff=cutoff)
    due = _shift(due, _merged(pauses, accepted_at, finished_at), unit, calendar, end_of_day)
    return verdict(due, finished_at, by_day=by_day, timezone=calendar.timezone)


def extend(due_dates: DueDates, new_due: datetime) -> DueDates:
    """The single re-appointment allowed by ND118 art. 19.6 (apology letter): ``adjusted``
    becomes ``new_due``, ``original`` stays. A second extension raises Conflict."""
    if due_dates.extended:
        raise Conflict("the dossier was already re-appointed once", rule="one_extension")
    if due_dates.adjusted is None:
        raise InvalidData("no due date while the clock is stopped", fields={"new_due": ["clock_stopped"]})
    if _require_aware(new_due) <= due_dates.adjusted:
        raise InvalidData("the new due date must be later", fields={"new_due": ["not_later"]})
    return DueDates(due_dates.original, new_due.astimezone(UTC), extended=True)


def step_due(
    started_at: datetime, value: Decimal | float, unit: Unit | str, calendar: Calendar
) -> datetime:
    """Due instant of one step's budget on the control sheet (working days or hours only)."""
    unit = Unit(unit)
    if unit not in (Unit.WORKING_DAYS, Unit.WORKING_HOURS):
        raise ValueError(f"step budgets are in working days or working hours, not {unit}")
    return due_at(started_at, value, unit, calendar)


def verdict(
    due_at: datetime, finished_at: datetime, *, by_day: bool = True, timezone: str = LOCAL_TZ
) -> Verdict:
    """Early / on time / late (RULES §3.6, recommended definitions; [V] for the portal's own).

    With ``by_day`` (the default): LATE when ``finished_at > due_at``; ON_TIME when it is at or
    before the due and on the due's local day (the "due slot"); EARLY when on an earlier local
    day. A due at 24:00 (00:00 local) belongs to the day that ends then. Without ``by_day`` the
    KPI 2.1 binary rule: ON_TIME when ``finished_at <= due_at``, else LATE (never EARLY).
    """
    due_at, finished_at = _require_aware(due_at), _require_aware(finished_at)
    if finished_at > due_at:
        return Verdict.LATE
    if not by_day:
        return Verdict.ON_TIME
    tz = ZoneInfo(timezone)
    local_due = due_at.astimezone(tz)
    due_day = local_due.date() - ONE_DAY if local_due.time() == time.min else local_due.date()
    return Verdict.ON_TIME if finished_at.astimezone(tz).date() >= due_day else Verdict.EARLY


SUPPLEMENT_REQUEST_DAYS = 3


def supplement_request_deadline(
    accepted_at: datetime, calendar: Calendar, *, days: Decimal | float = SUPPLEMENT_REQUEST_DAYS
) -> datetime:
    """The latest instant for a supplement request after acceptance: ND118 art. 19.5 gives the
    agency "3 working days from receipt" to ask. Counted in whole days (the Civil Code way): the
    end of the working day on which ``days`` working days from ``accepted_at`` run out [V: the
    hour-precise reading would end at the acceptance's clock time]. ``days``: sector laws differ."""
    return calendar.end_of_working_day(calendar.add_working_days(_require_aware(accepted_at), days))


def apology_due(due_at: datetime, calendar: Calendar) -> datetime:
    """The latest instant for the apology and new appointment: one working day (``day_length``)
    before the due (ND118 art. 19.6 "at the latest 1 day before"). The task that asks for them
    opens earlier (``dossier_lifecycle.Policy.apology_lead_days``), so there is time to write it."""
    return calendar.subtract_working_days(due_at, 1)


def deadline_before_event(event_at: datetime, hours: Decimal | float) -> datetime:
    """Latest instant to act ``hours`` plain clock hours before an event (press conference:
    notify >= 24 h before, RULES §6.8)."""
    return _require_aware(event_at).astimezone(UTC) - hours_to_timedelta(hours)


def kpi_due(accepted_at: datetime, limit: Decimal | float, unit: Unit | str, calendar: Calendar,
            pauses: Sequence[Pause] = ()) -> datetime:
    """The KPI view's due: from acceptance, pushed by every closed pause (open ones are left out).
    `kpi_verdict` judges against this due whenever every pause ended before the instant judged;
    the reports store it so that an open dossier is judged at a period's end without the calendar."""
    unit = Unit(unit)
    return _shift(due_at(accepted_at, limit, unit, calendar), _merged(pauses, accepted_at, None), unit, calendar,
                  False)
