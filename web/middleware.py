"""Pure-ASGI middleware: security headers on every answer, and a cap on request bodies.

SecurityHeaders: a strict Content-Security-Policy (scripts only from this origin: no inline script,
no eval), `frame-ancestors 'self'`, `nosniff`, `Referrer-Policy`, `Cache-Control: no-store` on
everything but static assets (pages and API answers carry personal data), HSTS when the site is
served over HTTPS. A header a route set itself (a sandboxed download's own CSP) is kept.

RequestLimits: an address (path or query) with control characters is answered 400; a body larger
than the limit is answered 413 before it is read: at once from `Content-Length`, or as soon as a
chunked body passes the limit.

PinnedReads: a request (not static files) runs its statements on one pooled PostgreSQL connection
(engine/pinned.py: one pool acquire and one reset per request instead of one per statement), given
back when the response starts and whenever the app waits for the request's body. Since 04/12/2026
commands too (POST complete: 6 round trips → 4; a dossier through the API: 42 → 32).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request

from engine import pinned
from engine.db import DATABASE_ERRORS
from web.inputs import has_control

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'self'")


def _has(headers: list[tuple[bytes, bytes]], name: bytes) -> bool:
    return any(k.lower() == name for k, _ in headers)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https_only: bool = False) -> None:
        self.app = app
        self.https_only = https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                wanted = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                          (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"SAMEORIGIN")]
                if not static:
                    wanted.append((b"cache-control", b"no-store"))
                if self.https_only:
                    wanted.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                headers += [(k, v) for k, v in wanted if not _has(headers, k)]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Started:
    """Wraps `send` and remembers whether the response has begun (an error after that can only be raised)."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self.send(message)


class BodyTooLarge(Exception):
    pass


class RequestLimits:
    def __init__(self, app: ASGIApp, *, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def _refuse(self, scope: Scope, send: Send, status: int = 413) -> None:
        api = scope.get("path", "").startswith("/api/")
        mb = max(1, self.max_body // 1_000_000)
        code, message, title, text = (
            ("payload_too_large", f"The request body is larger than {mb} MB", "Dữ liệu gửi lên quá lớn",
             f"Tối đa {mb} MB. Hãy quay lại và chọn tệp nhỏ hơn.") if status == 413 else
            ("control_characters", "The address contains control characters", "Địa chỉ không hợp lệ",
             "Địa chỉ trang chứa ký tự không được phép. Hãy kiểm tra lại đường dẫn."))
        if api:
            body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
            kind = b"application/json"
        else:
            body = (f"<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{title}</title>"
                    f"<h1>{title}</h1><p>{text}</p></html>").encode()
            kind = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = unquote(scope.get("query_string", b"").decode("latin-1"))
        if has_control(scope.get("path", ""), strict=True) or has_control(query, strict=True):
            await self._refuse(scope, send, 400)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > self.max_body:
                    await self._refuse(scope, send)
                    return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        tracked = _Started(send)
        try:
            await self.app(scope, counting_receive, tracked)
        except BodyTooLarge:
            if not tracked.started:
                await self._refuse(scope, send)


class DatabaseGuard:
    """Errors of the database layer raised anywhere inside (sign-in included, which runs before the
    routes' own error handling) become an answer: 503 + Retry-After during an outage, 422 for a
    value the database refused, else the 500 page; never a dropped connection or a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tracked = _Started(send)
        try:
            await self.app(scope, receive, tracked)
        except DATABASE_ERRORS as exc:
            if tracked.started:
                raise
            from web.errors import unexpected_error

            response = await unexpected_error(Request(scope), exc)
            await response(scope, receive, send)


class PinnedReads:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        async with pinned.pinned() as client:
            if client is None:
                await self.app(scope, receive, send)
                return

            async def send_released(message: Message) -> None:
                if message["type"] == "http.response.start":
                    await client.release()  # a streamed body holds no connection (it takes one if it reads)
                await send(message)

            async def receive_released() -> Message:
                # no connection is held while the client sends its body (a slow upload on a phone
                # would keep one of the pool's few for minutes): the next statement takes one again
                await client.release()
                return await receive()

            await self.app(scope, receive_released, send_released)
