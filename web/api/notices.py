"""GET /api/v1/notices (my staff notices, newest first; ?unread=1, ?before=<id>, ?limit=),
POST /api/v1/notices/{id}/read and POST /api/v1/notices/read-all: staff and managers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine import staff_notices
from engine.errors import InvalidData
from engine.models import User
from web.api.common import iso
from web.auth import requires
from web.pages import language
from web.permissions import TASK_INBOX
from web.staff.notice_text import link, phrase_for, role_names


def _int(value: str | None, name: str, default: int | None, most: int = 10**12) -> int | None:
    if value in (None, ""):
        return default
    if not value.isdigit() or not 0 < int(value) <= most:
        raise InvalidData("Not a valid number", fields={name: [f"an integer from 1 to {most}"]})
    return int(value)


@requires(TASK_INBOX)
async def listing(request: Request, user: User) -> JSONResponse:
    q = request.query_params
    now = request.app.state.clock()
    limit = _int(q.get("limit"), "limit", 50, 200) or 50
    notices = await staff_notices.listing(user, now, unread_only=q.get("unread") == "1",
                                          before=_int(q.get("before"), "before", None), limit=limit)
    phrase = phrase_for(language(request), await role_names())
    return JSONResponse({
        "unread": await staff_notices.unread_count(user, now),
        "items": [{"id": n.id, "kind": n.kind, "text_key": n.text_key, "params": n.params, "text": phrase(
            n.text_key, n.params), "dossier_code": n.dossier_code, "task_id": n.task_id, "for_role": n.for_role,
            "at": iso(n.at), "read": n.read, "href": link(n)} for n in notices]})


@requires(TASK_INBOX)
async def read(request: Request, user: User) -> JSONResponse:
    await staff_notices.mark_read(user, request.path_params["notice_id"], request.app.state.clock())
    return JSONResponse({"read": True})


@requires(TASK_INBOX)
async def read_all(request: Request, user: User) -> JSONResponse:
    return JSONResponse({"marked": await staff_notices.mark_all_read(user, request.app.state.clock())})


def routes() -> list[Route]:
    return [Route("/notices", listing), Route("/notices/read-all", read_all, methods=["POST"]),
            Route("/notices/{notice_id:int}/read", read, methods=["POST"])]
