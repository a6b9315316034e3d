"""Staff notices: GET /can-bo/thong-bao (the list, newest first), POST …/{id}/da-doc (mark one
read), POST …/da-doc-het (mark all read); `NoticeBadge` counts the unread ones for the header.
Forms with CSRF like every staff form; no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from engine import permissions, staff_notices
from engine.errors import NotFound
from engine.models import User
from web.auth import API_PREFIX, current_user, requires
from web.documents import fmt
from web.i18n import gettext_for
from web.pages import check_csrf, language, render
from web.permissions import STAFF_PAGES
from web.staff.notice_text import KINDS, link, phrase_for, role_names

BADGE = "motcua.unread_notices"  # scope key the header reads (web.pages.render)
PAGE = 50


@dataclass(frozen=True)
class NoticeLine:
    id: int
    kind_label: str
    text: str
    when: str
    href: str
    read: bool
    escalation: bool


async def lines_for(request: Request, notices: list[staff_notices.Notice]) -> list[NoticeLine]:
    lang = language(request)
    phrase = phrase_for(lang, await role_names())
    tr = gettext_for(lang)
    return [NoticeLine(n.id, tr.gettext(KINDS.get(n.kind, n.kind)), phrase(n.text_key, n.params), fmt(n.at),
                       link(n), n.read, n.escalation) for n in notices]


@requires(STAFF_PAGES)
async def page(request: Request, user: User) -> Response:
    q = request.query_params
    now = request.app.state.clock()
    before = int(q["truoc"]) if q.get("truoc", "").isdigit() else None
    unread_only = q.get("chua-doc") == "1"
    notices = await staff_notices.listing(user, now, unread_only=unread_only, before=before, limit=PAGE + 1)
    more = len(notices) > PAGE
    notices = notices[:PAGE]
    next_url = None
    if more:
        next_url = f"/can-bo/thong-bao?truoc={notices[-1].id}" + ("&chua-doc=1" if unread_only else "")
    return render(request, "staff/notices.html", lines=await lines_for(request, notices), unread_only=unread_only,
                  next_url=next_url)


@requires(STAFF_PAGES)
async def mark_read(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    notice_id = request.path_params["notice_id"]
    try:
        await staff_notices.mark_read(user, notice_id, request.app.state.clock())
    except NotFound:
        return RedirectResponse("/can-bo/thong-bao", status_code=303)
    target = str(form.get("open") or "")
    if target.startswith("/can-bo/") and "//" not in target:  # open the notice's page: only our own paths
        return RedirectResponse(target, status_code=303)
    return RedirectResponse("/can-bo/thong-bao", status_code=303)


@requires(STAFF_PAGES)
async def mark_all_read(request: Request, user: User) -> Response:
    await check_csrf(request)
    await staff_notices.mark_all_read(user, request.app.state.clock())
    return RedirectResponse("/can-bo/thong-bao", status_code=303)


class NoticeBadge:
    """Pure ASGI, inside the authentication middleware: for a staff member's page (GET, not the API
    nor static files) one count of unread notices, kept in the scope for the header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and not str(
                scope.get("path", "")).startswith((API_PREFIX, "/static/")):
            request: Any = Request(scope)
            user = current_user(request)
            if user is not None and permissions.is_staff(user):
                scope[BADGE] = await staff_notices.unread_count(user, request.app.state.clock())
        await self.app(scope, receive, send)
