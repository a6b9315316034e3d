"""What every staff page needs: a signed-in staff user, else the login page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine.models import User
from web.pages import page_user


async def staff_user(request: Request) -> User | Response:
    return await page_user(request, ("staff", "manager", "admin"), "Only staff work on dossiers")
