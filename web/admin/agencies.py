"""/quan-tri/co-quan: agencies (province and commune tiers) and their reception points: list, create,
edit, deactivate. Administrators only; forms post back, an invalid one re-renders with what was typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import agencies
from engine.errors import InvalidData, NotFound
from engine.models import Agency, ReceptionPoint, User
from engine.models.agency import COMMUNE_TYPES, KINDS, TIERS
from web.admin import common
from web.auth import requires
from web.pages import check_csrf, render
from web.permissions import ADMINISTER

AGENCY_FIELDS = ("code", "name", "tier", "kind", "commune_type", "parent_code")
POINT_FIELDS = ("code", "name", "agency_code", "address")
SAVED = "/quan-tri/co-quan?msg=saved"


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


async def _save(request: Request, fields: tuple[str, ...], save: Callable[..., Awaitable[object]],
                code: str | None = None) -> tuple[dict[str, Any], dict[str, str] | None]:
    """The posted form's `fields` (trimmed; an edit keeps its `code`) saved with `save`: what was typed
    and the problems by field, None once saved."""
    form = await check_csrf(request)
    values = {k: str(form.get(k, "")).strip() for k in fields}
    if code is not None:
        values["code"] = code
    try:
        await save(values, code=code)
    except InvalidData as exc:
        return values, common.problems(exc)
    return values, None


async def _create(request: Request, fields: tuple[str, ...], save: Callable[..., Awaitable[object]],
                  form: str) -> Response:
    """A create form on the list page (`form`: "agency" or "point"); an invalid one re-renders the list."""
    values, errors = await _save(request, fields, save)
    if errors is not None:
        return await _list(request, 422, **{form: values, f"{form}_errors": errors})
    return RedirectResponse(SAVED, status_code=303)


async def _edit(request: Request, fields: tuple[str, ...], save: Callable[..., Awaitable[object]],
                record: Agency | ReceptionPoint, template: str, **context: Any) -> Response:
    """An edit page: GET shows the record, POST saves it; an invalid post re-renders with what was typed."""
    values: dict[str, Any] = {k: getattr(record, k) for k in fields}
    errors: dict[str, str] | None = None
    if request.method == "POST":
        values, errors = await _save(request, fields, save, code=record.code)
        if errors is None:
            return RedirectResponse(SAVED, status_code=303)
    return render(request, template, status=422 if errors else 200, values=values, errors=errors or {}, **context)


async def _set_active(request: Request, set_active: Callable[[str, bool], Awaitable[object]]) -> Response:
    form = await check_csrf(request)
    await set_active(request.path_params["code"], form.get("active") == "1")
    return RedirectResponse(SAVED, status_code=303)


@requires(ADMINISTER)
async def create_agency(request: Request, user: User) -> Response:
    return await _create(request, AGENCY_FIELDS, agencies.save_agency, "agency")


@requires(ADMINISTER)
async def edit_agency(request: Request, user: User) -> Response:
    agency = await agencies.get(request.path_params["code"])
    found = await agencies.tree()
    parents = [a for a in found.agencies if a.tier == "province" and a.code != agency.code]
    return await _edit(request, AGENCY_FIELDS, agencies.save_agency, agency, "admin/agency_edit.html",
                       agency=agency, parents=parents, **_labels())


@requires(ADMINISTER)
async def agency_active(request: Request, user: User) -> Response:
    return await _set_active(request, agencies.set_agency_active)


@requires(ADMINISTER)
async def create_point(request: Request, user: User) -> Response:
    return await _create(request, POINT_FIELDS, agencies.save_point, "point")


@requires(ADMINISTER)
async def edit_point(request: Request, user: User) -> Response:
    point = await ReceptionPoint.get_or_none(code=request.path_params["code"])
    if point is None:
        raise NotFound("No such reception point")
    found = await agencies.tree(active_only=True)
    return await _edit(request, POINT_FIELDS, agencies.save_point, point, "admin/point_edit.html", point=point,
                       agencies=found.agencies)


@requires(ADMINISTER)
async def point_active(request: Request, user: User) -> Response:
    return await _set_active(request, agencies.set_point_active)
