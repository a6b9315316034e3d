"""GET /api/v1/outbox (deliveries per subscriber, failed and dead ones, timer health) and
POST /api/v1/outbox/retry {ids}: administrators only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from engine import outbox, timers
from engine.errors import InvalidData
from engine.models import User
from web.api.common import iso, json_body
from web.auth import requires
from web.permissions import ADMINISTER


def delivery_json(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "subscriber": row["subscriber"], "key": row["key"], "kind": row["kind"],
            "state": row["state"], "attempts": row["attempts"], "at": iso(row["at"]),
            "next_at": iso(row["next_at"]), "last_error": row["last_error"]}


@requires(ADMINISTER)
async def status(request: Request, user: User) -> JSONResponse:
    q = request.query_params
    state = q.get("state") or None
    if state is not None and state not in outbox.STATES:
        raise InvalidData("Unknown state", fields={"state": [f"one of {', '.join(outbox.STATES)}"]})
    summary = [{**s, "oldest_waiting_at": iso(s["oldest_waiting_at"])} for s in await outbox.summary()]
    rows = await outbox.listing(state=state, subscriber=q.get("subscriber") or None,
                                failed_only=q.get("failed") == "1", limit=100)
    health = await timers.health(request.app.state.clock())
    return JSONResponse({"subscribers": summary, "items": [delivery_json(r) for r in rows],
                         "timers": {**health, "next_due_at": iso(health["next_due_at"])}})


@requires(ADMINISTER)
async def retry(request: Request, user: User) -> JSONResponse:
    body = await json_body(request)
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids) \
            or len(ids) > 1000:
        raise InvalidData("ids must be a list of delivery ids", fields={"ids": ["1 to 1000 integers"]})
    return JSONResponse({"retried": await outbox.retry(ids, request.app.state.clock())})


def routes() -> list[Route]:
    return [Route("/outbox", status), Route("/outbox/retry", retry, methods=["POST"])]
