"""The one place errors become HTTP. Under /api (and on the JSON endpoints `requires(json=True)`
marks) the answer is JSON `{"error": {"code", "message", "details"}}`; every other path gets the
error page (error.html) in the user's language. Never a traceback.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from engine.channels import ChannelRefused
from engine.db import DATABASE_ERRORS, is_bad_value, is_outage
from engine.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidData,
    ModelInvalid,
    MotcuaError,
    NotFound,
    PermissionDenied,
    StorageFull,
    TooManyAttempts,
    WorkflowFailed,
)
from web.auth import wants_json
from web.i18n import gettext_for
from web.pages import language, render

log = logging.getLogger("motcua.web")

STATUS = {
    ChannelRefused: 422,
    NotFound: 404,
    PermissionDenied: 403,
    AuthenticationFailed: 401,
    Conflict: 409,
    InvalidData: 422,
    TooManyAttempts: 429,
    ModelInvalid: 422,
    WorkflowFailed: 422,
    StorageFull: 507,  # disk full: not the caller's fault, and not an outage to retry in 5 s
}
CSRF = "csrf"  # PermissionDenied(code="csrf"): a form or page older than the session's token


def N_(text: str) -> str:
    return text


#: what the error page says, per kind: (title, message); the kind is the status, or "csrf"
PAGE_TEXTS: dict[int | str, tuple[str, str]] = {
    CSRF: (N_("Phiên làm việc đã hết hạn"),
           N_("Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại")),
    400: (N_("Yêu cầu không hợp lệ"), N_("Yêu cầu không hợp lệ. Vui lòng quay lại và thử lại.")),
    401: (N_("Cần đăng nhập"), N_("Vui lòng đăng nhập để tiếp tục.")),
    403: (N_("Không có quyền truy cập"), N_("Tài khoản của ông/bà không được phép dùng trang này.")),
    404: (N_("Không tìm thấy"), N_("Không tìm thấy trang hoặc hồ sơ ông/bà cần. Vui lòng kiểm tra lại địa chỉ.")),
    405: (N_("Yêu cầu không hợp lệ"), N_("Trang này không nhận yêu cầu theo cách đó.")),
    409: (N_("Dữ liệu vừa thay đổi"),
          N_("Hồ sơ vừa được người khác thay đổi. Vui lòng tải lại trang để xem bản mới nhất rồi thử lại.")),
    413: (N_("Tệp quá lớn"), N_("Dữ liệu hoặc tệp gửi lên quá lớn.")),
    422: (N_("Dữ liệu không hợp lệ"), N_("Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra lại và thử lại.")),
    507: (N_("Hệ thống hết chỗ lưu tệp"),
          N_("Hệ thống tạm thời hết chỗ lưu tệp nên chưa nhận được tệp của ông/bà; chưa có gì được lưu. "
             "Vui lòng thử lại sau.")),
    "pdf": (N_("Chưa tạo được bản PDF"),
            N_("Máy chủ chưa tạo được tệp PDF (thiếu thư viện WeasyPrint / Pango). Ông/bà vẫn có thể mở bản in "
               "của giấy tờ này rồi in hoặc lưu thành PDF từ trình duyệt.")),
    503: (N_("Hệ thống tạm thời gián đoạn"),
          N_("Hệ thống đang tạm thời gián đoạn, dữ liệu của ông/bà không bị mất. Vui lòng thử lại sau ít phút.")),
    429: (N_("Quá nhiều lần thử"), N_("Ông/bà đã thử quá nhiều lần. Vui lòng chờ ít phút rồi thử lại.")),
    500: (N_("Hệ thống gặp lỗi"), N_("Hệ thống gặp lỗi ngoài dự kiến và đã ghi lại. Vui lòng thử lại sau.")),
}


def error_response(status: int, code: str, message: str, details: Any = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details or {}}}, status_code=status)


def error_page(request: Request, status: int, kind: int | str | None = None) -> HTMLResponse:
    """The error page in the user's language, inside the site's layout (a bare one if that fails)."""
    title, message = PAGE_TEXTS.get(kind or status) or PAGE_TEXTS[500 if status >= 500 else 400]
    try:
        tr = gettext_for(language(request))
        return render(request, "error.html", status=status, title=tr.gettext(title), message=tr.gettext(message),
                      status_code=status, sign_in=status == 401)
    except Exception:  # the layout itself failed: still a page, and no traceback
        log.exception("rendering the error page failed")
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1>", status_code=status)


async def motcua_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MotcuaError)
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    if not wants_json(request):
        if isinstance(exc, PermissionDenied) and exc.params.get("code") == CSRF:
            return error_page(request, 400, CSRF)
        return error_page(request, status)
    details: Any = dict(exc.params)
    if isinstance(exc, ModelInvalid):
        details = {"problems": [p.as_dict() for p in exc.problems]}
    response = error_response(status, exc.code, exc.message, details)
    if status == 429:
        response.headers["Retry-After"] = str(exc.params.get("retry_after", 60))
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not wants_json(request):
        response: Response = error_page(request, exc.status_code)
    else:
        code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


RETRY_AFTER = "5"
_outage_logged_at: list[float] = []  # monotonic time of the last outage log line: once per outage


def _database_unavailable(request: Request, exc: Exception) -> Response:
    now = time.monotonic()
    if not _outage_logged_at or now - _outage_logged_at[-1] > 60:
        log.error("database unavailable (%s); answering 503 until it is back", type(exc).__name__)
        _outage_logged_at[:] = [now]
    response: Response = (error_page(request, 503) if not wants_json(request) else
                          error_response(503, "unavailable", "The service is temporarily unavailable; retry shortly"))
    response.headers["Retry-After"] = RETRY_AFTER
    return response


async def database_error(request: Request, exc: Exception) -> Response:
    """Errors of the database layer (handled inside the app, not re-raised like a 500's)."""
    return await unexpected_error(request, exc)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    if is_outage(exc):
        return _database_unavailable(request, exc)
    if is_bad_value(exc):  # too long for its column, or a character the database cannot store
        log.warning("value refused by the database on %s %s (%s)", request.method, request.url.path,
                    type(exc).__name__)
        if not wants_json(request):
            return error_page(request, 422)
        return error_response(422, "invalid_value", "A value is too long or contains characters that cannot be stored")
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if not wants_json(request):
        return error_page(request, 500)
    return error_response(500, "internal", "Internal error; it has been logged")


HANDLERS = {MotcuaError: motcua_error, HTTPException: http_error, **{kind: database_error for kind in DATABASE_ERRORS},
            OverflowError: database_error,  # an integer the database cannot hold (SQLite: beyond 64 bits)
            Exception: unexpected_error}
