"""GET /bao-cao: the Decision 766 scorecard for a period (default: the current quarter), filtered by
agency and procedure: points per group and the total out of 100, the trend per month, the rates per
agency and per procedure (charts + tables), the late dossiers and the processing control sheet per
official. GET /bao-cao/ho-so?chi-so=2.1&nhom=dat&...: the exact dossiers behind any number of the page
(``chi-so=tat-ca``: every dossier considered; ``chi-so=xu-ly&can-bo=…``: an official's steps), 50 a
page in id order (``sau=<last id>``: the next page), with how many there are in all; for the procedure
indicators 1.3, 3.1 and 3.2 the procedures behind the number (web/staff/report_procedures.py).
GET /bao-cao.csv?bang=… and /bao-cao.xlsx: the same reports as files (web/staff/report_tables.py).

Managers and leaders (permissions.REPORTS), within their agencies' scope; the lists show codes,
procedures and statuses, no personal data."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine import report_targets, reports
from engine.lifecycle import Status
from engine.models import Agency, Dossier, Procedure, User
from web.auth import requires
from web.errors import N_, error_page
from web.i18n import gettext_for
from web.pages import language, render
from web.permissions import REPORTS, search_scope
from web.staff import report_charts, report_data, report_procedures, report_tables, targets
from web.staff.search import CHANNELS, ZONE

FIELDS = ("tu-ngay", "den-ngay", "co-quan", "thu-tuc")
#: drill-down group -> label
GROUPS = {"dat": N_("Hồ sơ được tính vào tử số"), "tong": N_("Tất cả hồ sơ được xét"),
          "tre": N_("Hồ sơ trễ hạn"), "khong-hai-long": N_("Hồ sơ bị đánh giá không hài lòng")}
EVERY = "tat-ca"  # chi-so: the union of every indicator's population (the total's link)
STEPS = "xu-ly"  # chi-so: the control sheet (with can-bo=username and nhom in report_data.STEP_GROUPS)


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


def _when(at: datetime | None) -> str:
    return at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M") if at else ""


def drill(key: str, group: str, filters: dict[str, str], **more: str) -> str:
    """The drill-down address of one number: its indicator, its group and the filters that made it."""
    return "/bao-cao/ho-so?" + urlencode({"chi-so": key, "nhom": group, **more,
                                          **{k: v for k, v in filters.items() if v}})


async def _scope(request: Request, user: User) -> tuple[dict[str, Any], report_data.Scope | None]:
    q = request.query_params
    now = request.app.state.clock()
    period, problems = read_period(q, now.astimezone(ZONE).date())
    agency, procedure = (q.get("co-quan") or "").strip()[:32], (q.get("thu-tuc") or "").strip()[:32]
    kept = {"tu-ngay": period.start.strftime("%d/%m/%Y"), "den-ngay": period.end.strftime("%d/%m/%Y"),
            "co-quan": agency, "thu-tuc": procedure}
    context: dict[str, Any] = {"filters": {**kept, **{k: q[k] for k in ("tu-ngay", "den-ngay") if k in problems}},
                               "kept": kept, "problems": problems, "query": urlencode(kept), "drill": drill,
                               "titles": report_tables.TITLES, "reasons": report_tables.REASONS,
                               "groups": GROUPS, "step_groups": report_data.STEP_GROUPS,
                               "table_names": report_tables.NAMES, "headline": report_data.HEADLINE,
                               "when": _when}
    if problems:
        return context, None
    scope = await scope_of(request, user, period)
    if scope.period != period:
        context["so_far"] = scope.period.end.strftime("%d/%m/%Y")
    return context, scope


async def scope_of(request: Request, user: User, period: reports.Period) -> report_data.Scope:
    """The report's question for a valid period: cut at today, the caller's agencies, the filters
    (co-quan, thu-tuc) of the query; the page and GET /api/v1/reports share it."""
    q = request.query_params
    today = request.app.state.clock().astimezone(ZONE).date()
    return report_data.Scope(report_data.so_far(period, today), request.app.state.runtime.calendars.value,
                             await search_scope(user), (q.get("co-quan") or "").strip()[:32],
                             (q.get("thu-tuc") or "").strip()[:32])


async def report_of(scope: report_data.Scope) -> report_tables.Report:
    """Every read of the page (and of its files): bench/reports.py times it."""
    figures, agencies, procedures = await report_data.overview(scope)
    return report_tables.Report(report_data.card(figures), await report_data.trend(scope), agencies, procedures,
                                await report_data.late_list(scope), await report_data.control_sheet(scope),
                                await report_targets.targets())


def _charts(report: report_tables.Report, tr: Any, lang: str) -> dict[str, Any]:
    names = {key: report_tables.title(key, tr) for key in report_data.HEADLINE}

    def series(rows: list[report_data.Row]) -> dict[str, list[Any]]:
        return {names[k]: [r.figures[k].value if k in r.figures else None for r in rows] for k in names}

    return {
        "trend": report_charts.bars(tr("Tỷ lệ theo tháng"), tr(
            "Tỷ lệ hồ sơ đúng hạn và tỷ lệ hồ sơ trực tuyến (%) của từng tháng; số liệu ở bảng ngay sau biểu đồ."),
            [r.label for r in report.trend], series(report.trend), lang, tr("Chưa có dữ liệu")),
        "agencies": report_charts.bars(tr("Tỷ lệ theo cơ quan"), tr(
            "Tỷ lệ hồ sơ đúng hạn và tỷ lệ hồ sơ trực tuyến (%) của từng cơ quan; số liệu ở bảng ngay sau biểu đồ."),
            [r.label for r in report.agencies], series(report.agencies), lang, tr("Chưa có dữ liệu"))
        if report.agencies else None}


async def _choices() -> dict[str, Any]:
    return {"agencies": await Agency.filter(active=True).order_by("name"),
            "procedures": await Procedure.all().order_by("name")}


@requires(REPORTS)
async def page(request: Request, user: User) -> Response:
    context, scope = await _scope(request, user)
    context |= await _choices()
    if scope is None:
        return render(request, "staff/reports.html", status=400, report=None, **context)
    report = await report_of(scope)
    lang = language(request)
    tr = gettext_for(lang).gettext
    return render(request, "staff/reports.html", report=report, charts=_charts(report, tr, lang),
                  goals=targets.goals(report.card.figures, report.targets),
                  status_label=_status_label(lang == "en"), **context)


def _status_label(en: bool) -> Any:
    return lambda code: Status(code).label_en if en else Status(code).label_vi


PAGE = 50  # dossiers per drill-down page (keyset: ``sau`` = the last id of the previous page)
_MEMBER_GROUP = {"dat": "hits", "tong": "population", "tre": "late", "khong-hai-long": "disliked"}


async def _drill_ids(scope: report_data.Scope, key: str, group: str, who: str,
                     after: int) -> tuple[list[int], int, int | None] | None:
    """One page of the dossier ids behind one number of the page, how many dossiers there are, and for
    an official's control-sheet figure the number of steps (the figure itself: one dossier may hold
    several of the official's steps); None: no such number. Only that number's ids are read
    (engine.reports.members), never the whole card's."""
    if key == STEPS:
        if group not in report_data.STEP_GROUPS:
            return None
        return await report_data.step_dossiers(scope, who, group, after, PAGE)
    if group not in (report_procedures.GROUPS if key in report_procedures.KEYS else GROUPS):
        return None
    wanted = ("2.1", "population") if key == EVERY else (key, _MEMBER_GROUP[group])
    found = await reports.members(scope.period, scope.calendar, *wanted, agencies=scope.agencies,
                                  agency=scope.agency, procedure=scope.procedure, after=after, limit=PAGE)
    return None if found is None else (*found, None)


@requires(REPORTS)
async def dossiers(request: Request, user: User) -> Response:
    q = request.query_params
    key, group, who = q.get("chi-so", ""), q.get("nhom", "dat"), (q.get("can-bo") or "")[:150]
    context, scope = await _scope(request, user)
    if scope is None:
        return render(request, "staff/reports.html", status=400, report=None, agencies=[], procedures=[], **context)
    after = int(q["sau"]) if (q.get("sau") or "").isdigit() else 0
    found = await _drill_ids(scope, key, group, who, after)
    if found is None:
        return error_page(request, 400)
    ids, total, steps = found
    if key in report_procedures.KEYS:  # procedure ids (Figure.subject == "procedure"), not dossiers
        return render(request, "staff/report_procedures.html", key=key, group=group,
                      label=report_procedures.GROUPS[group], lines=await report_procedures.lines(scope, ids),
                      total=total, more=drill(key, group, context["kept"], sau=str(ids[-1])) if len(ids) == PAGE
                      else None, **context)
    rows = await Dossier.filter(id__in=ids).order_by("id").prefetch_related("procedure_version__procedure")
    en = language(request) == "en"
    lines = [{"code": d.code, "procedure": d.procedure_version.procedure.name,
              "status": Status(d.lifecycle_status).label_en if en else Status(d.lifecycle_status).label_vi,
              "channel": CHANNELS.get(d.channel, d.channel)} for d in rows]
    heading = (N_("Phiếu kiểm soát quá trình xử lý theo cán bộ") if key == STEPS
               else N_("Tất cả hồ sơ được xét") if key == EVERY else None)
    label = report_data.STEP_GROUPS[group] if key == STEPS else GROUPS[group]
    more = drill(key, group, context["kept"], **({"can-bo": who} if who else {}), sau=str(ids[-1])) \
        if len(ids) == PAGE else None
    return render(request, "staff/report_list.html", key=key, group=group, label=label, heading=heading,
                  official=who, lines=lines, total=total, steps=steps, more=more, **context)


async def _tables(request: Request, user: User) -> tuple[dict[str, report_tables.Table] | None, Response | None]:
    context, scope = await _scope(request, user)
    if scope is None:  # the form says what is wrong (a page, not a file)
        return None, render(request, "staff/reports.html", status=400, report=None, **context, **await _choices())
    lang = language(request)
    return report_tables.tables(await report_of(scope), gettext_for(lang).gettext, lang == "en"), None


def _file_name(request: Request, extension: str) -> str:
    return f"bao-cao-{request.app.state.clock().astimezone(ZONE).strftime('%Y%m%d-%H%M')}.{extension}"


@requires(REPORTS)
async def export_csv(request: Request, user: User) -> Response:
    name = request.query_params.get("bang", "chi-so")
    if name not in report_tables.NAMES:
        return error_page(request, 400)
    found, refusal = await _tables(request, user)
    if found is None:
        assert refusal is not None
        return refusal
    return Response(report_tables.to_csv(found[name]), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{_file_name(request, name + ".csv")}"'})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@requires(REPORTS)
async def export_xlsx(request: Request, user: User) -> Response:
    found, refusal = await _tables(request, user)
    if found is None:
        assert refusal is not None
        return refusal
    return Response(report_tables.to_xlsx(list(found.values())), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="{_file_name(request, "xlsx")}"'})
