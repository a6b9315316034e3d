"""POST /api/v1/auth/token and GET /api/v1/me."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine import accounts
from engine.errors import InvalidData
from engine.models import User
from web.api.common import iso, json_body
from web.auth import requires
from web.inputs import refuse_control
from web.pages import client_address
from web.permissions import SIGNED_IN


async def token(request: Request) -> JSONResponse:
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()
        refuse_control(form.multi_items())
        body = {k: form.get(k) for k in ("username", "password")}
    else:
        body = await json_body(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise InvalidData("username and password are required",
                          fields={k: ["required"] for k in ("username", "password") if not body.get(k)})
    user = await accounts.authenticate(username, password, address=client_address(request),
                                       now=request.app.state.clock())
    settings = request.app.state.settings
    value, expires_at = await accounts.issue_token(user, request.app.state.clock(), settings.token_ttl_hours)
    return JSONResponse({"access_token": value, "token_type": "bearer", "expires_at": iso(expires_at)})


@requires(SIGNED_IN)
async def me(request: Request, user: User) -> JSONResponse:
    return JSONResponse({"username": user.username, "full_name": user.full_name, "kind": user.kind,
                         "roles": user.roles, "agency": user.agency})
