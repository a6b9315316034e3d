"""Process insight (issue 12): GET /bao-cao/quy-trinh/{code}, the heatmap of a procedure's steps on its
diagram (engine/step_insight.py) with the same figures in a table, and its .bpmn for the viewer;
GET /bao-cao/bieu-mau/{code}, the citizen form funnel (engine/form_funnel.py). Figures only, no
personal data; the period filter is the 766 report's (dd/mm/yyyy)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

import forms
from engine import form_funnel, procedures, step_insight
from engine.errors import NotFound
from engine.models import ProcedureVersion, User
from engine.reports import Period
from engine.versions import current_version_info
from web.auth import requires
from web.downloads import model_download
from web.errors import N_
from web.i18n import gettext_for
from web.pages import language, render
from web.permissions import DESIGN, FORM_FUNNEL, REPORTS, search_scope
from web.staff.reports import read_period
from web.staff.search import ZONE

#: the heatmap's colour scale, quickest to slowest (the page's legend and the diagram's markers)
COLOURS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
RULES = {"required": N_("Bắt buộc"), "pattern": N_("Sai định dạng"), "min_length": N_("Quá ngắn"),
         "max_length": N_("Quá dài"), "cccd": N_("Số định danh"), "phone": N_("Số điện thoại"),
         "email": N_("Thư điện tử"), "future": N_("Ngày trong tương lai"), "choice": N_("Lựa chọn ngoài danh sách")}


def number(value: Decimal, lang: str) -> str:
    """One decimal, with the Vietnamese decimal comma unless in English."""
    text = f"{value:.1f}"
    return text if lang == "en" else text.replace(".", ",")


def hours(value: timedelta | None, lang: str) -> str:
    """Working hours, one decimal."""
    if value is None:
        return "—"
    return number(Decimal(value.total_seconds()) / 3600, lang) + (" h" if lang == "en" else " giờ")


def duration(value: timedelta | None, lang: str) -> str:
    """Wall-clock time in days, hours and minutes (the funnel: citizens apply at any hour)."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    d, h, m = minutes // 1440, minutes % 1440 // 60, minutes % 60
    units = ("d", "h", "min") if lang == "en" else ("ngày", "giờ", "phút")
    parts = [f"{n} {u}" for n, u in zip((d, h, m), units, strict=True) if n]
    return " ".join(parts) or f"0 {units[2]}"


async def _filters(request: Request) -> tuple[str, Period, dict[str, Any]]:
    code = request.path_params["code"]
    await procedures.get(code)  # 404 for an unknown code
    q = request.query_params
    period, problems = read_period(q, request.app.state.clock().astimezone(ZONE).date())
    kept = {"tu-ngay": period.start.strftime("%d/%m/%Y"), "den-ngay": period.end.strftime("%d/%m/%Y")}
    return code, period, {"filters": {**kept, **{k: q[k] for k in kept if k in problems}}, "problems": problems,
                          "query": urlencode(kept)}


@dataclass(frozen=True)
class StepLine:
    element_id: str
    name: str
    completed: int
    median: str
    p90: str
    late: str  # share in %, or "—" without a due
    waiting: int
    level: int | None  # the colour class (COLOURS)


@requires(REPORTS)
async def heatmap(request: Request, user: User) -> Response:
    code, period, context = await _filters(request)
    procedure = await procedures.get(code)
    lang = language(request)
    steps = [] if context["problems"] else await step_insight.heatmap(
        code, period, request.app.state.runtime.calendars.value, agencies=await search_scope(user))
    lines = [StepLine(s.element_id, s.name, s.completed, hours(s.median, lang), hours(s.p90, lang),
                      "—" if s.late_share is None else f"{number(s.late_share, lang)} %", s.waiting,
                      s.level) for s in steps]
    waiting = gettext_for(lang).gettext("đang chờ")
    marks = {s.element_id: {"level": s.level, "label": f"{hours(s.median, lang)} · {s.waiting} {waiting}"}
             for s in steps}
    has_diagram = await ProcedureVersion.filter(procedure__code=code, status="published").exists()
    return render(request, "staff/step_heatmap.html", status=400 if context["problems"] else 200, p=procedure,
                  lines=lines, marks=marks, colours=COLOURS, has_diagram=has_diagram, **context)


@requires(REPORTS)
async def heatmap_diagram(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    version = await ProcedureVersion.filter(procedure__code=code, status="published").order_by("-number").first()
    if version is None:
        raise NotFound("The procedure has no published version", code=code)
    return model_download(version.bpmn_xml, f"{code}.bpmn")


MAX_ABANDON_DAYS = 90  # the funnel's "abandoned after" choice (so-ngay), in days


@dataclass(frozen=True)
class FailureLine:
    label: str
    key: str
    rule: str
    rule_label: str
    count: int
    attempts: int
    width: int  # the bar, % of the most frequent


def _labels(schema: dict[str, Any] | None) -> dict[str, str]:
    if schema is None:
        return {}
    try:
        spec = forms.build(schema)
    except forms.FormsError:
        return {}
    return {key: getattr(node, "label", "") or key for key, node in spec.by_key.items()}


@requires(FORM_FUNNEL)
async def funnel(request: Request, user: User) -> Response:
    code, period, context = await _filters(request)
    procedure = await procedures.get(code)
    typed = (request.query_params.get("so-ngay") or "").strip()
    days = form_funnel.ABANDON_AFTER.days
    if typed:
        try:
            days = int(typed)
        except ValueError:
            days = 0
        if not 1 <= days <= MAX_ABANDON_DAYS:  # said, not silently replaced (like the period's dates)
            context["problems"]["so-ngay"] = N_("Số ngày không hợp lệ: nhập một số nguyên từ 1 đến 90")
            days = form_funnel.ABANDON_AFTER.days
    context["filters"]["so-ngay"] = typed[:10] if "so-ngay" in context["problems"] else str(days)
    context["query"] += f"&so-ngay={days}"
    if context["problems"]:
        return render(request, "staff/form_funnel.html", status=400, p=procedure, f=None, lines=[], bars=[],
                      designer=DESIGN.allows(user), **context)
    lang, now = language(request), request.app.state.clock()
    f = await form_funnel.funnel(code, period, now, timezone=request.app.state.runtime.calendars.value.timezone,
                                 abandon_after=timedelta(days=days))
    try:
        labels = _labels((await current_version_info(code)).start_form())
    except NotFound:
        labels = {}
    top = max((c.count for c in f.failures), default=0)
    lines = [FailureLine(labels.get(c.field_key, c.field_key), c.field_key, c.rule, RULES.get(c.rule, ""), c.count,
                         c.attempts, round(100 * c.count / top) if top else 0) for c in f.failures]
    bars = [(N_("Bắt đầu"), "started", f.started), (N_("Đã nộp"), "submitted", f.submitted),
            (N_("Bỏ dở"), "abandoned", f.abandoned), (N_("Đang làm"), "in_progress", f.in_progress)]
    return render(request, "staff/form_funnel.html", p=procedure, f=f, lines=lines,
                  bars=[(label, key, n, round(100 * n / f.started) if f.started else 0) for label, key, n in bars],
                  median=duration(f.median_to_submit, lang), designer=DESIGN.allows(user), **context)
