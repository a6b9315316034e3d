"""Who is calling: bearer tokens for the API, the session cookie for pages."""

from __future__ import annotations

from starlette.requests import Request

from engine import accounts
from engine.errors import AuthenticationFailed, PermissionDenied
from engine.models import User


async def api_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationFailed("A bearer token is required")
    return await accounts.user_for_token(token.strip(), request.app.state.clock())


async def optional_api_user(request: Request) -> User | None:
    if not request.headers.get("authorization"):
        return None
    return await api_user(request)


def require_kind(user: User, *kinds: str) -> None:
    if user.kind not in kinds:
        raise PermissionDenied("Your account may not do this", required=list(kinds))
