"""GET /api/v1/calendar/due (why a due date is what it is) and the provincial overrides (admin)."""

from __future__ import annotations

from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine import calendar_admin
from engine.errors import InvalidData
from engine.models import CalendarOverride, User
from web.api.common import json_body
from web.auth import requires
from web.permissions import ADMINISTER


def _override_json(row: CalendarOverride) -> dict[str, object]:
    return {"id": row.id, "on": row.on.isoformat(), "kind": row.kind, "note": row.note, "created_by": row.created_by}


async def due(request: Request) -> JSONResponse:
    code = request.query_params.get("procedure", "")
    raw = request.query_params.get("accepted_at")
    try:
        accepted_at = datetime.fromisoformat(raw) if raw else request.app.state.clock()
    except ValueError:
        raise InvalidData("accepted_at is not an ISO date-time", fields={"accepted_at": ["ISO 8601"]}) from None
    return JSONResponse(await calendar_admin.explain_due(request.app.state.runtime, code, accepted_at))


@requires(ADMINISTER)
async def list_overrides(request: Request, user: User) -> JSONResponse:
    return JSONResponse({"items": [_override_json(r) for r in await calendar_admin.list_overrides()]})


@requires(ADMINISTER)
async def add_override(request: Request, user: User) -> JSONResponse:
    body = await json_body(request)
    row = await calendar_admin.add_override(request.app.state.runtime, body.get("on"), body.get("kind"),
                                            body.get("note", ""), user.username)
    return JSONResponse(_override_json(row), status_code=201)


@requires(ADMINISTER)
async def delete_override(request: Request, user: User) -> Response:
    await calendar_admin.delete_override(request.app.state.runtime, request.path_params["id"])
    return Response(status_code=204)


def routes() -> list[Route]:
    return [
        Route("/calendar/due", due),
        Route("/calendar/overrides", list_overrides),
        Route("/calendar/overrides", add_override, methods=["POST"]),
        Route("/calendar/overrides/{id:int}", delete_override, methods=["DELETE"]),
    ]
