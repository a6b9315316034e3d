"""Decision 766/QĐ-TTg indicators (RULES §3.6, §4.1): pure functions over `Facts` read from the
reporting projection (`report_dossier`, engine/report_facts.py: no workflow is deserialised).
Every figure carries the exact ids behind its numerator (``hits``) and denominator (``population``):
dossier ids, or procedure ids when ``subject == "procedure"`` (1.3, 3.1, 3.2), for the drill-down.

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

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine import report_catalogue, report_facts, sla, sql
from engine.errors import InvalidData
from engine.report_facts import ENDED_WITHOUT_RESULT
from engine.workdays import LOCAL_TZ, Calendar

DISLIKE_MAX_SCORE = 2
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
class Facts:
    """What the indicators read of one dossier (a `report_dossier` row)."""

    id: int
    code: str
    channel: str
    lifecycle_status: int
    accepted_at: datetime | None
    ended_at: datetime | None  # end of processing (766 priority), None while unfinished
    limit: Decimal
    unit: str
    pauses: tuple[sla.Pause, ...]
    late_flag: bool
    supplement_requests: int
    rating: int | None
    result_at: datetime | None = None
    paper_result: bool = True
    e_result: bool = False
    has_components: bool = False
    reused: bool = False
    identity_verified: bool = False
    synced: bool | None = None
    late: bool | None = None  # the verdict fixed when processing ended (None: judge at the period's end)
    units: Decimal | None = None  # processing time in the procedure's unit, once ended (2.2)
    kpi_due: datetime | None = None  # sla.kpi_due: judges an open dossier without the calendar
    dims: dict[str, str] = field(default_factory=dict)  # procedure, sector, agency, reception_point, …


@dataclass(frozen=True)
class Figure:
    """One indicator: ``value`` in % (or ``unit``; None = no data, ``reason`` says why), its points,
    and the ids behind the numerator (``hits``) and the denominator (``population``)."""

    key: str
    value: Decimal | None
    points: Decimal | None
    max_points: int
    hits: tuple[int, ...] = ()
    population: tuple[int, ...] = ()
    reason: str = ""
    extra: dict[str, tuple[int, ...]] = field(default_factory=dict)  # named sub-lists (late, disliked, full)
    unit: str = "%"
    subject: str = "dossier"  # what the ids are: dossier | procedure
    of_limit: Decimal | None = None  # 2.2 only: the average share of the time limit used, %


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"))


def points(key: str, value: Decimal) -> Decimal:
    group_max, threshold = SCALE[key]
    return (min(max(value, Decimal(0)) / threshold, Decimal(1)) * group_max).quantize(Decimal("0.01"))


def no_data(key: str, reason: str, population: Sequence[int] = (), subject: str = "dossier") -> Figure:
    return Figure(key, None, None, SCALE[key][0], population=tuple(population), reason=reason, subject=subject)


def rate(key: str, hits: Sequence[int], population: Sequence[int], *, reason: str = "no_dossier",
         subject: str = "dossier", **extra: tuple[int, ...]) -> Figure:
    if not population:
        return no_data(key, reason, subject=subject)
    value = _pct(len(hits), len(population))
    return Figure(key, value, points(key, value), SCALE[key][0], tuple(hits), tuple(population), extra=extra,
                  subject=subject)


def in_progress_population(facts: Sequence[Facts], lower: datetime, upper: datetime) -> list[Facts]:
    """2.1's population: accepted before the period's end, not finished before its start."""
    return [f for f in facts if f.accepted_at is not None and f.accepted_at < upper
            and (f.ended_at is None or f.ended_at >= lower)]


def is_late(f: Facts, upper: datetime, calendar: Calendar) -> bool:
    """The 766 verdict of one dossier of 2.1's population (rules in the module doc): the stored one
    when it ended before ``upper``, else judged at ``upper``."""
    assert f.accepted_at is not None
    if f.ended_at is not None and f.ended_at < upper:
        if f.late is not None:
            return f.late
        end = f.ended_at
    else:
        end = upper
        flagged = f.late_flag or f.supplement_requests > 1 or sum(p.reason == sla.SUPPLEMENT for p in f.pauses) > 1
        if f.kpi_due is not None and all(p.end_at is not None and p.end_at <= upper for p in f.pauses):
            return flagged or upper > f.kpi_due
    return report_facts.late_at(f.accepted_at, end, f.limit, f.unit, f.pauses, f.late_flag, f.supplement_requests,
                                calendar)


def processing_time(f: Facts, calendar: Calendar) -> Decimal:
    """Acceptance to the end of processing minus the pauses, in the procedure's unit."""
    assert f.accepted_at is not None and f.ended_at is not None
    if f.units is not None:
        return f.units
    return report_facts.work_units(f.accepted_at, f.ended_at, f.unit, f.pauses, calendar)


def average_time(facts: Sequence[Facts], lower: datetime, upper: datetime, calendar: Calendar) -> Figure:
    done = [f for f in facts if f.accepted_at is not None and f.result_at is not None and f.ended_at is not None
            and lower <= f.ended_at < upper]
    if not done:
        return no_data("2.2", "no_finished")
    times = {f.id: processing_time(f, calendar) for f in done}
    share = sum((times[f.id] / f.limit * 100 if f.limit else Decimal(100) for f in done), Decimal(0)) / len(done)
    units = {f.unit for f in done}
    value = (sum(times.values(), Decimal(0)) / len(done)) if len(units) == 1 else share
    max_points = SCALE["2.2"][0]
    earned = Decimal(max_points) if share <= 100 else Decimal(100) / share * max_points
    within = tuple(f.id for f in done if times[f.id] <= f.limit)
    return Figure("2.2", value.quantize(Decimal("0.01")), earned.quantize(Decimal("0.01")), max_points, within,
                  tuple(f.id for f in done), unit=units.pop() if len(units) == 1 else "%",
                  of_limit=share.quantize(Decimal("0.01")))


def compute(facts: Sequence[Facts], period: Period, calendar: Calendar) -> dict[str, Figure]:
    """The dossier indicators (1.4, 2.x, 3.3, 3.5, 3.6, 4.x, 5.4) of ``facts`` over ``period``."""
    lower, upper = period.bounds(calendar.timezone)
    out: dict[str, Figure] = {}
    judged = in_progress_population(facts, lower, upper)
    ids = [f.id for f in judged]
    late = [f.id for f in judged if is_late(f, upper, calendar)]
    late_set = set(late)
    out["2.1"] = rate("2.1", [i for i in ids if i not in late_set], ids, late=tuple(late))
    out["2.2"] = average_time(facts, lower, upper, calendar)
    received = [f for f in facts if f.accepted_at is not None and lower <= f.accepted_at < upper]
    everyone = [f.id for f in received]
    # once any dossier carries a sync flag the portal is in use: a dossier without one is not synced
    known = [f for f in received if f.synced is not None]
    out["1.4"] = rate("1.4", [f.id for f in received if f.synced], everyone, reason="no_dossier") if known else (
        no_data("1.4", "not_synced", everyone))
    online = [f.id for f in received if f.channel == "online" and (f.e_result or not f.paper_result)]
    out["3.3"] = rate("3.3", online, everyone, raw_online=tuple(f.id for f in received if f.channel == "online"))
    if known and out["3.3"].value is not None and out["1.4"].value is not None:
        value = (out["3.3"].value * out["1.4"].value / 100).quantize(Decimal("0.01"))
        out["3.3"] = Figure(**{**out["3.3"].__dict__, "value": value, "points": points("3.3", value)})
    for key in ("3.5", "3.6"):
        out[key] = no_data(key, "no_payment")
    issued = [f for f in facts if f.paper_result and f.result_at is not None and lower <= f.result_at < upper]
    out["4.1"] = rate("4.1", [f.id for f in issued if f.e_result], [f.id for f in issued], reason="no_result")
    out["4.2"] = rate("4.2", [f.id for f in received if f.has_components and f.e_result], everyone)
    out["4.3"] = rate("4.3", [f.id for f in received if f.reused], everyone)
    out["4.5"] = rate("4.5", [f.id for f in received if f.identity_verified], everyone)
    rated = [f for f in judged if f.rating is not None]
    if not judged:
        out["5.4"] = no_data("5.4", "no_dossier")
    elif not rated:
        out["5.4"] = no_data("5.4", "no_rating", ids)
    else:
        disliked = tuple(f.id for f in rated if f.rating is not None and f.rating <= DISLIKE_MAX_SCORE)
        value = Decimal(100) - _pct(len(late), len(judged)) - _pct(len(disliked), len(judged))
        out["5.4"] = Figure("5.4", value, points("5.4", value), SCALE["5.4"][0],
                            tuple(i for i in ids if i not in late_set | set(disliked)), tuple(ids),
                            extra={"late": tuple(late), "disliked": disliked})
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


_COLUMNS = ("dossier_id, code, channel, lifecycle_status, accepted_at, ended_at, result_at, time_limit, time_unit, "
            "pauses, late_flag, kpi_late, work_units, kpi_due_at, supplement_requests, rating, paper_result, e_result, "
            "has_components, reused, identity_verified, synced, procedure_code, sector, agency_code, reception_point, "
            "submitter_kind")


def _synced(r: dict[str, Any]) -> bool | None:
    """The projection's flag, or True when the portal acknowledged the dossier (``portal_acked``)."""
    if r.get("portal_acked"):
        return True
    return None if r["synced"] is None else bool(r["synced"])


def _facts(r: dict[str, Any]) -> Facts:
    return Facts(r["dossier_id"], r["code"], r["channel"], r["lifecycle_status"], sql.instant(r["accepted_at"]),
                 sql.instant(r["ended_at"]), Decimal(str(r["time_limit"] or 0)), r["time_unit"] or "working_days",
                 report_facts.pauses_of(r["pauses"]), bool(r["late_flag"]), int(r["supplement_requests"] or 0),
                 None if r["rating"] is None else int(r["rating"]), sql.instant(r["result_at"]),
                 bool(r["paper_result"]), bool(r["e_result"]), bool(r["has_components"]), bool(r["reused"]),
                 bool(r["identity_verified"]), _synced(r),
                 None if r["kpi_late"] is None else bool(r["kpi_late"]),
                 None if r["work_units"] is None else Decimal(str(r["work_units"])), sql.instant(r["kpi_due_at"]),
                 {"procedure": r["procedure_code"], "sector": r["sector"], "agency": r["agency_code"],
                  "reception_point": r["reception_point"], "channel": r["channel"],
                  "submitter_kind": r["submitter_kind"]})


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


async def load(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
               **filters: str) -> list[Facts]:
    """The facts of every dossier any indicator may count for ``period``: accepted before its end
    and not finished before its start. ``agencies``: the caller's
    scope (None = all); ``filters``: agency / procedure codes, sector, reception point, channel,
    submitter kind (``FILTERS``)."""
    if agencies is not None and not agencies:
        return []
    lower, upper = period.bounds(calendar.timezone)
    where, params = scope_sql(agencies, filters)
    # a result issued in the period (4.1) ends processing in it too: ended_at is the result's time
    where += ["accepted_at IS NOT NULL", "accepted_at < ?", "(ended_at IS NULL OR ended_at >= ?)"]
    params += [upper, lower]
    # 1.4: a dossier the national portal acknowledged (engine.portal_sync) is synced
    acked = "EXISTS (SELECT 1 FROM portal_sync p WHERE p.dossier_id = report_dossier.dossier_id) AS portal_acked"
    rows = await sql.fetch(sql.db(), f"SELECT {_COLUMNS}, {acked} FROM report_dossier "
                                     f"WHERE {' AND '.join(where)} ORDER BY dossier_id", params)
    return [_facts(r) for r in rows]


async def scorecard(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                    agency: str = "", procedure: str = "", **filters: str) -> dict[str, Figure]:
    """Every indicator of ``INDICATORS`` for ``period`` (in that order)."""
    facts = await load(period, calendar, agencies=agencies, agency=agency, procedure=procedure, **filters)
    figures = compute(facts, period, calendar)
    figures |= await report_catalogue.figures(period, calendar, agencies=agencies, agency=agency,
                                              procedure=procedure, sector=filters.get("sector", ""))
    return {k: figures[k] for k in INDICATORS}


ENDED_STATUSES = ENDED_WITHOUT_RESULT  # re-exported for readers of the older seam
