"""The one place engine errors become HTTP: JSON `{"error": {"code", "message", "details"}}`, never a trace."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from engine.channels import ChannelRefused
from engine.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidData,
    ModelInvalid,
    MotcuaError,
    NotFound,
    PermissionDenied,
    WorkflowFailed,
)

log = logging.getLogger("motcua.web")

STATUS = {
    ChannelRefused: 422,
    NotFound: 404,
    PermissionDenied: 403,
    AuthenticationFailed: 401,
    Conflict: 409,
    InvalidData: 422,
    ModelInvalid: 422,
    WorkflowFailed: 422,
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}}, status_code=status)


async def motcua_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MotcuaError)
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    details: Any = dict(exc.params)
    if isinstance(exc, ModelInvalid):
        details = {"problems": [p.as_dict() for p in exc.problems]}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    response = error_response(status, exc.code, exc.message, details)
    if headers:
        response.headers.update(headers)
    return response


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(500, "internal", "Internal error; it has been logged")


HANDLERS = {MotcuaError: motcua_error, HTTPException: http_error, Exception: unexpected_error}
