"""Provincial calendar overrides (admin commands) and the due-date explanation the API serves.

A change bumps the calendar's configuration revision: every process (web, worker) reloads its
calendar within about a second (engine.runtime.Revisioned)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from engine import sla
from engine.dossier_lifecycle import Limit, limit_of
from engine.errors import InvalidData, NotFound
from engine.models import CalendarOverride, Dossier, Procedure
from engine.runtime import CALENDAR, bump_now
from engine.versions import current_version_info
from engine.workdays import Calendar, Overrides

if TYPE_CHECKING:
    from engine.runtime import Runtime

KINDS = ("off", "working")


async def list_overrides() -> list[CalendarOverride]:
    return await CalendarOverride.all().order_by("on")


def _checked(on: Any, kind: Any, note: Any) -> date:
    problems: dict[str, list[str]] = {}
    try:
        day = date.fromisoformat(on) if isinstance(on, str) else None
    except ValueError:
        day = None
    if day is None:
        problems["on"] = ["a date YYYY-MM-DD"]
    if kind not in KINDS:
        problems["kind"] = [f"one of {', '.join(KINDS)}"]
    if not isinstance(note, str) or len(note) > 300:
        problems["note"] = ["text, at most 300 characters"]
    if problems:
        raise InvalidData("Invalid calendar override", fields=problems)
    assert day is not None
    return day


async def add_override(rt: Runtime, on: Any, kind: Any, note: Any, created_by: str) -> CalendarOverride:
    day = _checked(on, kind, note)
    try:
        row = await CalendarOverride.create(on=day, kind=kind, note=note, created_by=created_by)
    except IntegrityError:
        raise InvalidData("That date already has an override", fields={"on": ["already overridden"]}) from None
    await bump_now(CALENDAR)
    await rt.calendars.reload()
    return row


async def delete_override(rt: Runtime, override_id: int) -> None:
    if not await CalendarOverride.filter(id=override_id).delete():
        raise NotFound("No such calendar override", id=override_id)
    await bump_now(CALENDAR)
    await rt.calendars.reload()


async def _limit(procedure: Procedure) -> Limit:
    try:  # the limit a dossier received now gets: its current version's, pinned at publish
        return (await current_version_info(procedure.code)).limit
    except NotFound:
        return limit_of(procedure.time_limit, procedure.time_unit)


@dataclass(frozen=True)
class OverridePreview:
    """What adding an override would do, before it is saved: the day's status now and then, the due
    of a dossier of `procedure` accepted at `accepted_at` with and without it, and how many open
    dossiers have their legal time running through that day (their due would move by it)."""

    on: date
    kind: str
    reason_now: str | None  # why the day is not worked now (None: a working day)
    changes: bool  # the override changes the day's status
    procedure_code: str
    procedure_name: str
    time_limit: float
    time_unit: str
    accepted_at: datetime
    due_now: datetime
    due_after: datetime
    open_dossiers: int


def with_override(cal: Calendar, on: date, kind: str) -> Calendar:
    off, working = set(cal.overrides.days_off) - {on}, set(cal.overrides.working_days) - {on}
    (off if kind == "off" else working).add(on)
    return dataclasses.replace(cal, overrides=Overrides(frozenset(off), frozenset(working)))


async def preview_override(rt: Runtime, on: Any, kind: Any, procedure_code: str, now: datetime) -> OverridePreview:
    """The effect of `add_override(on, kind)` on a dossier of the procedure accepted `now`, and on
    the open dossiers (InvalidData as add_override; NotFound for an unknown procedure)."""
    day = _checked(on, kind, "")
    procedure = await Procedure.get_or_none(code=procedure_code)
    if procedure is None:
        raise NotFound("No such procedure", code=procedure_code)
    limit = await _limit(procedure)
    cal = await rt.fresh_calendar()
    after = with_override(cal, day, str(kind))
    start = datetime.combine(day, time.min, tzinfo=cal.tz).astimezone(UTC)
    end = start + timedelta(days=1)
    running = await Dossier.filter(Q(due_adjusted_at__gt=start) | Q(due_adjusted_at__isnull=True,
                                                                     due_original_at__gt=start),
                                   status="processing", accepted_at__lt=end).count()
    return OverridePreview(
        day, str(kind), cal.non_working_reason(day), cal.is_working_day(day) != after.is_working_day(day),
        procedure.code, procedure.name, float(limit.value), limit.unit, now,
        sla.due_at(now, limit.value, limit.unit, cal), sla.due_at(now, limit.value, limit.unit, after), running)


async def explain_due(rt: Runtime, procedure_code: str, accepted_at: datetime) -> dict[str, Any]:
    """The due date a dossier accepted at `accepted_at` would get, and the days skipped on the way."""
    procedure = await Procedure.get_or_none(code=procedure_code)
    if procedure is None:
        raise NotFound("No such procedure", code=procedure_code)
    if accepted_at.tzinfo is None:
        raise InvalidData("accepted_at needs a timezone", fields={"accepted_at": ["timezone"]})
    limit = await _limit(procedure)
    cal = await rt.fresh_calendar()
    due = sla.due_at(accepted_at, limit.value, limit.unit, cal)
    return {
        "procedure": procedure.code, "time_limit": float(limit.value), "time_unit": limit.unit,
        "accepted_at": accepted_at.astimezone(cal.tz).isoformat(), "due_at": due.isoformat(),
        "due_local": _local(cal.local(due)),
        "skipped_days": [{"date": d.isoformat(), "date_local": d.strftime("%d/%m/%Y"), "reason": reason}
                         for d, reason in sla.skipped_days(accepted_at, limit.value, limit.unit, cal)],
    }


def _local(at: datetime) -> str:
    """HH:MM dd/mm/yyyy; a due at midnight is the end of the day before: 24:00 of that day (the
    Civil Code's end of a period in days), never "00:00" of a day the dossier is not due on."""
    if at.time() == time.min:
        return f"24:00 {(at - timedelta(days=1)).strftime('%d/%m/%Y')}"
    return at.strftime("%H:%M %d/%m/%Y")
