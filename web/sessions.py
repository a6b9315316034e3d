"""ServerSessions: a pure-ASGI middleware giving `request.session` (a plain dict, as Starlette's
SessionMiddleware did) backed by the `session` table (engine/sessions.py).

Per request: the cookie's token is looked up (no cookie: no query; /static/: nothing at all); an
unknown, revoked, idle or expired session is an empty one. When the response starts, the session is
written back only if its data changed, and `last_seen_at` is touched at most once a minute.

The signed-in account (`session["user_id"]`) is kept in the row's `user_id` column. Whenever it
changes (sign-in, sign-out, another account), and whenever a handler sets the scope flag ROTATE
(web/pages.sign_in does: signing in again as the same account), the session is **rotated**: the old row is revoked and
a new one with a new token carries the remaining data (the sign-in helper keeps only the language),
so a cookie planted before sign-in never authenticates and a copied cookie is dead after sign-out.

Cookie: HttpOnly, SameSite=Lax, Path=/, Max-Age = the absolute timeout; named `motcua_session` on
plain http, and `__Host-motcua_session` with Secure when MOTCUA_HTTPS_ONLY=1.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from engine import sessions
from engine.sessions import Loaded, Timeouts

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "motcua_session"
SECURE_COOKIE = "__Host-motcua_session"
PURGE_EVERY = timedelta(minutes=10)
USER_KEY = "user_id"
ROTATE = "motcua.session.rotate"  # scope flag: a new id even for the same account (sign-in again)
DEFAULT_TIMEOUTS = Timeouts()


def cookie_name(https_only: bool) -> str:
    return SECURE_COOKIE if https_only else COOKIE


def _snapshot(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def _cookie_of(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is no session
                continue
            if name in jar:
                return jar[name].value
    return ""


class ServerSessions:
    def __init__(self, app: ASGIApp, *, clock: Callable[[], datetime], https_only: bool = False,
                 timeouts: Timeouts = DEFAULT_TIMEOUTS) -> None:
        self.app = app
        self.clock = clock
        self.https_only = https_only
        self.timeouts = timeouts
        self.name = cookie_name(https_only)
        self.purged_at: datetime | None = None

    def _set_cookie(self, value: str, max_age: int) -> bytes:
        parts = [f"{self.name}={value}", "HttpOnly", f"Max-Age={max_age}", "Path=/", "SameSite=Lax"]
        if self.https_only:
            parts.append("Secure")
        return "; ".join(parts).encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith("/static/"):
            scope["session"] = {}
            await self.app(scope, receive, send)
            return
        now = self.clock()
        token = _cookie_of(scope, self.name)
        loaded = await sessions.load(token, now, self.timeouts) if token else None
        session: dict[str, Any] = dict(loaded.data) if loaded else {}
        if loaded is not None and loaded.user_id is not None:
            session[USER_KEY] = loaded.user_id
        before = _snapshot(session)
        scope["session"] = session

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await self._write_back(scope.get("session", {}), before, loaded, bool(token),
                                                rotate=bool(scope.get(ROTATE)))
                if cookie is not None:
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"set-cookie", cookie)]
            await send(message)

        await self.app(scope, receive, send_with_session)

    async def _write_back(self, session: dict[str, Any], before: str, loaded: Loaded | None,
                          cookie_sent: bool, *, rotate: bool = False) -> bytes | None:
        """Persist the session; the Set-Cookie value to send, if any."""
        now = self.clock()
        user_id = session.get(USER_KEY)
        user_id = user_id if isinstance(user_id, int) else None
        data = {k: v for k, v in session.items() if k != USER_KEY}
        if loaded is not None and user_id == loaded.user_id and session and not rotate:
            if _snapshot(session) != before:
                await sessions.save(loaded.key, data, now)
            elif loaded.last_seen_at is None or now - loaded.last_seen_at >= sessions.TOUCH_EVERY:
                await sessions.touch(loaded.key, now)
            return None
        if loaded is None and not session:
            return self._set_cookie("", 0) if cookie_sent else None  # a dead cookie is dropped
        if loaded is not None:
            await sessions.revoke(loaded.key, now)  # rotation, sign-out, or a session emptied
        if not session:
            return self._set_cookie("", 0)
        await self._purge(now)
        token = await sessions.create(user_id, data, now, self.timeouts)
        return self._set_cookie(token, int(self.timeouts.absolute.total_seconds()))

    async def _purge(self, now: datetime) -> None:
        """Delete dead rows at most every PURGE_EVERY per process, when a new one is about to be made."""
        if self.purged_at is None or now - self.purged_at >= PURGE_EVERY or now < self.purged_at:
            self.purged_at = now
            await sessions.purge(now, self.timeouts)
