"""GET /bao-cao: the Decision 766 indicators 2.1, 3.3, 5.4 for a period (default: the current quarter),
filtered by agency and procedure; GET /bao-cao/ho-so?chi-so=2.1&nhom=dat&...: the exact dossiers behind
a figure (engine/reports.py). Managers only; the lists show codes, procedures and statuses, no personal
data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine import reports
from engine.lifecycle import Status
from engine.models import Agency, Dossier, Procedure, User
from web.auth import requires
from web.errors import N_, error_page
from web.pages import language, render
from web.permissions import REPORTS, search_scope
from web.staff.search import CHANNELS, ZONE

FIELDS = ("tu-ngay", "den-ngay", "co-quan", "thu-tuc")
TITLES = {"2.1": N_("Tỷ lệ hồ sơ giải quyết đúng hạn"), "3.3": N_("Tỷ lệ hồ sơ trực tuyến"),
          "5.4": N_("Mức độ hài lòng trong giải quyết thủ tục")}
#: drill-down group -> (label, how to read it off a Figure)
GROUPS = {"dat": N_("Hồ sơ được tính vào tử số"), "tong": N_("Tất cả hồ sơ được xét"),
          "tre": N_("Hồ sơ trễ hạn"), "khong-hai-long": N_("Hồ sơ bị đánh giá không hài lòng")}
REASONS = {"no_dossier": N_("Chưa có hồ sơ nào trong kỳ"),
           "no_rating": N_("Chưa có hồ sơ nào được công dân đánh giá trong kỳ")}


def _day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar day, no instant)


def read_period(q: Any, today: date) -> tuple[reports.Period, dict[str, str]]:
    default = reports.quarter_of(today)
    problems: dict[str, str] = {}
    days = {}
    for key, fallback in (("tu-ngay", default.start), ("den-ngay", default.end)):
        text = (q.get(key) or "").strip()
        try:
            days[key] = _day(text) if text else fallback
        except ValueError:
            days[key], problems[key] = fallback, N_("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy")
    if days["tu-ngay"] > days["den-ngay"]:
        problems["den-ngay"] = N_("Ngày bắt đầu phải trước ngày kết thúc")
        return default, problems
    return reports.Period(days["tu-ngay"], days["den-ngay"]), problems


async def _figures(request: Request, user: User) -> tuple[dict[str, Any], dict[str, reports.Figure] | None]:
    q = request.query_params
    now = request.app.state.clock()
    period, problems = read_period(q, now.astimezone(ZONE).date())
    agency, procedure = (q.get("co-quan") or "").strip()[:32], (q.get("thu-tuc") or "").strip()[:32]
    kept = {"tu-ngay": period.start.strftime("%d/%m/%Y"), "den-ngay": period.end.strftime("%d/%m/%Y"),
            "co-quan": agency, "thu-tuc": procedure}
    context: dict[str, Any] = {"filters": {**kept, **{k: q[k] for k in ("tu-ngay", "den-ngay") if k in problems}},
                               "problems": problems, "query": urlencode(kept), "titles": TITLES,
                               "reasons": REASONS, "groups": GROUPS}
    if problems:
        return context, None
    calendar = request.app.state.runtime.calendars.value
    return context, await reports.scorecard(period, calendar, agencies=await search_scope(user),
                                            agency=agency, procedure=procedure)


@requires(REPORTS)
async def page(request: Request, user: User) -> Response:
    context, figures = await _figures(request, user)
    context |= {"agencies": await Agency.filter(active=True).order_by("name"),
                "procedures": await Procedure.all().order_by("name"), "figures": figures or {}}
    return render(request, "staff/reports.html", status=400 if figures is None else 200, **context)


def _ids(figure: reports.Figure, group: str) -> tuple[int, ...]:
    if group == "dat":
        return figure.hits
    if group == "tong":
        return figure.population
    return figure.extra.get({"tre": "late", "khong-hai-long": "disliked"}[group], ())


@requires(REPORTS)
async def dossiers(request: Request, user: User) -> Response:
    key, group = request.query_params.get("chi-so", ""), request.query_params.get("nhom", "dat")
    if key not in reports.INDICATORS or group not in GROUPS:
        return error_page(request, 400)
    context, figures = await _figures(request, user)
    if figures is None:
        return render(request, "staff/reports.html", status=400, figures={}, agencies=[], procedures=[], **context)
    ids = _ids(figures[key], group)
    rows = await Dossier.filter(id__in=ids).order_by("id").prefetch_related("procedure_version__procedure")
    en = language(request) == "en"
    lines = [{"code": d.code, "procedure": d.procedure_version.procedure.name,
              "status": Status(d.lifecycle_status).label_en if en else Status(d.lifecycle_status).label_vi,
              "channel": CHANNELS.get(d.channel, d.channel)} for d in rows]
    return render(request, "staff/report_list.html", key=key, group=group, figure=figures[key], lines=lines,
                  **context)
