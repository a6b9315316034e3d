"""Channel policies over HTTP: admin CRUD, and the public "which channels are accepted that day" view.

`routes()` are relative to /api/v1; `OPENAPI_PATHS` are their entries for web/api/openapi.py.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import channels, procedures
from engine.errors import InvalidData
from engine.models import User
from engine.models.channel_policy import EXCEPTIONS
from engine.models.dossier import CHANNELS
from web.api.common import json_body
from web.auth import requires
from web.permissions import ADMINISTER


def _id(request: Request) -> int:
    return int(request.path_params["id"])


@requires(ADMINISTER)
async def list_policies(request: Request, user: User) -> JSONResponse:
    """Admins only (README); the public answer per procedure is GET /procedures/{code}/channel-policy."""
    items = await channels.list_policies(active_only=False)
    return JSONResponse({"items": [channels.policy_dict(p) for p in items]})


@requires(ADMINISTER)
async def create_policy(request: Request, user: User) -> JSONResponse:
    body = await json_body(request)
    body.pop("created_by", None)  # read-only: the caller
    policy = await channels.create_policy(created_by=user.username, **body)
    return JSONResponse(channels.policy_dict(policy), status_code=201)


@requires(ADMINISTER)
async def get_policy(request: Request, user: User) -> JSONResponse:
    return JSONResponse(channels.policy_dict(await channels.get_policy(_id(request))))


@requires(ADMINISTER)
async def update_policy(request: Request, user: User) -> JSONResponse:
    body = await json_body(request)
    policy = await channels.update_policy(_id(request), **body)
    return JSONResponse(channels.policy_dict(policy))


@requires(ADMINISTER)
async def delete_policy(request: Request, user: User) -> Response:
    await channels.delete_policy(_id(request))
    return Response(status_code=204)


async def procedure_policy(request: Request) -> JSONResponse:
    """Public: the channels accepted for a procedure on a (local) date at a reception point, and why."""
    code = request.path_params["code"]
    raw = request.query_params.get("date")
    if raw:
        try:
            on = date.fromisoformat(raw) if len(raw) == 10 else None
        except ValueError:
            on = None
        if on is None:
            raise InvalidData("Invalid date", fields={"date": ["a date YYYY-MM-DD"]})
    else:
        on = channels.local_date(request.app.state.clock())
    point = request.query_params.get("reception_point") or None
    await procedures.get(code)  # 404 for an unknown procedure
    policies = await channels.policies_for(code, on, point)
    return JSONResponse(channels.summary(policies, code, on, point))


def routes() -> list[Route]:
    """The routes, relative to /api/v1."""
    return [
        Route("/channel-policies", list_policies),
        Route("/channel-policies", create_policy, methods=["POST"]),
        Route("/channel-policies/{id:int}", get_policy),
        Route("/channel-policies/{id:int}", update_policy, methods=["PUT"]),
        Route("/channel-policies/{id:int}", delete_policy, methods=["DELETE"]),
        Route("/procedures/{code}/channel-policy", procedure_policy),
    ]


# ------------------------------------------------------------------ OpenAPI (merged into web/api/openapi.py)
_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_NAME = {"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f]*$"}  # no control characters (web/inputs.py)
_TEXT = {"type": "string", "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"}
_POLICY: dict[str, Any] = {"type": "object", "additionalProperties": False, "propertyNames": _NAME, "properties": {
    "name": {**_TEXT, "minLength": 1, "maxLength": 300,
             "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\s\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*$"},
    "procedure_codes": {"type": "array", "items": {**_NAME, "minLength": 1, "maxLength": 32}},
    "reception_points": {"type": "array", "items": {**_NAME, "minLength": 1, "maxLength": 100}},
    "start_on": {"type": "string", "format": "date"},
    "end_on": {"type": ["string", "null"], "format": "date"},
    "weekdays": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6}},
    "channels_allowed": {"type": "array", "minItems": 1, "items": {"enum": list(CHANNELS)}},
    "exceptions_allowed": {"type": "array", "items": {"enum": list(EXCEPTIONS)}},
    "message": {"type": "object", "additionalProperties": False,
                "properties": {"vi": {**_TEXT, "maxLength": 1000}, "en": {**_TEXT, "maxLength": 1000}}},
    "active": {"type": "boolean"}}}
_NEW_POLICY = {**_POLICY, "required": ["name", "start_on", "channels_allowed"]}


def _op(summary: str, *, ok: int = 200, errors: tuple[int, ...] = (), auth: bool = True,
        body: dict[str, Any] | None = None, params: tuple[tuple[str, str, dict[str, Any]], ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {str(ok): {"description": "OK"}}}
    op["responses"].update({str(s): _ERROR for s in (*errors, *((401,) if auth else ()))})
    if auth:
        op["security"] = [{"bearer": []}]
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = [{"name": n, "in": where, "required": where == "path", "schema": kind}
                            for n, where, kind in params]
    return op


_ID = (("id", "path", {"type": "integer"}),)
OPENAPI_PATHS: dict[str, Any] = {
    "/api/v1/channel-policies": {
        "get": _op("Channel policies (paper-free days): all for admins, the active ones for everybody else",
                   auth=False),
        "post": _op("Create a channel policy (admin); 422 lists every invalid field", ok=201, errors=(403, 422),
                    body=_NEW_POLICY),
    },
    "/api/v1/channel-policies/{id}": {
        "get": _op("One channel policy (admin)", errors=(403, 404), params=_ID),
        "put": _op("Change the given fields of a channel policy (admin); active=false switches it off",
                   errors=(403, 404, 422), body=_POLICY, params=_ID),
        "delete": _op("Delete a channel policy (admin)", ok=204, errors=(403, 404), params=_ID),
    },
    "/api/v1/procedures/{code}/channel-policy": {
        "get": _op("Channels accepted for a procedure on a date (default: today, local) at a reception point, "
                   "the rules that apply and the message", auth=False, errors=(404, 422),
                   params=(("code", "path", {**_NAME, "minLength": 1, "maxLength": 32}),
                           ("date", "query", {"type": "string", "format": "date"}),
                           ("reception_point", "query", {**_NAME, "maxLength": 100}))),
    },
}
