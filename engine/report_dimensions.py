"""The Decision 766 indicators by dimension and by month, the processing control sheet per official,
and the configurable targets (engine/reports.py computes; this module groups).

* `breakdown(period, calendar, dimension, **filters)`: one ``(value, label, figures)`` per value of
  a dossier dimension (``DIMENSIONS``), largest population first; the dossier indicators of
  `reports.compute` (the procedure indicators 1.3/3.1/3.2 are catalogue-wide: see `scorecard`),
  counted by ONE query grouped by the dimension (engine/report_sql.py).
  ``dimension="official"``: the control sheet: per official, the steps (human tasks) they completed
  in the period judged against each step's due (the task's own verdict): figure ``"steps"`` =
  early + on time ÷ completed steps with a due; ``extra["late"]``: the late steps' dossiers.
* `overview(period, calendar, **filters)`: the scope's dossier indicators, per agency and per procedure
  at once (the /bao-cao page: one scan of the period's rows for the three).
* `trend(months, calendar, until=…)`: the scorecard's dossier indicators for each of the last
  ``months`` calendar months up to ``until``'s month, counted in one query (`trend_of` takes
  the periods themselves, e.g. a last month cut at today).
The configurable targets per indicator and their audit: engine/report_targets.py.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from engine import sql
from engine.errors import InvalidData
from engine.models import Agency, Procedure, ReceptionPoint
from engine.report_sql import Tally
from engine.reports import Figure, Period, _pct, compute, month_of, scope_sql, tallies
from engine.workdays import Calendar

DIMENSIONS = ("procedure", "sector", "agency", "reception_point", "channel", "submitter_kind", "official")
COLUMNS = {"procedure": "procedure_code", "agency": "agency_code"}  # the report_dossier column of a dimension
Row = tuple[str, str, dict[str, Figure]]


async def _labels(dimension: str, values: Collection[str]) -> dict[str, str]:
    if dimension == "procedure":
        return {p.code: p.name for p in await Procedure.filter(code__in=list(values))}
    if dimension == "agency":
        return {a.code: a.name for a in await Agency.filter(code__in=list(values))}
    if dimension == "reception_point":
        return {r.code: r.name for r in await ReceptionPoint.filter(code__in=list(values))}
    return {}


async def breakdown(period: Period, calendar: Calendar, dimension: str, *,
                    agencies: Collection[str] | None = None, **filters: str) -> list[Row]:
    if dimension not in DIMENSIONS:
        raise InvalidData(f"Unknown dimension {dimension!r}", fields={"dimension": ["choice"]})
    if dimension == "official":
        return await control_sheet(period, calendar, agencies=agencies, **filters)
    groups = await tallies(period, calendar, filters, agencies=agencies, group=COLUMNS.get(dimension, dimension))
    labels = await _labels(dimension, [str(v) for v in groups])
    rows = [(str(value), labels.get(str(value), str(value)), compute(tally)) for value, tally in groups.items()]
    return sorted(rows, key=lambda r: (-r[2]["2.1"].count, r[0]))


Figures = dict[str, Figure]


async def overview(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                   **filters: str) -> tuple[Figures, dict[str, Figures], dict[str, Figures]]:
    """The dossier indicators of the whole scope, per agency and per procedure, from ONE query grouped
    by (agency, procedure) whose tallies are added up (they are additive): what `compute` of the
    scope's tally, `breakdown(…, "agency")` and `breakdown(…, "procedure")` give, one scan instead of three."""
    groups = await tallies(period, calendar, filters, agencies=agencies, group="agency_code, procedure_code")
    whole, per_agency, per_procedure = Tally(), dict[str, Tally](), dict[str, Tally]()
    for (agency, procedure), tally in groups.items():
        whole.merge(tally)
        per_agency.setdefault(str(agency), Tally()).merge(tally)
        per_procedure.setdefault(str(procedure), Tally()).merge(tally)
    return (compute(whole), {k: compute(t) for k, t in per_agency.items()},
            {k: compute(t) for k, t in per_procedure.items()})


async def control_sheet(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                        **filters: str) -> list[Row]:
    """Per official: their completed steps' verdicts against each step's due (see the module doc)."""
    if agencies is not None and not agencies:
        return []
    lower, upper = period.bounds(calendar.timezone)
    rows = await sql.fetch(sql.db(), (
        "SELECT official, verdict, dossier_id FROM report_task WHERE state = 'completed' AND completed_at >= ? "
        "AND completed_at < ? ORDER BY official, completed_at"), [lower, upper])
    where, params = scope_sql(agencies, filters)
    if where and rows:  # the dossiers in scope among the steps' (primary-key reads, not a join over all)
        ids = sorted({r["dossier_id"] for r in rows})
        kept: set[int] = set()
        for start in range(0, len(ids), 1000):
            chunk = ids[start:start + 1000]
            kept |= {r["dossier_id"] for r in await sql.fetch(sql.db(), (
                f"SELECT dossier_id FROM report_dossier WHERE dossier_id IN ({', '.join('?' for _ in chunk)}) AND "
                + " AND ".join(where)), [*chunk, *params])}
        rows = [r for r in rows if r["dossier_id"] in kept]
    per: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        per.setdefault(r["official"] or "", []).append(r)
    out: list[Row] = []
    for official, steps in per.items():
        judged = [s for s in steps if s["verdict"]]
        hits = sum(s["verdict"] in ("early", "on_time") for s in judged)
        late = sum(s["verdict"] == "late" for s in judged)
        value = _pct(hits, len(judged)) if judged else None
        figure = Figure("steps", value, None, 0, hits, len(judged), reason="" if judged else "no_step_due",
                        extra={"late": late})
        out.append((official, official, {"steps": figure}))
    return sorted(out, key=lambda r: (-r[2]["steps"].count, r[0]))


def last_months(months: int, until: date) -> list[Period]:
    if not 1 <= months <= 60:
        raise InvalidData("A trend covers 1 to 60 months", fields={"months": ["range"]})
    out, cursor = [], month_of(until)
    for _ in range(months):
        out.append(cursor)
        cursor = month_of(cursor.start - timedelta(days=1))
    return list(reversed(out))


async def trend(months: int, calendar: Calendar, *, until: date, agencies: Collection[str] | None = None,
                **filters: str) -> list[tuple[Period, dict[str, Figure]]]:
    return await trend_of(last_months(months, until), calendar, agencies=agencies, **filters)


async def trend_of(periods: list[Period], calendar: Calendar, *, agencies: Collection[str] | None = None,
                   **filters: str) -> list[tuple[Period, dict[str, Figure]]]:
    """The dossier indicators of each of ``periods`` (oldest first, not overlapping), one query."""
    found = await tallies(Period(periods[0].start, periods[-1].end), calendar, filters, agencies=agencies,
                          months=tuple(periods))
    return [(p, compute(found.get(i) or Tally())) for i, p in enumerate(periods)]

