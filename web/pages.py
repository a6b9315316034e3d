"""Session login for the pages (the API uses bearer tokens): /, /login, /logout, with CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from engine import accounts
from engine.errors import AuthenticationFailed, PermissionDenied
from engine.models import User

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def check_csrf(request: Request) -> dict[str, Any]:
    form = dict(await request.form())
    sent = str(form.get("csrf_token", ""))
    if not sent or not hmac.compare_digest(sent, str(request.session.get("csrf", ""))):
        raise PermissionDenied("The form has expired; reload the page and try again", code="csrf")
    return form


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = request.session.get("lang") or request.app.state.settings.language

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    html = TEMPLATES.get_template(name).render(lang=lang, t=t, csrf_token=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status)


async def session_user(request: Request) -> User | None:
    user_id = request.session.get("user_id")
    return await User.get_or_none(id=user_id, is_active=True) if user_id else None


async def home(request: Request) -> Response:
    return render(request, "home.html", user=await session_user(request))


async def login(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "login.html", error=None, username="")
    form = await check_csrf(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        user = await accounts.authenticate(username, password)
    except AuthenticationFailed:
        lang = request.session.get("lang") or request.app.state.settings.language
        message = "Wrong username or password" if lang == "en" else "Sai tên đăng nhập hoặc mật khẩu"
        return render(request, "login.html", status=401, error=message, username=username)
    request.session.clear()  # new session id content on login: no fixation
    request.session.update({"user_id": user.id, "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    await check_csrf(request)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
