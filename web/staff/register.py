"""GET /quan-ly/so-theo-doi: the dossier register (ND118 Form 07, engine/register.py) of a period
(default: the current quarter) and agency, for staff and managers within their agencies' scope;
printable, and as a PDF at /quan-ly/so-theo-doi.pdf (web/pdf.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine import document_access, register
from engine.lifecycle import Status
from engine.models import Agency, User
from web.auth import requires
from web.documents import fmt, fmt_due
from web.errors import error_page
from web.pages import language, render
from web.pdf import PdfUnavailable, pdf_response, render_pdf
from web.permissions import DOSSIER_SEARCH, search_scope
from web.printing import Printed, draw
from web.staff.reports import read_period
from web.staff.search import ZONE


async def _context(request: Request, user: User) -> tuple[dict[str, Any], bool]:
    q = request.query_params
    period, problems = read_period(q, request.app.state.clock().astimezone(ZONE).date())
    agency = (q.get("co-quan") or "").strip()[:32]
    kept = {"tu-ngay": period.start.strftime("%d/%m/%Y"), "den-ngay": period.end.strftime("%d/%m/%Y"),
            "co-quan": agency}
    scope = await search_scope(user)
    agencies = Agency.filter(active=True).order_by("name")
    context: dict[str, Any] = {
        "filters": {**kept, **{k: q[k] for k in ("tu-ngay", "den-ngay") if k in problems}}, "problems": problems,
        "query": urlencode(kept), "fmt": fmt, "fmt_due": fmt_due, "fmt_date": lambda d: d.strftime("%d/%m/%Y"),
        "agencies": await (agencies if scope is None else agencies.filter(code__in=list(scope))),
        "agency_name": agency, "register": None}
    if problems:
        return context, False
    en = language(request) == "en"
    context["register"] = await register.read(period, scope, agency)
    context["status_label"] = lambda s: Status(s).label_en if en else Status(s).label_vi
    context["agency_name"] = next((a.name for a in context["agencies"] if a.code == agency), agency)
    return context, True


@requires(DOSSIER_SEARCH)
async def register_page(request: Request, user: User) -> Response:
    context, ok = await _context(request, user)
    return render(request, "staff/register.html", status=200 if ok else 400, **context)


@requires(DOSSIER_SEARCH)
async def register_pdf(request: Request, user: User) -> Response:
    context, ok = await _context(request, user)
    if not ok:
        return render(request, "staff/register.html", status=400, **context)
    html = draw(Printed("staff/register.html", context), language(request), None, pdf=True)
    try:
        pdf = await render_pdf(html)
    except PdfUnavailable:
        return error_page(request, 503, "pdf")
    book = context["register"]
    # an export of personal data, as the CSV of the search page: every dossier in it is logged
    await document_access.record_read(user, [(e.id, None) for e in book.entries], request.app.state.clock(),
                                      "export", "page")
    period = book.period
    return pdf_response(f"mau-07-so-theo-doi-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf", pdf)
