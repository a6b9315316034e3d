"""Decision 766/QĐ-TTg indicators (RULES §3.6, §4.1), first seam: 2.1, 3.3 and 5.4 (pure + one SQL).

One query reads the dossier table's own columns (no workflow is deserialised); the verdicts and rates
are computed here, in Python, by pure functions over `Facts`. Every figure carries the exact ids of
the dossiers behind its numerator and denominator, so a page can list them (drill-down).

Period: local days ``[start, end]`` (Asia/Ho_Chi_Minh), i.e. ``[start 00:00, end+1 00:00)`` local.

* **2.1 on-time rate** (766-formulas): population = dossiers accepted before the period ends and not
  finished before it starts (finished in the period, or still unfinished at its end). End of
  processing = the first of "Đã xử lý xong" (``result_at``) > "Đã trả kết quả" (``returned_at``) >
  refused / withdrawn / stopped (``completed_at`` of statuses 3, 7, 8); an unfinished dossier (or
  one finished after the period) is judged at the end of the period. On time iff
  ``sla.kpi_verdict(..., by_day=False)`` says so: the due from acceptance pushed by every paused
  working interval (supplement pauses subtracted, not restarted). Counted LATE whatever the times:
  ``late_flag`` (a second supplement request, a late request) or more than one supplement pause.
  The apology re-appointment is not honoured (lateness against the original due, RULES §3.6 [V]).
* **3.3 online dossier rate**: dossiers accepted ("received") in the period with channel ``online``
  ÷ all accepted in the period. Left out, because the data is not there yet: the electronic-result
  condition for procedures with a paper result (no e-result flag on the dossier) and the national
  portal sync factor (nothing is synced): the figure is the raw online share.
* **5.4 satisfaction**: 100 % − late rate (of 2.1) − dislike rate, over the 2.1 population; a
  dislike is a rating of 1 or 2 out of 5. Complaints (PAKN) are not recorded, so only ratings count;
  with no rating in the population the figure is "no data", never a guess.

Points: RULES gives no split of a group's maximum among its indicators, so each figure shows the
points it would earn as its group's measure: ``min(rate / threshold, 1) × group max`` with the
thresholds of RULES §4.1 (3.3: 50 %; 5.4: 90 %; 2.1: none stated, so 100 %).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine import sla, sql
from engine.errors import InvalidData
from engine.workdays import LOCAL_TZ, Calendar

ENDED_WITHOUT_RESULT = (3, 7, 8)  # refused, withdrawn, stopped: completed_at is their end
DISLIKE_MAX_SCORE = 2
INDICATORS = ("2.1", "3.3", "5.4")
#: indicator -> (group maximum, threshold in % for full points)
SCALE: dict[str, tuple[int, Decimal]] = {"2.1": (20, Decimal(100)), "3.3": (22, Decimal(50)),
                                         "5.4": (18, Decimal(90))}


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


def quarter_of(day: date) -> Period:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = date(day.year, first_month, 1)
    next_start = date(day.year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
    return Period(start, next_start - timedelta(days=1))


@dataclass(frozen=True)
class Facts:
    """What the indicators read of one dossier (columns of `dossier`, its version's limit, its rating)."""

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


@dataclass(frozen=True)
class Figure:
    """One indicator: ``value`` in % (None = no data, ``reason`` says why), its points, and the ids
    of the dossiers behind the numerator (``hits``) and the denominator (``population``)."""

    key: str
    value: Decimal | None
    points: Decimal | None
    max_points: int
    hits: tuple[int, ...] = ()
    population: tuple[int, ...] = ()
    reason: str = ""
    extra: dict[str, tuple[int, ...]] = field(default_factory=dict)  # named sub-lists (late, disliked)


def _pct(part: int, whole: int) -> Decimal:
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"))


def points(key: str, value: Decimal) -> Decimal:
    group_max, threshold = SCALE[key]
    return (min(max(value, Decimal(0)) / threshold, Decimal(1)) * group_max).quantize(Decimal("0.01"))


def _no_data(key: str, reason: str, population: Sequence[int] = ()) -> Figure:
    return Figure(key, None, None, SCALE[key][0], population=tuple(population), reason=reason)


def in_progress_population(facts: Sequence[Facts], lower: datetime, upper: datetime) -> list[Facts]:
    """2.1's population: accepted before the period's end, not finished before its start."""
    return [f for f in facts if f.accepted_at is not None and f.accepted_at < upper
            and (f.ended_at is None or f.ended_at >= lower)]


def is_late(f: Facts, upper: datetime, calendar: Calendar) -> bool:
    """The 766 verdict of one dossier of 2.1's population (rules in the module doc)."""
    assert f.accepted_at is not None
    if f.late_flag or f.supplement_requests > 1:
        return True
    end = f.ended_at if f.ended_at is not None and f.ended_at < upper else upper
    verdict = sla.kpi_verdict(f.accepted_at, end, f.limit, f.unit, calendar, f.pauses, by_day=False)
    return verdict is sla.Verdict.LATE


def compute(facts: Sequence[Facts], period: Period, calendar: Calendar) -> dict[str, Figure]:
    lower, upper = period.bounds(calendar.timezone)
    out: dict[str, Figure] = {}
    judged = in_progress_population(facts, lower, upper)
    ids = [f.id for f in judged]
    late = [f.id for f in judged if is_late(f, upper, calendar)]
    on_time = [i for i in ids if i not in set(late)]
    if judged:
        rate = _pct(len(on_time), len(judged))
        out["2.1"] = Figure("2.1", rate, points("2.1", rate), SCALE["2.1"][0], tuple(on_time), tuple(ids),
                            extra={"late": tuple(late)})
    else:
        out["2.1"] = _no_data("2.1", "no_dossier")
    received = [f for f in facts if f.accepted_at is not None and lower <= f.accepted_at < upper]
    if received:
        online = tuple(f.id for f in received if f.channel == "online")
        rate = _pct(len(online), len(received))
        out["3.3"] = Figure("3.3", rate, points("3.3", rate), SCALE["3.3"][0], online,
                            tuple(f.id for f in received))
    else:
        out["3.3"] = _no_data("3.3", "no_dossier")
    rated = [f for f in judged if f.rating is not None]
    if not judged:
        out["5.4"] = _no_data("5.4", "no_dossier")
    elif not rated:
        out["5.4"] = _no_data("5.4", "no_rating", ids)
    else:
        disliked = tuple(f.id for f in judged if f.rating is not None and f.rating <= DISLIKE_MAX_SCORE)
        value = Decimal(100) - _pct(len(late), len(judged)) - _pct(len(disliked), len(judged))
        out["5.4"] = Figure("5.4", value, points("5.4", value), SCALE["5.4"][0],
                            tuple(i for i in ids if i not in set(late) | set(disliked)), tuple(ids),
                            extra={"late": tuple(late), "disliked": disliked})
    return out


def _ended(r: dict[str, Any]) -> datetime | None:
    for at in (r["result_at"], r["returned_at"]):
        if at is not None:
            return sql.instant(at)
    return sql.instant(r["completed_at"]) if r["lifecycle_status"] in ENDED_WITHOUT_RESULT else None


def _instant(value: Any) -> datetime:
    at = sql.instant(value)
    assert at is not None
    return at


def _facts(r: dict[str, Any]) -> Facts:
    pauses = tuple(sla.Pause(_instant(p["start_at"]), sql.instant(p.get("end_at")), p["reason"])
                   for p in sql.unjson(r["pauses"]) or [])
    return Facts(r["id"], r["code"], r["channel"], r["lifecycle_status"], sql.instant(r["accepted_at"]),
                 _ended(r), Decimal(str(r["time_limit"] or 0)), r["time_unit"] or "working_days", pauses,
                 bool(r["late_flag"]), int(r["supplement_requests"] or 0),
                 None if r["score"] is None else int(r["score"]))


async def load(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
               agency: str = "", procedure: str = "") -> list[Facts]:
    """The facts of every dossier any of the indicators may count for ``period``: accepted before
    its end (the populations are then cut in `compute`). ``agencies``: the caller's scope (None =
    all); ``agency``/``procedure``: the page's filters (agency code, procedure code)."""
    if agencies is not None and not agencies:
        return []
    lower, upper = period.bounds(calendar.timezone)
    where = ["d.accepted_at IS NOT NULL", "d.accepted_at < ?",
             # not finished before the period (the same rule as `_ended`, so the cut is exact)
             "(COALESCE(d.result_at, d.returned_at) >= ? OR (d.result_at IS NULL AND d.returned_at IS NULL "
             f"AND (d.lifecycle_status NOT IN {ENDED_WITHOUT_RESULT} OR d.completed_at IS NULL "
             "OR d.completed_at >= ?)))"]
    params: list[Any] = [upper, lower, lower]
    if agencies is not None:
        where.append("d.agency_code IN (" + ", ".join("?" for _ in agencies) + ")")
        params.extend(agencies)
    if agency:
        where.append("d.agency_code = ?")
        params.append(agency)
    if procedure:
        where.append("p.code = ?")
        params.append(procedure)
    rows = await sql.fetch(sql.db(), (
        "SELECT d.id, d.code, d.channel, d.lifecycle_status, d.accepted_at, d.result_at, d.returned_at, "
        "d.completed_at, d.pauses, d.late_flag, d.supplement_requests, pv.time_limit, pv.time_unit, r.score "
        "FROM dossier d JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        "JOIN procedure p ON p.id = pv.procedure_id LEFT JOIN rating r ON r.dossier_id = d.id "
        "WHERE " + " AND ".join(where) + " ORDER BY d.id"), params)
    return [_facts(r) for r in rows]


async def scorecard(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                    agency: str = "", procedure: str = "") -> dict[str, Figure]:
    return compute(await load(period, calendar, agencies=agencies, agency=agency, procedure=procedure),
                   period, calendar)
