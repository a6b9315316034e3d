"""What the /bao-cao pages show beyond one scorecard: the Decision 766 groups and the total out of 100,
the trend per month, the breakdown per agency and per procedure, the late-dossier list and the
processing control sheet per official (per step: on time / late from ``human_task.due_at`` against
``completed_at``). Every number links to the dossiers behind it (engine.reports.members reads them).

`figures` asks engine/reports.py for the scorecard; the trend, the agencies and the procedures are
each ONE grouped query of engine/report_dimensions.py (not a scorecard per month / agency / procedure).

Group points: the indicators of a group (the key's first digit: 1 publicity, 2 progress, 3 online
provision, 4 digitisation, 5 satisfaction) are pooled as ``Σ points ÷ Σ max points × group max``
(an indicator scaled to its whole group, as engine.reports does today, counts as the mean; a split
of the group among its indicators sums). A group with no figure holding data earns nothing and is
named as missing: the total is the sum of what exists, out of 100."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from engine import report_catalogue, report_dimensions, report_steps, reports
from engine.models import Agency, Dossier, Procedure, User
from engine.workdays import Calendar
from web.errors import N_

#: Decision 766's five groups (RULES §4.1): number -> (label, maximum points)
GROUPS: dict[str, tuple[str, int]] = {
    "1": (N_("Công khai, minh bạch"), 18), "2": (N_("Tiến độ, kết quả giải quyết"), 20),
    "3": (N_("Cung cấp dịch vụ trực tuyến"), 22), "4": (N_("Số hóa hồ sơ, kết quả"), 22),
    "5": (N_("Mức độ hài lòng"), 18)}
TREND_MONTHS = 6
#: the indicators of the breakdown and trend tables (the rates provinces publish)
HEADLINE = ("2.1", "3.3")


@dataclass(frozen=True)
class Scope:
    """A report's question: the period, the caller's agencies (None = all) and the page's filters."""

    period: reports.Period
    calendar: Calendar
    agencies: Collection[str] | None
    agency: str = ""
    procedure: str = ""


async def figures(scope: Scope, *, period: reports.Period | None = None, agency: str | None = None,
                     procedure: str | None = None) -> dict[str, reports.Figure]:
    """The one call into engine.reports (see the module doc)."""
    return await reports.scorecard(period or scope.period, scope.calendar, agencies=scope.agencies,
                                   agency=scope.agency if agency is None else agency,
                                   procedure=scope.procedure if procedure is None else procedure)


@dataclass(frozen=True)
class GroupScore:
    number: str
    label: str
    max_points: int
    points: Decimal | None  # None: no indicator of the group has data
    keys: tuple[str, ...]  # the indicators with data that make the points
    missing: tuple[str, ...]  # the indicators of the group without data


@dataclass(frozen=True)
class Card:
    figures: dict[str, reports.Figure]
    groups: tuple[GroupScore, ...]
    total: Decimal  # sum of the groups with data
    missing: tuple[str, ...]  # group numbers without data


def card(figures: dict[str, reports.Figure]) -> Card:
    groups = []
    exact = Decimal(0)  # the total sums the unrounded group points (engine.reports.total does too)
    for number, (label, group_max) in GROUPS.items():
        mine = [f for k, f in figures.items() if k.split(".")[0] == number]
        scored = [f for f in mine if f.points is not None]
        points = None
        if scored:
            earned = sum((f.points for f in scored if f.points is not None), Decimal(0))
            share = earned / sum(f.max_points for f in scored) * group_max
            exact += share
            points = share.quantize(Decimal("0.01"))
        groups.append(GroupScore(number, label, group_max, points, tuple(f.key for f in scored),
                                 tuple(f.key for f in mine if f.points is None)))
    return Card(figures, tuple(groups), exact.quantize(Decimal("0.01")),
                tuple(g.number for g in groups if g.points is None))


@dataclass(frozen=True)
class Row:
    """One line of a breakdown or trend: what it is, the filters that reproduce it, its figures."""

    code: str
    label: str
    filters: dict[str, str]  # query fields for the drill-down link (tu-ngay, den-ngay, co-quan, thu-tuc)
    figures: dict[str, reports.Figure]
    total: Decimal | None = None
    unplaced: bool = False  # the dossiers placed in no agency: `label` is a msgid, no drill-down filter reaches them


def so_far(period: reports.Period, today: date) -> reports.Period:
    """A period that runs past today, cut at today: an unfinished dossier is judged at the end of the
    period (engine.reports), which must not be a day that has not come yet."""
    return reports.Period(period.start, today) if period.start <= today < period.end else period


def _month_start(day: date) -> date:
    return day.replace(day=1)


def months(end: date, count: int = TREND_MONTHS) -> list[reports.Period]:
    """The ``count`` calendar months ending with the month of ``end``, oldest first."""
    periods: list[reports.Period] = []
    first = _month_start(end)
    for _ in range(count):
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        periods.append(reports.Period(first, last))
        first = _month_start(first - timedelta(days=1))
    return periods[::-1]


def _days(period: reports.Period) -> dict[str, str]:
    return {"tu-ngay": period.start.strftime("%d/%m/%Y"), "den-ngay": period.end.strftime("%d/%m/%Y")}


async def trend(scope: Scope) -> list[Row]:
    periods = [reports.Period(whole.start, min(whole.end, scope.period.end)) for whole in months(scope.period.end)]
    rows = []
    procs = [] if scope.agencies is not None and not scope.agencies else await report_catalogue.catalogue(
        agencies=scope.agencies, agency=scope.agency, procedure=scope.procedure)  # read once for every month
    for month, found in await report_dimensions.trend_of(periods, scope.calendar, agencies=scope.agencies,
                                                         agency=scope.agency, procedure=scope.procedure):
        found |= await report_catalogue.figures(month, scope.calendar, procs=procs)
        rows.append(Row(month.start.strftime("%m/%Y"), month.start.strftime("%m/%Y"),
                        {**_days(month), "co-quan": scope.agency, "thu-tuc": scope.procedure}, found,
                        card(found).total))
    return rows


def has_data(figures: dict[str, reports.Figure]) -> bool:
    return any(figures[k].count for k in HEADLINE if k in figures)


async def _by(scope: Scope, dimension: str) -> dict[str, dict[str, reports.Figure]]:
    return {value: found for value, _label, found in await report_dimensions.breakdown(
        scope.period, scope.calendar, dimension, agencies=scope.agencies, agency=scope.agency,
        procedure=scope.procedure)}


#: the line of the dossiers without an agency (Dossier.agency_code ''), so that the lines add up to the total
NO_AGENCY = N_("Chưa xác định cơ quan")


async def by_agency(scope: Scope, found: dict[str, dict[str, reports.Figure]] | None = None) -> list[Row]:
    """Per agency in scope: the active ones by name, then any other agency holding dossiers (deactivated
    since), then the dossiers placed in no agency as one line `NO_AGENCY`: no dossier is left out."""
    query = Agency.filter(active=True).order_by("name")
    if scope.agencies is not None:
        query = query.filter(code__in=list(scope.agencies))
    if scope.agency:
        query = query.filter(code=scope.agency)
    found = {code: figures for code, figures in (await _by(scope, "agency") if found is None else found).items()
             if has_data(figures)}
    listed = [agency.code for agency in await query if agency.code in found]
    others = sorted(code for code in found if code and code not in listed)
    names = dict(await Agency.filter(code__in=[*listed, *others]).values_list("code", "name"))
    rows = [Row(code, str(names.get(code) or code), {**_days(scope.period), "co-quan": code,
                                                    "thu-tuc": scope.procedure}, found[code])
            for code in (*listed, *others)]
    if "" in found:
        rows.append(Row("", NO_AGENCY, {}, found[""], unplaced=True))
    return rows


async def by_procedure(scope: Scope, found: dict[str, dict[str, reports.Figure]] | None = None) -> list[Row]:
    query = Procedure.all().order_by("name")
    if scope.procedure:
        query = query.filter(code=scope.procedure)
    found = await _by(scope, "procedure") if found is None else found
    return [Row(proc.code, proc.name, {**_days(scope.period), "co-quan": scope.agency, "thu-tuc": proc.code},
                found[proc.code]) for proc in await query if proc.code in found and has_data(found[proc.code])]


async def overview(scope: Scope) -> tuple[dict[str, reports.Figure], list[Row], list[Row]]:
    """What `figures`, `by_agency` and `by_procedure` give, from one scan of the period's rows
    (engine.report_dimensions.overview): the page's scorecard and its two breakdowns."""
    whole, agencies, procedures = await report_dimensions.overview(
        scope.period, scope.calendar, agencies=scope.agencies, agency=scope.agency, procedure=scope.procedure)
    whole |= await report_catalogue.figures(scope.period, scope.calendar, agencies=scope.agencies,
                                            agency=scope.agency, procedure=scope.procedure)
    return ({k: whole[k] for k in reports.INDICATORS}, await by_agency(scope, agencies),
            await by_procedure(scope, procedures))


@dataclass(frozen=True)
class LateLine:
    code: str
    procedure: str
    agency: str
    accepted_at: datetime | None
    due_at: datetime | None
    ended_at: datetime | None
    status: int


LATE_LIST = 200  # the page and the files list the first late dossiers; the drill-down pages through all


async def late_list(scope: Scope, limit: int = LATE_LIST) -> list[LateLine]:
    """The first ``limit`` dossiers 2.1 counts late (by id), with what makes them late: the original
    due (lateness is judged against it, RULES §3.6) and the end of processing (empty while unfinished)."""
    late = await reports.members(scope.period, scope.calendar, "2.1", "late", agencies=scope.agencies,
                                 agency=scope.agency, procedure=scope.procedure, limit=limit, counted=False)
    ids = late[0] if late else []
    names = dict(await Agency.all().values_list("code", "name"))
    found = await Dossier.filter(id__in=list(ids)).order_by("accepted_at", "id").prefetch_related(
        "procedure_version__procedure")
    return [LateLine(d.code, d.procedure_version.procedure.name, str(names.get(d.agency_code, d.agency_code)),
                     d.accepted_at, d.due_original_at, d.result_at or d.returned_at or d.completed_at,
                     d.lifecycle_status) for d in found]


#: control-sheet group -> label (the drill-down's `nhom` for chi-so=xu-ly)
STEP_GROUPS = {"dung-han": N_("Bước xử lý đúng hạn"), "tre": N_("Bước xử lý trễ hạn"),
               "khong-han": N_("Bước không có thời hạn"), "tong": N_("Tất cả bước đã xử lý")}


@dataclass
class Official:
    """One official's steps completed in the period: how many per group (engine/report_steps.py
    counts them; `step_dossiers` reads the dossiers behind one count)."""

    username: str
    name: str
    steps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEP_GROUPS, 0))


def _filters(scope: Scope) -> dict[str, Any]:
    return {"agencies": scope.agencies, "agency": scope.agency, "procedure": scope.procedure}


async def control_sheet(scope: Scope) -> list[Official]:
    """Per official (``completed_by``), the human steps completed in the period within the scope."""
    lower, upper = scope.period.bounds(scope.calendar.timezone)
    found = await report_steps.counts(lower, upper, **_filters(scope))
    names = dict(await User.filter(username__in=list(found)).values_list("username", "full_name"))
    return [Official(who, str(names.get(who) or who), steps) for who, steps in sorted(found.items())]


async def step_dossiers(scope: Scope, who: str, group: str, after: int,
                        limit: int) -> tuple[list[int], int, int]:
    """The dossiers behind one count of the control sheet (a page, in id order), how many, and the
    number of steps (the count itself)."""
    lower, upper = scope.period.bounds(scope.calendar.timezone)
    return await report_steps.dossiers(lower, upper, who, group, after=after, limit=limit, **_filters(scope))
