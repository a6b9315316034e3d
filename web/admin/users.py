"""/quan-tri/nguoi-dung: accounts (search, create with a password, edit kind, roles, agency and the
e-mail address staff notice digests go to, shown masked in the list; deactivate: the account's tokens
are deleted and its sessions end). Administrators only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tortoise.expressions import Q

from engine import accounts, agencies, notifications
from engine.errors import InvalidData, NotFound
from engine.models import Role, User
from engine.models.accounts import USER_KINDS
from web.admin import common
from web.auth import requires
from web.pages import check_csrf, checked_form, render
from web.permissions import ADMINISTER

PAGE_SIZE = 100


async def _choices() -> dict[str, Any]:
    roles = await Role.all().order_by("code")
    found = await agencies.tree()
    return {"roles": [(r.code, common.ROLE_LABELS.get(r.code), r) for r in roles],
            "kinds": [(k, common.KIND_LABELS[k]) for k in USER_KINDS],
            "agencies": found.agencies, "agency_names": {a.code: a.name for a in found.agencies},
            "role_labels": common.ROLE_LABELS, "kind_labels": common.KIND_LABELS,
            "role_names": {r.code: r for r in roles}}


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    q = request.query_params.get("q", "").strip()[:100]
    query = User.all()
    if q:
        query = query.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(agency__icontains=q))
    found = await query.order_by("username").limit(PAGE_SIZE)
    return render(request, "admin/users.html", users=found, q=q, message=request.query_params.get("msg"),
                  masked={u.id: notifications.mask(u.email) for u in found if u.email}, **await _choices())


def _posted(form: Any) -> dict[str, Any]:
    return {"username": str(form.get("username", "")).strip(), "full_name": str(form.get("full_name", "")).strip(),
            "kind": str(form.get("kind", "")), "agency": str(form.get("agency", "")),
            "email": str(form.get("email", "")).strip(), "roles": [str(r) for r in form.getlist("roles")]}


@requires(ADMINISTER)
async def create(request: Request, user: User) -> Response:
    values: dict[str, Any] = {"kind": "staff", "roles": []}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await checked_form(request)
        values = _posted(form)
        try:
            made = await accounts.create_user(values["username"], str(form.get("password", "")), values["kind"],
                                              full_name=values["full_name"], roles=values["roles"],
                                              agency=values["agency"], email=values["email"])
        except InvalidData as exc:
            errors = common.problems(exc)
        else:
            return RedirectResponse(f"/quan-tri/nguoi-dung?msg=created&q={made.username}", status_code=303)
    return render(request, "admin/user_form.html", status=422 if errors else 200, account=None, values=values,
                  errors=errors, **await _choices())


@requires(ADMINISTER)
async def edit(request: Request, user: User) -> Response:
    account = await User.get_or_none(id=request.path_params["id"])
    if account is None:
        raise NotFound("No such user")
    values: dict[str, Any] = {"username": account.username, "full_name": account.full_name, "kind": account.kind,
                              "agency": account.agency, "email": account.email, "roles": list(account.roles or [])}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = await checked_form(request)
        values = {**_posted(form), "username": account.username}
        try:
            await accounts.update_user(account.id, full_name=values["full_name"], kind=values["kind"],
                                       roles=values["roles"], agency=values["agency"], email=values["email"])
        except InvalidData as exc:
            errors = common.problems(exc)
        else:
            return RedirectResponse(f"/quan-tri/nguoi-dung?msg=saved&q={account.username}", status_code=303)
    return render(request, "admin/user_form.html", status=422 if errors else 200, account=account, values=values,
                  errors=errors, **await _choices())


@requires(ADMINISTER)
async def deactivate(request: Request, user: User) -> Response:
    await check_csrf(request)
    target = int(request.path_params["id"])
    if target == user.id:
        return RedirectResponse("/quan-tri/nguoi-dung?msg=self", status_code=303)
    await accounts.deactivate_user(target)
    return RedirectResponse("/quan-tri/nguoi-dung?msg=deactivated", status_code=303)
