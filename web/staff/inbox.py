"""GET /can-bo: the tasks of my roles, most urgent first, with filters; POST claim / release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import assignment
from engine.errors import Conflict, NotFound, PermissionDenied
from engine.lifecycle import Status
from engine.models import Procedure
from web.documents import fmt_due
from web.pages import check_csrf, language, render
from web.staff.common import staff_user


@dataclass(frozen=True)
class InboxLine:
    row: assignment.InboxRow
    status_label: str
    due_text: str
    remaining: dict[str, object]
    mine: bool
    can_claim: bool


async def inbox(request: Request) -> Response:
    user = await staff_user(request)
    if isinstance(user, Response):
        return user
    q = request.query_params
    now = request.app.state.clock()
    found = await assignment.inbox(user, now, procedure=q.get("procedure", ""), overdue_only=q.get("overdue") == "1",
                                   mine_only=q.get("mine") == "1")
    en = language(request) == "en"
    lines = [InboxLine(r, Status(r.lifecycle_status).label_en if en else Status(r.lifecycle_status).label_vi,
                       fmt_due(r.due_at or r.dossier_due_at) if (r.due_at or r.dossier_due_at) else "—",
                       assignment.remaining_label(r.remaining), r.claimed_by_id == user.id,
                       r.claimed_by_id is None) for r in found]
    procedures = await Procedure.all().order_by("name")
    return render(request, "staff/inbox.html", lines=lines, procedures=procedures, filters=dict(q),
                  message=request.query_params.get("msg"))


async def claim(request: Request) -> Response:
    return await _claim_or_release(request, release=False)


async def release(request: Request) -> Response:
    return await _claim_or_release(request, release=True)


async def _claim_or_release(request: Request, *, release: bool) -> Response:
    user = await staff_user(request)
    if isinstance(user, Response):
        return user
    form = await check_csrf(request)
    task_id = request.path_params["task_id"]
    now = datetime.now(UTC)
    try:
        if release:
            await assignment.release(task_id, user, now)
        else:
            await assignment.claim(task_id, user, now)
    except Conflict:
        return RedirectResponse("/can-bo?msg=taken", status_code=303)
    except (NotFound, PermissionDenied):
        return RedirectResponse("/can-bo?msg=gone", status_code=303)
    target = f"/can-bo/viec/{task_id}" if form.get("open") == "1" and not release else "/can-bo"
    return RedirectResponse(target, status_code=303)
