"""GET /quan-ly/so-theo-doi: the dossier register (ND118 Form 07, engine/register.py) of a period
(default: the current quarter) and agency, for staff and managers within their agencies' scope;
printable, and as a PDF at /quan-ly/so-theo-doi.pdf (web/pdf.py), a CSV at .csv and a spreadsheet at
.xlsx (written by web/staff/report_tables.py, as the /bao-cao files: instants as local date-times,
the due as its local day). Every export is logged in the access log (document_access), as the PDF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from engine import document_access, register
from engine.lifecycle import Status
from engine.models import Agency, User
from web.auth import requires
from web.documents import fmt, fmt_due
from web.errors import N_, error_page
from web.i18n import gettext_for
from web.pages import language, render
from web.pdf import PdfUnavailable, pdf_response, render_pdf
from web.permissions import DOSSIER_SEARCH, search_scope
from web.printing import Printed, draw
from web.staff import report_tables
from web.staff.reports import XLSX, read_period
from web.staff.search import ZONE, due_date

#: the register's columns (the page's, without the signature column)
HEADERS = (N_("TT"), N_("Mã hồ sơ"), N_("Thủ tục"), N_("Tên tổ chức, cá nhân"), N_("Cơ quan chủ trì giải quyết"),
           N_("Ngày, giờ nhận"), N_("Hẹn trả kết quả"), N_("Yêu cầu bổ sung"), N_("Có kết quả"),
           N_("Đã trả kết quả"), N_("Trạng thái"))


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


async def _log_export(request: Request, user: User, book: register.Register) -> None:
    """An export of personal data, as the CSV of the search page: every dossier in it is logged."""
    await document_access.record_read(user, [(e.id, None) for e in book.entries], request.app.state.clock(),
                                      "export", "page")


def _file_name(book: register.Register, extension: str) -> str:
    return f"mau-07-so-theo-doi-{book.period.start:%Y%m%d}-{book.period.end:%Y%m%d}.{extension}"


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
    await _log_export(request, user, book)
    return pdf_response(_file_name(book, "pdf"), pdf)


def table(book: register.Register, tr: Callable[[str], str], status_label: Callable[[int], str]) -> report_tables.Table:
    """The register as a typed table: instants as local date-times, the due as its day (24:00 = that day)."""
    local = report_tables.local
    return report_tables.Table("so-theo-doi", tr("Sổ theo dõi hồ sơ"), [tr(h) for h in HEADERS], [
        [n, e.code, e.procedure_name, e.applicant, e.agency, local(e.received_at), due_date(e.due_at),
         local(e.supplement_at), local(e.result_at), local(e.returned_at), status_label(e.status)]
        for n, e in enumerate(book.entries, start=1)])


async def _file(request: Request, user: User, extension: str) -> Response:
    context, ok = await _context(request, user)
    if not ok:  # the form says what is wrong (a page, not a file)
        return render(request, "staff/register.html", status=400, **context)
    book = context["register"]
    found = table(book, gettext_for(language(request)).gettext, context["status_label"])
    body, media = ((report_tables.to_csv(found), "text/csv; charset=utf-8") if extension == "csv"
                   else (report_tables.to_xlsx([found]), XLSX))
    await _log_export(request, user, book)
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{_file_name(book, extension)}"'})


@requires(DOSSIER_SEARCH)
async def register_csv(request: Request, user: User) -> Response:
    return await _file(request, user, "csv")


@requires(DOSSIER_SEARCH)
async def register_xlsx(request: Request, user: User) -> Response:
    return await _file(request, user, "xlsx")
