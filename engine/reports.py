"""Decision 766/QĐ-TTg indicators (RULES §3.6, §4.1), counted in SQL over the reporting projection
(`report_dossier`, engine/report_facts.py; engine/report_sql.py holds the queries: no workflow is
deserialised, no row per dossier comes back). Every figure carries the counts behind its numerator
(``hits``), its denominator (``count``) and its named sub-lists (``extra``); `members` reads the exact
ids behind one of them, a page at a time, for the drill-down: dossier ids, or procedure ids when
``subject == "procedure"`` (1.3, 3.1, 3.2).

Period: local days ``[start, end]`` (Asia/Ho_Chi_Minh), i.e. ``[start 00:00, end+1 00:00)`` local.
"Received" = accepted in the period (the 766 ``NgayTiepNhan``).

* **1.3** procedures published with every constituent part (engine/report_catalogue.py).
* **1.4** synced ÷ received: a dossier is synced when the national portal acknowledged it
  (``portal_sync``, engine/portal_sync.py); "no data" (``not_synced``) while the portal has
  acknowledged no dossier of the population (no portal configured, or nothing delivered yet).
* **2.1 on-time rate**: population = accepted before the period ends and not finished before it
  starts. End = first of result (``result_at``) > returned > refused / withdrawn / stopped; an
  unfinished dossier (or one finished after the period) is judged at the end of the period. On time
  iff ``sla.kpi_verdict(..., by_day=False)`` says so (paused working time subtracted). LATE whatever
  the times: ``late_flag`` (second or late supplement request) or more than one supplement pause.
  The apology re-appointment is not honoured (lateness against the original due, RULES §3.6 [V]).
* **2.2 average processing time**: dossiers finished with a result in the period; working time from
  acceptance to the end minus pauses, in the procedure's unit (working days = ÷ the calendar's day
  length; hours; calendar days for calendar_days / same_day). One unit in the population: the value
  is the average in it (``unit``); several: the average share of the time limit (``unit`` "%").
  Points: full while the average share of the limit is ≤ 100 %, else 100 ÷ share × max.
* **3.1 / 3.2** online services (report_catalogue). **3.3 online dossier rate**: received online,
  and for a paper-result procedure only with an electronic result, ÷ received; × the sync rate
  when any sync data exists. **3.5 / 3.6** "no data" (``no_payment``): no payment is recorded yet.
* **4.1** electronic results among paper-result dossiers whose result was issued in the period.
  **4.2** received with component files and an electronic result. **4.3** received with a reused
  component. **4.5** received from an identity-verified account (phone / e-mail one-time code,
  engine/verification.py; VNeID does not exist yet).
* **5.4 satisfaction**: 100 % − late rate (of 2.1) − dislike rate (score ≤ 2 of 5) over 2.1's
  population; with no rating in it "no data", never a guess. Complaints are not recorded.

Points: ``min(rate / threshold, 1) × group max`` (RULES thresholds; 100 % where none is stated):
each figure shows the points it would earn as its group's measure. `total` splits each group
equally among its figures that have data (RULES is silent on the split; a figure without data
is left out, never scored 0 or full); a group without any data earns 0.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine import report_catalogue, report_sql, sql
from engine.errors import InvalidData
from engine.report_facts import ENDED_WITHOUT_RESULT
from engine.report_sql import Tally
from engine.workdays import LOCAL_TZ, Calendar

GROUPS: dict[str, tuple[int, tuple[str, ...]]] = {
    "publicity": (18, ("1.3", "1.4")), "progress": (20, ("2.1", "2.2")),
    "online": (22, ("3.1", "3.2", "3.3", "3.5", "3.6")), "digitisation": (22, ("4.1", "4.2", "4.3", "4.5")),
    "satisfaction": (18, ("5.4",))}
INDICATORS = tuple(sorted(k for _max, keys in GROUPS.values() for k in keys))
_THRESHOLDS = {"3.1": 80, "3.3": 50, "3.5": 80, "4.2": 80, "4.3": 80, "5.4": 90}
#: indicator -> (group maximum, threshold in % for full points)
SCALE: dict[str, tuple[int, Decimal]] = {k: (m, Decimal(_THRESHOLDS.get(k, 100)))
                                         for m, keys in GROUPS.values() for k in keys}
FILTERS = ("agency", "procedure", "sector", "reception_point", "channel", "submitter_kind")
DISLIKE_MAX_SCORE = report_sql.DISLIKE_MAX_SCORE


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidData("The period ends before it starts", fields={"den": ["before_start"]})

    def bounds(self, timezone: str = LOCAL_TZ) -> tuple[datetime, datetime]:
        tz = ZoneInfo(timezone)
        lower = datetime.combine(self.start, time.min, tz)
        upper = datetime.combine(self.end + timedelta(days=1), time.min, tz)
        return sql.utc(lower) or lower, sql.utc(upper) or upper


def month_of(day: date) -> Period:
    following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return Period(date(day.year, day.month, 1), following - timedelta(days=1))


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    return Period(start, month_of(date(day.year, first_month + 2, 1)).end)


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


@dataclass(frozen=True)
class Figure:
    """One indicator: ``value`` in % (or ``unit``; None = no data, ``reason`` says why), its points,
    and how many ids stand behind the numerator (``hits``), the denominator (``count``) and each
    named sub-list (``extra``: late, disliked, raw_online, full); `members` lists them."""

    key: str
    value: Decimal | None
    points: Decimal | None
    max_points: int
    hits: int = 0
    count: int = 0
    reason: str = ""
    extra: dict[str, int] = field(default_factory=dict)
    unit: str = "%"
    subject: str = "dossier"  # what the ids are: dossier | procedure
    of_limit: Decimal | None = None  # 2.2 only: the average share of the time limit used, %


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"))


def points(key: str, value: Decimal) -> Decimal:
    group_max, threshold = SCALE[key]
    return (min(max(value, Decimal(0)) / threshold, Decimal(1)) * group_max).quantize(Decimal("0.01"))


def no_data(key: str, reason: str, count: int = 0, subject: str = "dossier") -> Figure:
    return Figure(key, None, None, SCALE[key][0], count=count, reason=reason, subject=subject)


def rate(key: str, hits: int, count: int, *, reason: str = "no_dossier", subject: str = "dossier",
         **extra: int) -> Figure:
    if not count:
        return no_data(key, reason, subject=subject)
    value = _pct(hits, count)
    return Figure(key, value, points(key, value), SCALE[key][0], hits, count, extra=extra, subject=subject)


def average_time(tally: Tally) -> Figure:
    """2.2 from the finished dossiers' work units per (time limit, unit) (module doc)."""
    done = sum(n for n, _units in tally.units.values())
    if not done:
        return no_data("2.2", "no_finished")
    total = sum((Decimal(units) / 10000 for _n, units in tally.units.values()), Decimal(0))
    share = sum(((Decimal(units) / 10000 / limit * 100) if limit else Decimal(100) * n
                 for (limit, _unit), (n, units) in tally.units.items()), Decimal(0)) / done
    units = {unit for (_limit, unit), (n, _u) in tally.units.items() if n}
    value = total / done if len(units) == 1 else share
    max_points = SCALE["2.2"][0]
    earned = Decimal(max_points) if share <= 100 else Decimal(100) / share * max_points
    return Figure("2.2", value.quantize(Decimal("0.01")), earned.quantize(Decimal("0.01")), max_points,
                  tally.counts["within"], done, unit=units.pop() if len(units) == 1 else "%",
                  of_limit=share.quantize(Decimal("0.01")))


def compute(tally: Tally) -> dict[str, Figure]:
    """The dossier indicators (1.4, 2.x, 3.3, 3.5, 3.6, 4.x, 5.4) from one group's counts."""
    c = tally.counts
    out: dict[str, Figure] = {}
    judged, late, received = c["n"], c["late"], c["received"]
    out["2.1"] = rate("2.1", judged - late, judged, late=late)
    out["2.2"] = average_time(tally)
    # once any dossier carries a sync flag the portal is in use: a dossier without one is not synced
    known = c["known"] > 0
    out["1.4"] = rate("1.4", c["synced"], received) if known else no_data("1.4", "not_synced", received)
    out["3.3"] = rate("3.3", c["online"], received, raw_online=c["raw_online"])
    if known and out["3.3"].value is not None and out["1.4"].value is not None:
        value = (out["3.3"].value * out["1.4"].value / 100).quantize(Decimal("0.01"))
        out["3.3"] = Figure(**{**out["3.3"].__dict__, "value": value, "points": points("3.3", value)})
    for key in ("3.5", "3.6"):
        out[key] = no_data(key, "no_payment")
    out["4.1"] = rate("4.1", c["e_issued"], c["issued"], reason="no_result")
    out["4.2"] = rate("4.2", c["components"], received)
    out["4.3"] = rate("4.3", c["reused"], received)
    out["4.5"] = rate("4.5", c["verified"], received)
    if not judged:
        out["5.4"] = no_data("5.4", "no_dossier")
    elif not c["rated"]:
        out["5.4"] = no_data("5.4", "no_rating", judged)
    else:
        value = Decimal(100) - _pct(late, judged) - _pct(c["disliked"], judged)
        out["5.4"] = Figure("5.4", value, points("5.4", value), SCALE["5.4"][0], c["fine"], judged,
                            extra={"late": late, "disliked": c["disliked"]})
    return out


def total(figures: dict[str, Figure]) -> Decimal:
    """Points out of 100: each group's maximum split equally among its figures with data."""
    out = Decimal(0)
    for _max, keys in GROUPS.values():
        scored = [figures[k].points for k in keys if k in figures and figures[k].points is not None]
        if scored:
            out += sum((p for p in scored if p is not None), Decimal(0)) / len(scored)
    assert out <= 100
    return out.quantize(Decimal("0.01"))


def scope_sql(agencies: Collection[str] | None, filters: dict[str, str],
              alias: str = "") -> tuple[list[str], list[Any]]:
    """WHERE terms of the caller's scope and the page's filters (``FILTERS``) on report_dossier."""
    columns = {"agency": "agency_code", "procedure": "procedure_code"}
    where: list[str] = []
    params: list[Any] = []
    if agencies is not None:
        where.append(f"{alias}agency_code IN (" + ", ".join("?" for _ in agencies) + ")")
        params.extend(agencies)
    for name, value in filters.items():
        if name not in FILTERS:
            raise InvalidData(f"Unknown report filter {name!r}", fields={name: ["unknown"]})
        if value:
            where.append(f"{alias}{columns.get(name, name)} = ?")
            params.append(value)
    return where, params


async def tallies(period: Period, calendar: Calendar, filters: dict[str, str], *,
                  agencies: Collection[str] | None = None, group: str = "",
                  months: tuple[Period, ...] = ()) -> dict[Any, Tally]:
    """The counts per value of ``group`` (a report_dossier column), per month index (``months``,
    ``period`` then spans them), or for the whole scope (key 0)."""
    if agencies is not None and not agencies:
        return {}
    lower, upper = period.bounds(calendar.timezone)
    where, params = scope_sql(agencies, filters, "r.")
    return await report_sql.tallies(where, params, lower, upper, calendar, group=group,
                                    months=[m.bounds(calendar.timezone) for m in months])


async def scorecard(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                    agency: str = "", procedure: str = "", **filters: str) -> dict[str, Figure]:
    """Every indicator of ``INDICATORS`` for ``period`` (in that order)."""
    found = await tallies(period, calendar, {"agency": agency, "procedure": procedure, **filters}, agencies=agencies)
    figures = compute(found.get(0) or Tally())
    figures |= await report_catalogue.figures(period, calendar, agencies=agencies, agency=agency,
                                              procedure=procedure, sector=filters.get("sector", ""))
    return {k: figures[k] for k in INDICATORS}


_LATE = "COALESCE(x.late, FALSE)"
_POPULATION = {"2.1": "TRUE", "5.4": "TRUE", "2.2": "x.done", "4.1": "x.issued", "3.5": "FALSE", "3.6": "FALSE"}
_HITS = {"2.1": f"NOT {_LATE}", "2.2": "within", "1.4": "synced", "3.3": "online", "4.1": "e_issued",
         "4.2": "components", "4.3": "reused", "4.5": "verified", "5.4": "fine", "3.5": "FALSE", "3.6": "FALSE"}
_EXTRA = {("2.1", "late"): _LATE, ("5.4", "late"): _LATE, ("5.4", "disliked"): "disliked",
          ("3.3", "raw_online"): "raw_online"}
MEMBER_GROUPS = ("hits", "population", "late", "disliked", "raw_online", "full")


def _predicate(key: str, group: str) -> str | None:
    if group == "population":
        found: str | None = _POPULATION.get(key, "x.rec")
    elif group == "hits":
        found = _HITS.get(key)
    else:
        found = _EXTRA.get((key, group))
    return report_sql.PREDICATES.get(found or "", found)


async def members(period: Period, calendar: Calendar, key: str, group: str, *,
                  agencies: Collection[str] | None = None, after: int = 0, limit: int | None = None,
                  counted: bool = True,
                  agency: str = "", procedure: str = "", **filters: str) -> tuple[list[int], int] | None:
    """The ids behind one number of ``key``'s figure (``group``: hits, population, or a name of its
    ``extra``), in id order after ``after``, at most ``limit``; with how many there are in all
    (without ``counted``: not counted, the number of ids returned). None: the figure has no such number."""
    if key not in INDICATORS or group not in MEMBER_GROUPS:
        return None
    if key in report_catalogue.KEYS:
        lists = await report_catalogue.lists(period, calendar, agencies=agencies, agency=agency,
                                             procedure=procedure, sector=filters.get("sector", ""))
        ids = lists[key].get(group)
        if ids is None:
            return None
        picked = [i for i in ids if i > after]
        return picked[:limit] if limit is not None else picked, len(ids)
    predicate = _predicate(key, group)
    if predicate is None:
        return None
    if agencies is not None and not agencies:
        return [], 0
    lower, upper = period.bounds(calendar.timezone)
    where, params = scope_sql(agencies, {"agency": agency, "procedure": procedure, **filters}, "r.")
    if key == "5.4" and group != "population":  # without a rating 5.4 has no data: nothing behind it
        rated, _n = await report_sql.page(where, params, lower, upper, calendar, "x.rating IS NOT NULL", limit=1)
        if not rated:
            return [], 0
    return await report_sql.page(where, params, lower, upper, calendar, predicate, after=after, limit=limit,
                                 counted=counted)


ENDED_STATUSES = ENDED_WITHOUT_RESULT  # re-exported for readers of the older seam
