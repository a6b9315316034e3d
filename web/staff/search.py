"""GET /quan-ly/ho-so: every dossier by code, applicant, procedure, status, dates and lateness, 50
at a time ("Trang sau" carries the keyset cursor); GET /quan-ly/ho-so.csv: the same list for Excel
(UTF-8 with BOM, headers and status in words in the user's language, dates dd/mm/yyyy local)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from engine import document_access
from engine.dossiers import search as dossier_search
from engine.lifecycle import Status
from engine.models import Procedure, User
from engine.workdays import LOCAL_TZ
from web.auth import requires
from web.errors import N_
from web.i18n import gettext_for
from web.pages import language, render
from web.permissions import DOSSIER_SEARCH, search_scope
from web.staff.search_filters import FIELDS, PROBLEMS, parse

CHANNELS = {"online": N_("Trực tuyến"), "counter": N_("Trực tiếp tại Bộ phận một cửa"), "post": N_("Qua bưu chính")}
HEADERS = (N_("Mã hồ sơ"), N_("Thủ tục"), N_("Mã thủ tục"), N_("Cơ quan giải quyết"), N_("Người nộp"),
           N_("Trạng thái"), N_("Kênh nộp"), N_("Ngày nộp"), N_("Ngày được tiếp nhận"), N_("Hạn giải quyết"),
           N_("Ngày hoàn thành"), N_("Trễ hạn"))


ZONE = ZoneInfo(LOCAL_TZ)
#: a cell Excel would read as a formula gets a leading apostrophe (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def day(at: datetime | None) -> str:
    """dd/mm/yyyy of the local day ("" for none)."""
    return at.astimezone(ZONE).strftime("%d/%m/%Y") if at else ""


def due_date(at: datetime | None) -> date | None:
    """The due's local day; a due at 00:00 is the end of the day before (see web.documents.fmt_due)."""
    if at is None:
        return None
    local = at.astimezone(ZONE)
    return (local - timedelta(days=1) if local.time() == time.min else local).date()


def due_day(at: datetime | None) -> str:
    """`due_date` as dd/mm/yyyy ("" for none)."""
    found = due_date(at)
    return found.strftime("%d/%m/%Y") if found else ""


@dataclass(frozen=True)
class SearchLine:
    row: dossier_search.SearchRow
    status_label: str
    received: str
    accepted: str
    due: str
    finished: str
    overdue: bool


def _status(code: int, en: bool) -> str:
    status = Status(code)
    return status.label_en if en else status.label_vi


def _line(r: dossier_search.SearchRow, en: bool) -> SearchLine:
    return SearchLine(r, _status(r.lifecycle_status, en), day(r.received_at), day(r.accepted_at), due_day(r.due_at),
                      day(r.finished_at), r.overdue)


def _problems(problems: dict[str, str], lang: str) -> dict[str, str]:
    tr = gettext_for(lang)
    return {key: tr.gettext(PROBLEMS[code][0]) for key, code in problems.items()}


@requires(DOSSIER_SEARCH)
async def page(request: Request, user: User) -> Response:
    q = request.query_params
    filters, problems = parse(q)
    lang = language(request)
    procedures = await Procedure.all().order_by("name")
    statuses = [(int(s), _status(int(s), lang == "en")) for s in Status]
    kept = {k: q[k] for k in FIELDS if q.get(k)}
    context: dict[str, Any] = {
        "procedures": procedures, "statuses": statuses, "filters": kept, "lines": [], "next_url": None,
        "csv_url": "/quan-ly/ho-so.csv" + ("?" + urlencode(kept) if kept else ""), "searched": bool(kept)}
    if problems:
        return render(request, "staff/search.html", status=400, problems=_problems(problems, lang), **context)
    found = await dossier_search.search(filters, request.app.state.clock(), agencies=await search_scope(user),
                                        cursor=q.get("cursor") or None)
    context["lines"] = [_line(r, lang == "en") for r in found.rows]
    if found.next_cursor:
        context["next_url"] = "/quan-ly/ho-so?" + urlencode({**kept, "cursor": found.next_cursor})
    return render(request, "staff/search.html", problems={}, **context)


def csv_cell(value: str) -> str:
    """A CSV cell Excel will not run as a formula (shared with the /bao-cao exports)."""
    return "'" + value if value.startswith(FORMULA_START) else value


@requires(DOSSIER_SEARCH)
async def export_csv(request: Request, user: User) -> Response:
    filters, problems = parse(request.query_params)
    lang = language(request)
    if problems:  # the form shows what is wrong (a page, not a file)
        return await page(request)
    tr = gettext_for(lang)
    now = request.app.state.clock()
    headers = [tr.gettext(h) for h in HEADERS]
    yes, no = tr.gettext("Có"), tr.gettext("Không trễ hạn")
    rows = dossier_search.export(filters, now, agencies=await search_scope(user))

    async def body() -> AsyncIterator[bytes]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        count = 0
        read: list[tuple[int, int | None]] = []  # the access log: one row per exported dossier
        async for r in rows:
            read.append((r.id, None))
            writer.writerow([csv_cell(v) for v in (
                r.code, r.procedure_name, r.procedure_code, r.agency, r.applicant_name,
                _status(r.lifecycle_status, lang == "en"), tr.gettext(CHANNELS.get(r.channel, r.channel)),
                day(r.received_at), day(r.accepted_at), due_day(r.due_at), day(r.finished_at),
                yes if r.overdue else no)])
            count += 1
            if count % 500 == 0:
                await document_access.record_read(user, read, now, "export", "page")
                read.clear()
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()
        await document_access.record_read(user, read, now, "export", "page")
        yield out.getvalue().encode()

    async def with_bom() -> AsyncIterator[bytes]:
        yield "\ufeff".encode()
        async for chunk in body():
            yield chunk

    name = f"ho-so-{now.astimezone(ZONE).strftime('%Y%m%d-%H%M')}.csv"
    return StreamingResponse(with_bom(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
