"""/quan-tri/co-quan: agencies (province and commune tiers) and their reception points: list, create,
edit, deactivate. Administrators only; forms post back, an invalid one re-renders with what was typed."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import agencies
from engine.errors import InvalidData, NotFound
from engine.models import ReceptionPoint, User
from engine.models.agency import COMMUNE_TYPES, KINDS, TIERS
from web.admin import common
from web.auth import requires
from web.pages import check_csrf, render
from web.permissions import ADMINISTER

AGENCY_FIELDS = ("code", "name", "tier", "kind", "commune_type", "parent_code")
POINT_FIELDS = ("code", "name", "agency_code", "address")


def _labels() -> dict[str, Any]:
    return {"tiers": [(t, common.TIER_LABELS[t]) for t in TIERS],
            "kinds": [(k, common.AGENCY_KIND_LABELS[k]) for k in KINDS],
            "commune_types": [(c, common.COMMUNE_TYPE_LABELS[c]) for c in COMMUNE_TYPES],
            "tier_labels": common.TIER_LABELS, "kind_labels": common.AGENCY_KIND_LABELS,
            "commune_type_labels": common.COMMUNE_TYPE_LABELS}


async def _list(request: Request, status: int = 200, **context: Any) -> Response:
    found = await agencies.tree()
    context.setdefault("agency", {"tier": "commune", "kind": "commune_committee"})
    context.setdefault("point", {})
    context.setdefault("agency_errors", {})
    context.setdefault("point_errors", {})
    return render(request, "admin/agencies.html", status=status, tree=found,
                  parents=[a for a in found.agencies if a.tier == "province"],
                  message=request.query_params.get("msg"), **_labels(), **context)


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    return await _list(request)


@requires(ADMINISTER)
async def create_agency(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")).strip() for k in AGENCY_FIELDS}
    try:
        await agencies.save_agency(values)
    except InvalidData as exc:
        return await _list(request, 422, agency=values, agency_errors=common.problems(exc))
    return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)


@requires(ADMINISTER)
async def edit_agency(request: Request, user: User) -> Response:
    agency = await agencies.get(request.path_params["code"])
    found = await agencies.tree()
    parents = [a for a in found.agencies if a.tier == "province" and a.code != agency.code]
    values: dict[str, Any] = {k: getattr(agency, k) for k in AGENCY_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await check_csrf(request)
        values = {**{k: str(form.get(k, "")).strip() for k in AGENCY_FIELDS}, "code": agency.code}
        try:
            await agencies.save_agency(values, code=agency.code)
        except InvalidData as exc:
            errors = common.problems(exc)
        else:
            return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)
    return render(request, "admin/agency_edit.html", status=422 if errors else 200, agency=agency, values=values,
                  errors=errors, parents=parents, **_labels())


@requires(ADMINISTER)
async def agency_active(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    await agencies.set_agency_active(request.path_params["code"], form.get("active") == "1")
    return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)


@requires(ADMINISTER)
async def create_point(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")).strip() for k in POINT_FIELDS}
    try:
        await agencies.save_point(values)
    except InvalidData as exc:
        return await _list(request, 422, point=values, point_errors=common.problems(exc))
    return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)


@requires(ADMINISTER)
async def edit_point(request: Request, user: User) -> Response:
    point = await ReceptionPoint.get_or_none(code=request.path_params["code"])
    if point is None:
        raise NotFound("No such reception point")
    values: dict[str, Any] = {k: getattr(point, k) for k in POINT_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await check_csrf(request)
        values = {**{k: str(form.get(k, "")).strip() for k in POINT_FIELDS}, "code": point.code}
        try:
            await agencies.save_point(values, code=point.code)
        except InvalidData as exc:
            errors = common.problems(exc)
        else:
            return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)
    found = await agencies.tree(active_only=True)
    return render(request, "admin/point_edit.html", status=422 if errors else 200, point=point, values=values,
                  errors=errors, agencies=found.agencies)


@requires(ADMINISTER)
async def point_active(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    await agencies.set_point_active(request.path_params["code"], form.get("active") == "1")
    return RedirectResponse("/quan-tri/co-quan?msg=saved", status_code=303)
