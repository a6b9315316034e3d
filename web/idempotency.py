"""`Idempotency-Key` on every state-changing API call (POST/PUT/PATCH/DELETE under /api/): the
first answer (2xx or 4xx) is replayed to a retry after a lost response, with `Idempotent-Replayed:
true`; a 5xx frees the key. Submitting a dossier keeps its own key inside the dossier's transaction
(it answers the replay itself), so that route is left to it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import idempotency
from engine.errors import MotcuaError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OWN_KEY = frozenset({"/api/v1/dossiers", "/api/v1/auth/token"})


class IdempotentCalls:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope["method"] not in MUTATING or not path.startswith("/api/")
                or path in OWN_KEY):
            await self.app(scope, receive, send)
            return
        raw_key = next((v for k, v in scope.get("headers", ()) if k == b"idempotency-key"), None)
        user = scope.get("user")  # set by the authentication middleware (web.auth.Caller)
        user_id = getattr(getattr(user, "account", None), "id", None)
        if raw_key is None or user_id is None:  # anonymous calls are refused by the route anyway
            await self.app(scope, receive, send)  # no key: nothing to read here (no Request built)
            return
        request = Request(scope, receive)
        key = raw_key.decode("latin-1")
        body = await request.body()
        now = request.app.state.clock()
        try:
            first = await idempotency.reserve(user_id, key, scope["method"], path,
                                              idempotency.fingerprint(scope["method"], path, body), now)
        except MotcuaError as exc:
            from web.errors import motcua_error

            await (await motcua_error(request, exc))(scope, receive, send)
            return
        if first is not None:
            replay = Response(first.body, status_code=first.status, media_type=first.content_type or None,
                              headers={"Idempotent-Replayed": "true"})
            await replay(scope, receive, send)
            return
        sent = False

        async def replay_body() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        # The answer is stored before it leaves: a process killed after the client got its answer must not
        # leave the key reserved (the retry would then run the call again and hear 409 for its own success).
        start: Message | None = None
        chunks: list[bytes] = []
        settled = False

        async def capture(message: Message) -> None:
            nonlocal start, settled
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            status = int(start["status"])
            if status >= 500:
                await idempotency.release(user_id, key)
            else:
                content_type = next((v.decode("latin-1") for k, v in start.get("headers", [])
                                     if k.lower() == b"content-type"), "")
                await idempotency.store(user_id, key, status, content_type, b"".join(chunks).decode("utf-8", "replace"))
            settled = True
            await send(start)
            await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": False})

        try:
            await self.app(scope, replay_body, capture)
        finally:
            if not settled:  # the call failed before answering (the error page is a 5xx): free the key
                await idempotency.release(user_id, key)
