"""GET /can-bo: the tasks of my roles, most urgent first, with filters; POST claim / release."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import dossiers
from engine.dossiers.queries import COUNT_CAP, InboxRow, procedure_names, remaining_label
from engine.errors import Conflict, NotFound, PermissionDenied
from engine.lifecycle import Status
from engine.models import User
from web.auth import requires
from web.documents import fmt_due
from web.i18n import number_text
from web.pages import check_csrf, language, render
from web.permissions import STAFF_PAGES


@dataclass(frozen=True)
class InboxLine:
    row: InboxRow
    status_label: str
    due_text: str
    remaining: dict[str, object]
    mine: bool
    can_claim: bool
    waiting: bool  # the dossier waits for the citizen: no due label, a badge instead
    overdue: bool


@requires(STAFF_PAGES)
async def inbox(request: Request, user: User) -> Response:
    q = request.query_params
    now = request.app.state.clock()
    page = await dossiers.inbox(request.app.state.runtime, user, now, procedure=q.get("procedure", ""),
                                overdue_only=q.get("overdue") == "1", mine_only=q.get("mine") == "1",
                                limit=50, cursor=q.get("cursor") or None)
    found = page.rows
    counts = await dossiers.inbox_counts(user, now, procedure=q.get("procedure", ""))
    en = language(request) == "en"
    lines = [InboxLine(r, Status(r.lifecycle_status).label_en if en else Status(r.lifecycle_status).label_vi,
                       fmt_due(r.due_at or r.dossier_due_at) if (r.due_at or r.dossier_due_at) else "—",
                       _shown(remaining_label(r.remaining), en), r.claimed_by_id == user.id,
                       r.claimed_by_id is None, r.waiting, r.is_overdue) for r in found]
    procedures = await procedure_names()
    more = {k: v for k, v in q.items() if k != "cursor"}
    next_url = "/can-bo?" + urlencode({**more, "cursor": page.next_cursor}) if page.next_cursor else None
    return render(request, "staff/inbox.html", lines=lines, procedures=procedures, filters=dict(q),
                  next_cursor=page.next_cursor, next_url=next_url, counts=counts, count_cap=COUNT_CAP,
                  filter_urls=_filter_urls(q.get("procedure", "")),
                  message=request.query_params.get("msg"))


def _shown(remaining: dict[str, object], en: bool) -> dict[str, object]:
    """The remaining time's number as the page's language writes it: "1,5" / "2" in Vietnamese, "1.5" in English."""
    value = remaining.get("value")
    if isinstance(value, float):
        remaining = {**remaining, "value": number_text(value, "en" if en else "vi", trim=True)}  # rounded to .1
    return remaining


def _filter_urls(procedure: str) -> dict[str, str]:
    """One link per counted filter (the procedure filter kept)."""
    base = {"procedure": procedure} if procedure else {}
    return {name: "/can-bo" + ("?" + urlencode({**base, **extra}) if base or extra else "")
            for name, extra in (("all", {}), ("mine", {"mine": "1"}), ("overdue", {"overdue": "1"}))}


@requires(STAFF_PAGES)
async def claim(request: Request, user: User) -> Response:
    return await _claim_or_release(request, user, release=False)


@requires(STAFF_PAGES)
async def release(request: Request, user: User) -> Response:
    return await _claim_or_release(request, user, release=True)


async def _claim_or_release(request: Request, user: User, *, release: bool) -> Response:
    form = await check_csrf(request)
    task_id = request.path_params["task_id"]
    now = request.app.state.clock()
    rt = request.app.state.runtime
    try:
        if release:
            await dossiers.release(rt, task_id, user, now)
        else:
            await dossiers.claim(rt, task_id, user, now)
    except Conflict:
        return RedirectResponse("/can-bo?msg=taken", status_code=303)
    except (NotFound, PermissionDenied):
        return RedirectResponse("/can-bo?msg=gone", status_code=303)
    target = f"/can-bo/viec/{task_id}" if form.get("open") == "1" and not release else "/can-bo"
    return RedirectResponse(target, status_code=303)
