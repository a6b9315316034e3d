"""Session login for the pages (the API uses bearer tokens): /, /login, /logout, with CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from engine import accounts
from engine.errors import AuthenticationFailed, PermissionDenied, TooManyAttempts
from engine.models import User
from web import permissions
from web.auth import current_user
from web.i18n import LANGUAGES, gettext_for, number_text, pick
from web.inputs import refuse_control
from web.sessions import ROTATE

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"])
TEMPLATES.install_null_translations(newstyle=True)  # type: ignore[attr-defined]  # real ones come per request


@pass_context
def _number(context: Context, value: object) -> str:
    """`{{ f.value|number }}`: a figure in the page's language (decimal comma in Vietnamese)."""
    return number_text(value, str(context.get("lang") or "vi"))


TEMPLATES.filters["number"] = _number


def csrf_token(request: Request) -> str:
    if "session" not in request.scope:  # an error page drawn outside the session middleware
        return ""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def checked_form(request: Request, max_part_size: int = 1024 * 1024) -> FormData:
    """The posted form (files included) once its CSRF token matches the session's."""
    form = await request.form(max_part_size=max_part_size)
    sent = str(form.get("csrf_token", ""))
    if not sent or not hmac.compare_digest(sent, str(request.session.get("csrf", ""))):
        raise PermissionDenied("The form has expired; reload the page and try again", code="csrf")
    refuse_control(form.multi_items())
    return form


async def check_csrf(request: Request) -> dict[str, Any]:
    return dict(await checked_form(request))


def language(request: Request) -> str:
    return pick(request.query_params.get("lang"), request.scope.get("session"), request.app.state.settings.language)


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    tr = gettext_for(lang)
    user = current_user(request)
    context.setdefault("current_user", user)
    context.setdefault("nav", permissions.Nav.of(user))
    context.setdefault("unread_notices", request.scope.get("motcua.unread_notices", 0))  # web/staff/notifications
    html = TEMPLATES.get_template(name).render(lang=lang, _=tr.gettext, gettext=tr.gettext, ngettext=tr.ngettext,
                                               csrf_token=csrf_token(request), request_path=request.url.path,
                                               **context)
    return HTMLResponse(html, status_code=status)


async def set_language(request: Request) -> Response:
    """POST /language: the VI/EN switch (a form: works without JavaScript)."""
    form = await check_csrf(request)
    lang = str(form.get("lang", "vi"))
    request.session["lang"] = lang if lang in LANGUAGES else "vi"
    return RedirectResponse(safe_next(form.get("next"), "/"), status_code=303)


def safe_next(value: object, default: str) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    text = str(value or "")
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else default


def sign_in(request: Request, user: User) -> None:
    """A fresh session for `user` that keeps the language chosen before signing in: the session
    middleware (web/sessions.py) rotates the session id (no fixation), also for a second sign-in."""
    request.scope[ROTATE] = True
    kept = {"lang": request.session["lang"]} if request.session.get("lang") in LANGUAGES else {}
    request.session.clear()
    request.session.update({**kept, "user_id": user.id, "csrf": secrets.token_urlsafe(32)})


def client_address(request: Request) -> str:
    """The caller's address as the server saw it: proxy headers are applied by uvicorn only for the
    proxies in MOTCUA_TRUSTED_PROXIES, so a forged X-Forwarded-For from anyone else changes nothing."""
    return request.client.host if request.client else ""


async def login(request: Request) -> Response:
    can_register = request.app.state.settings.registration != "off"
    if request.method == "GET":
        return render(request, "login.html", error=None, username="", can_register=can_register,
                      next_path=safe_next(request.query_params.get("next"), ""))
    form = await check_csrf(request)
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    try:
        user = await accounts.authenticate(username, password, address=client_address(request),
                                           now=request.app.state.clock())
    except (AuthenticationFailed, TooManyAttempts) as exc:
        tr = gettext_for(language(request))
        throttled = isinstance(exc, TooManyAttempts)
        message = tr.gettext("Ông/bà đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)s phút.") % {
            "minutes": max(1, int(exc.params.get("retry_after", 60)) // 60)} if throttled else tr.gettext(
            "Sai tên đăng nhập hoặc mật khẩu")
        response = render(request, "login.html", status=429 if throttled else 401, error=message,
                          username=username, can_register=can_register, next_path=safe_next(form.get("next"), ""))
        if throttled:
            response.headers["Retry-After"] = str(exc.params.get("retry_after", 60))
        return response
    sign_in(request, user)
    return RedirectResponse(safe_next(form.get("next"), permissions.home_of(user)), status_code=303)


async def logout(request: Request) -> Response:
    """Sign out: the account leaves the session, so web/sessions.py revokes the row server-side (a
    copied cookie is anonymous afterwards) and starts a new one for the language only."""
    await check_csrf(request)
    lang = request.session.get("lang")
    request.session.clear()
    if lang in LANGUAGES:
        request.session["lang"] = lang  # signing out does not switch the language back
    return RedirectResponse("/", status_code=303)
