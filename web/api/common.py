"""Request parsing shared by the API endpoints."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from engine.errors import InvalidData
from web.inputs import parse_json


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > request.app.state.settings.max_bpmn_bytes:
        raise InvalidData("Request body too large", fields={"body": ["too large"]})
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InvalidData("The body must be a JSON object", fields={"body": ["must be an object"]})
    return body


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
