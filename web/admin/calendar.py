"""/quan-tri/lich: the province's calendar overrides (extra days off, make-up working days) per year;
adding one shows its effect first (a dossier accepted now: due with and without it; open dossiers
whose time runs through the day). Saving bumps the calendar's revision (every process follows)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import calendar_admin
from engine.errors import InvalidData, NotFound
from engine.models import Procedure, User
from web.admin import common
from web.auth import requires
from web.documents import fmt, fmt_due
from web.pages import check_csrf, render
from web.permissions import ADMINISTER

UNIT_LABELS = {"working_days": common.N_("ngày làm việc"), "working_hours": common.N_("giờ làm việc"),
               "calendar_days": common.N_("ngày"), "same_day": common.N_("trong ngày")}


def _year(request: Request, default: int) -> int:
    raw = request.query_params.get("nam", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


async def _page(request: Request, status: int = 200, *, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None, preview: calendar_admin.OverridePreview | None = None,
                year: int | None = None) -> Response:
    today = common.local_today(request.app.state.clock())
    year = year or _year(request, today.year)
    rows = [r for r in await calendar_admin.list_overrides() if r.on.year == year]
    procedures = await Procedure.all().order_by("code")
    return render(request, "admin/calendar.html", status=status, year=year, rows=rows, procedures=procedures,
                  values=values or {"kind": "off", "procedure": procedures[0].code if procedures else ""},
                  errors=errors or {}, preview=preview, fmt=fmt, fmt_due=fmt_due, vn_date=common.vn_date,
                  unit_labels=UNIT_LABELS, weekday_labels=common.WEEKDAY_LABELS,
                  message=request.query_params.get("msg"))


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    return await _page(request)


@requires(ADMINISTER)
async def submit(request: Request, user: User) -> Response:
    """action=preview shows the effect and keeps the form; action=save adds the override."""
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")).strip() for k in ("on", "kind", "note", "procedure")}
    on, rt = common.iso_date(values["on"]), request.app.state.runtime
    try:
        if form.get("action") == "save":
            row = await calendar_admin.add_override(rt, on, values["kind"], values["note"], user.username)
            return RedirectResponse(f"/quan-tri/lich?nam={row.on.year}&msg=saved", status_code=303)
        preview = await calendar_admin.preview_override(rt, on, values["kind"], values["procedure"],
                                                        request.app.state.clock())
    except InvalidData as exc:
        return await _page(request, 422, values=values, errors=common.problems(exc))
    except NotFound:
        return await _page(request, 422, values=values, errors={"procedure": common.N_("Chọn một thủ tục.")})
    return await _page(request, values=values, preview=preview, year=preview.on.year)


@requires(ADMINISTER)
async def remove(request: Request, user: User) -> Response:
    await check_csrf(request)
    await calendar_admin.delete_override(request.app.state.runtime, request.path_params["id"])
    return RedirectResponse(f"/quan-tri/lich?nam={_year(request, 0) or ''}&msg=removed", status_code=303)
