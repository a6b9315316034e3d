"""GET /cong-khai: the public transparency page (no sign-in, no personal data): per agency, the
on-time rate (766 indicator 2.1) and the online dossier rate (3.3) of the current and the last
quarter, with the number of dossiers each rate is over, as provinces publish them.

The figures are /bao-cao's per-agency breakdown (engine.report_dimensions.breakdown: one grouped query
per quarter, not a scorecard per agency) and are kept in the app for `CACHE_SECONDS`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response

from engine import report_dimensions, reports
from engine.models import Agency
from engine.report_sql import Tally
from web.pages import render
from web.staff import report_data, report_tables
from web.staff.search import ZONE

CACHE_SECONDS = 600
KEYS = report_data.HEADLINE


@dataclass(frozen=True)
class Published:
    """One agency's line: per quarter, per indicator, the rate (None: no dossier) and the count."""

    name: str
    quarters: tuple[dict[str, tuple[reports.Figure | None, int]], ...]
    unplaced: bool = False  # the dossiers placed in no agency: `name` is a msgid (report_data.NO_AGENCY)


@dataclass(frozen=True)
class Board:
    quarters: tuple[reports.Period, ...]
    lines: tuple[Published, ...]
    computed_at: datetime


def quarters(now: datetime) -> tuple[reports.Period, reports.Period]:
    current = reports.quarter_of(now.astimezone(ZONE).date())
    return current, reports.quarter_of(current.start - timedelta(days=1))


async def board(request: Request) -> Board:
    now: datetime = request.app.state.clock()
    cached: Board | None = getattr(request.app.state, "transparency_board", None)
    periods = quarters(now)
    if cached is not None and cached.quarters == periods and now - cached.computed_at < timedelta(
            seconds=CACHE_SECONDS):
        return cached
    calendar = request.app.state.runtime.calendars.value
    by_quarter = []
    for period in periods:
        counted = report_data.so_far(period, now.astimezone(ZONE).date())
        by_quarter.append({value: found for value, _label, found in await report_dimensions.breakdown(
            counted, calendar, "agency")})
    nothing = reports.compute(Tally())

    def line(name: str, code: str, unplaced: bool = False) -> Published:
        per_quarter = []
        for by_agency in by_quarter:
            found = by_agency.get(code, nothing)
            per_quarter.append({k: (found.get(k), found[k].count if k in found else 0) for k in KEYS})
        return Published(name, tuple(per_quarter), unplaced)

    lines = [line(agency.name, agency.code) for agency in await Agency.filter(active=True).order_by("name")]
    if any(report_data.has_data(by_agency.get("", nothing)) for by_agency in by_quarter):
        lines.append(line(report_data.NO_AGENCY, "", unplaced=True))  # the lines add up to every dossier
    fresh = Board(periods, tuple(lines), now)
    request.app.state.transparency_board = fresh
    return fresh


async def page(request: Request) -> Response:
    found = await board(request)
    # no public HTTP caching: the page's header carries the visitor's session (name, CSRF token)
    return render(request, "citizen/transparency.html", board=found, keys=KEYS, titles=report_tables.TITLES,
                  computed=found.computed_at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M"))
