"""Who is calling, resolved once per request by Starlette's AuthenticationMiddleware: the bearer
token under /api, the session cookie everywhere else; `requires(permission)` guards a route.

A refused token is not an error here (the middleware runs outside the error handlers): the caller
is anonymous with the refusal kept, and a route that needs a user raises it (JSON 401).
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.authentication import AuthCredentials, AuthenticationBackend, BaseUser
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response

from engine import accounts
from engine.errors import AuthenticationFailed, PermissionDenied
from engine.models import User
from web.permissions import Permission

API_PREFIX = "/api/"
JSON_ROUTE = "motcua.json_route"  # scope key: this route answers JSON, errors included

Handler = Callable[[Request, User], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Caller(BaseUser):
    """request.user: the engine's account, or nobody (with the reason a sent token was refused)."""

    account: User | None = None
    refusal: AuthenticationFailed | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.account is not None

    @property
    def display_name(self) -> str:
        return self.account.username if self.account is not None else ""


class SessionOrToken(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        path = conn.scope.get("path", "")
        if path.startswith("/static/"):
            return None
        if path.startswith(API_PREFIX):
            return await _bearer(conn)
        user_id = conn.session.get("user_id") if "session" in conn.scope else None
        user = await accounts.active_user(user_id, conn.app.state.clock()) if isinstance(user_id, int) else None
        return (AuthCredentials(["authenticated", user.kind]), Caller(user)) if user is not None else None


async def _bearer(conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
    header = conn.headers.get("authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return AuthCredentials(), Caller(refusal=AuthenticationFailed("A bearer token is required"))
    try:
        user = await accounts.user_for_token(token.strip(), conn.app.state.clock())
    except AuthenticationFailed as exc:
        return AuthCredentials(), Caller(refusal=exc)
    return AuthCredentials(["authenticated", user.kind]), Caller(user)


def caller(request: HTTPConnection) -> Caller:
    found = request.scope.get("user")
    return found if isinstance(found, Caller) else Caller()


def current_user(request: HTTPConnection) -> User | None:
    """The signed-in user, or None (a page open to everybody)."""
    return caller(request).account


def optional_api_user(request: HTTPConnection) -> User | None:
    """The API caller if any; a token that was sent but refused still answers 401."""
    found = caller(request)
    if found.refusal is not None:
        raise found.refusal
    return found.account


def is_api(request: HTTPConnection) -> bool:
    return str(request.scope.get("path", "")).startswith(API_PREFIX)


def wants_json(request: HTTPConnection) -> bool:
    """The API and the JSON endpoints (marked by `requires(json=True)`) answer JSON, errors included."""
    return is_api(request) or bool(request.scope.get(JSON_ROUTE))


def requires(permission: Permission, *, json: bool = False, csrf_header: bool = False) -> Callable[[Handler], Endpoint]:
    """Decorate `handler(request, user)` into a route endpoint that admits only `permission`'s users.

    Nobody signed in: the API and JSON endpoints answer 401; pages redirect to the login page
    with `next=`. Signed in with the wrong kind: 403 (JSON or HTML, web/errors.py). `csrf_header`:
    a POST must echo the session's CSRF token in X-CSRF-Token (the designer's JSON calls).
    """

    def decorate(handler: Handler) -> Endpoint:
        @functools.wraps(handler)
        async def endpoint(request: Request) -> Response:
            if json:
                request.scope[JSON_ROUTE] = True
            found = caller(request)
            if found.account is None:
                if found.refusal is not None:
                    raise found.refusal
                if is_api(request):
                    raise AuthenticationFailed("A bearer token is required")
                if json:
                    raise AuthenticationFailed("Sign in first")
                return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
            if not permission.allows(found.account):
                raise permission.refused()
            if csrf_header and request.method == "POST":
                check_csrf_header(request)
            return await handler(request, found.account)

        return endpoint

    return decorate


def check_csrf_header(request: Request) -> None:
    sent, expected = request.headers.get("x-csrf-token", ""), str(request.session.get("csrf", ""))
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise PermissionDenied("The page has expired; reload it", code="csrf")
