"""What every staff page needs: a signed-in staff user, else the login page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine.models import User
from web.pages import session_user


async def staff_user(request: Request) -> User | Response:
    user = await session_user(request)
    if user is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if user.kind not in ("staff", "manager", "admin"):
        return RedirectResponse("/", status_code=303)
    return user
