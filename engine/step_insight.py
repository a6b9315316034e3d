"""Where a procedure's dossiers spend their time: per BPMN step (element of its human tasks), the median
and p90 working time, the share finished late and the tasks waiting now (issue 12, the heatmap).

Read from `human_task` rows only (no workflow is deserialised): one SQL query picks the procedure's
BPMN tasks completed in the period (local days, `reports.Period`) and those still open; Python then
measures each completed task's working time, opened -> completed, on the working calendar
(`Calendar.working_time_between`: sessions of working days only). Late = the verdict stored at
completion against the step's own due (``motcua:budget``); a step without a due has no late share.
Apology tasks (kind ``apology``) and cancelled tasks are left out. ``agencies`` scopes the dossiers
like the 766 report (None = every agency).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from engine import sql
from engine.reports import Period
from engine.workdays import Calendar

LEVELS = 5  # colour classes of the scale, 0 (quickest) .. LEVELS - 1 (slowest)


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The median (mean of the two middle values for an even count); None without values."""
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def percentile(values: Sequence[timedelta], q: int) -> timedelta | None:
    """The nearest-rank ``q``-th percentile: the smallest value with at least q % of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(q * len(ordered) / 100), 1) - 1]


@dataclass(frozen=True)
class TaskFacts:
    element_id: str
    name: str
    state: str
    created_at: datetime
    completed_at: datetime | None
    verdict: str | None


@dataclass(frozen=True)
class StepFigure:
    element_id: str
    name: str
    completed: int
    median: timedelta | None
    p90: timedelta | None
    with_due: int  # completed tasks judged against a due
    late: int
    waiting: int  # open now
    level: int | None  # colour class of the median (None: nothing completed)

    @property
    def late_share(self) -> Decimal | None:
        if not self.with_due:
            return None
        return (Decimal(100) * self.late / self.with_due).quantize(Decimal("0.1"))


def level_of(value: timedelta, slowest: timedelta) -> int:
    """The colour class of a median on a linear scale from zero to the slowest step's median."""
    if slowest <= timedelta():
        return 0
    return min(int(LEVELS * (value / slowest)), LEVELS - 1)


def compute(tasks: Sequence[TaskFacts], calendar: Calendar) -> list[StepFigure]:
    """Per element, in the order the elements were first seen (SQL orders by first opening)."""
    by_element: dict[str, list[TaskFacts]] = {}
    for t in tasks:
        by_element.setdefault(t.element_id, []).append(t)
    rows = []
    for element_id, found in by_element.items():
        done = [t for t in found if t.state == "completed" and t.completed_at is not None]
        times = [calendar.working_time_between(t.created_at, t.completed_at) for t in done
                 if t.completed_at is not None]
        judged = [t for t in done if t.verdict is not None]
        rows.append((element_id, found[-1].name or element_id, times, len(judged),
                     sum(t.verdict == "late" for t in judged), sum(t.state == "ready" for t in found)))
    medians = {r[0]: median(r[2]) for r in rows}
    slowest = max((m for m in medians.values() if m is not None), default=timedelta())
    out = []
    for element_id, name, times, n_judged, late, waiting in rows:
        middle = medians[element_id]
        out.append(StepFigure(element_id, name, len(times), middle, percentile(times, 90), n_judged, late, waiting,
                              None if middle is None else level_of(middle, slowest)))
    return out


def _task(r: dict[str, Any]) -> TaskFacts:
    created = sql.instant(r["created_at"])
    assert created is not None
    return TaskFacts(r["element_id"], r["name"] or "", r["state"], created, sql.instant(r["completed_at"]),
                     r["verdict"])


async def load(procedure_code: str, period: Period, calendar: Calendar, *,
               agencies: Collection[str] | None = None) -> list[TaskFacts]:
    """The procedure's BPMN tasks completed in ``period`` and those open now (every version)."""
    if agencies is not None and not agencies:
        return []
    lower, upper = period.bounds(calendar.timezone)
    where = ["p.code = ?", "t.kind = 'bpmn'",
             "((t.state = 'completed' AND t.completed_at >= ? AND t.completed_at < ?) OR t.state = 'ready')"]
    params: list[Any] = [procedure_code, lower, upper]
    if agencies is not None:
        where.append("d.agency_code IN (" + ", ".join("?" for _ in agencies) + ")")
        params.extend(agencies)
    rows = await sql.fetch(sql.db(), (
        "SELECT t.element_id, t.name, t.state, t.created_at, t.completed_at, t.verdict FROM human_task t "
        "JOIN dossier d ON d.id = t.dossier_id JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        "JOIN procedure p ON p.id = pv.procedure_id WHERE " + " AND ".join(where)
        + " ORDER BY t.created_at, t.id"), params)
    return [_task(r) for r in rows]


async def heatmap(procedure_code: str, period: Period, calendar: Calendar, *,
                  agencies: Collection[str] | None = None) -> list[StepFigure]:
    return compute(await load(procedure_code, period, calendar, agencies=agencies), calendar)
