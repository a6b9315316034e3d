"""/quan-tri/khong-giay: the paper-free rules (channel policies): list, add with a preview (the days and
procedures it covers, the message the counter intake page will show), switch off, remove.
Saving bumps the rules' revision (engine.channels), so every process applies the change."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import agencies, channels
from engine.errors import InvalidData
from engine.models import Procedure, User
from engine.models.channel_policy import EXCEPTIONS
from engine.models.dossier import CHANNELS
from web.admin import common
from web.auth import requires
from web.pages import check_csrf, checked_form, render
from web.permissions import ADMINISTER


def values_of(form: FormData) -> dict[str, Any]:
    """The rule as the engine takes it (dates dd/mm/yyyy -> ISO; an empty end = open-ended)."""
    end = str(form.get("end_on", "")).strip()
    weekdays = [int(str(d)) for d in form.getlist("weekdays") if str(d).isdigit()]
    return {
        "name": str(form.get("name", "")), "procedure_codes": [str(v) for v in form.getlist("procedure_codes")],
        "reception_points": [str(v) for v in form.getlist("reception_points")],
        "start_on": common.iso_date(form.get("start_on")), "end_on": common.iso_date(end) if end else None,
        "weekdays": weekdays, "channels_allowed": [str(v) for v in form.getlist("channels_allowed")],
        "exceptions_allowed": [str(v) for v in form.getlist("exceptions_allowed")],
        "message": {"vi": str(form.get("message_vi", "")), "en": str(form.get("message_en", ""))},
    }


async def _page(request: Request, status: int = 200, *, typed: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None, preview: channels.PolicyPreview | None = None) -> Response:
    procedures = await Procedure.all().order_by("code")
    points = await agencies.reception_points_for(None)
    typed = typed or {"channels_allowed": ["online"], "exceptions_allowed": ["postal", "priority_citizen"],
                      "weekdays": [], "procedure_codes": [], "reception_points": []}
    return render(request, "admin/paper_free.html", status=status, rules=await channels.list_policies(),
                  procedures=procedures, names={p.code: p.name for p in procedures}, points=points,
                  point_names={p.code: p.name for p in points}, typed=typed, errors=errors or {},
                  preview=preview, vn_date=common.vn_date, weekday_labels=common.WEEKDAY_LABELS,
                  channel_labels=common.CHANNEL_LABELS, exception_labels=common.EXCEPTION_LABELS,
                  channels=CHANNELS, exceptions=EXCEPTIONS, message=request.query_params.get("msg"))


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    return await _page(request)


def _typed(form: FormData) -> dict[str, Any]:
    """What the admin typed, to show again as typed."""
    keys = ("name", "start_on", "end_on", "message_vi", "message_en")
    lists = ("procedure_codes", "reception_points", "channels_allowed", "exceptions_allowed")
    return {**{k: str(form.get(k, "")) for k in keys}, **{k: [str(v) for v in form.getlist(k)] for k in lists},
            "weekdays": [int(str(d)) for d in form.getlist("weekdays") if str(d).isdigit()]}


@requires(ADMINISTER)
async def submit(request: Request, user: User) -> Response:
    """action=preview describes the rule and keeps the form; action=save creates it."""
    form = await checked_form(request)
    values, typed = values_of(form), _typed(form)
    try:
        if form.get("action") == "save":
            await channels.create_policy(created_by=user.username, **values)
            return RedirectResponse("/quan-tri/khong-giay?msg=saved", status_code=303)
        codes = await Procedure.all().order_by("code").values_list("code", flat=True)
        preview = channels.preview_policy(values, [str(c) for c in codes],
                                          common.local_today(request.app.state.clock()))
    except InvalidData as exc:
        return await _page(request, 422, typed=typed, errors=common.problems(exc))
    return await _page(request, typed=typed, preview=preview)


@requires(ADMINISTER)
async def switch(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    await channels.update_policy(int(request.path_params["id"]), active=form.get("active") == "1")
    return RedirectResponse("/quan-tri/khong-giay?msg=saved", status_code=303)


@requires(ADMINISTER)
async def remove(request: Request, user: User) -> Response:
    await check_csrf(request)
    await channels.delete_policy(int(request.path_params["id"]))
    return RedirectResponse("/quan-tri/khong-giay?msg=removed", status_code=303)
