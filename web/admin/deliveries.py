"""GET /quan-tri/hang-doi: event deliveries per subscriber (pending, failed, dead) and timer health;
POST /quan-tri/hang-doi/gui-lai: retry the chosen deliveries. Administrators only, no JavaScript."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import outbox, timers
from engine.models import User
from web.auth import requires
from web.documents import fmt
from web.pages import check_csrf, render
from web.permissions import ADMINISTER


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    q = request.query_params
    state = q.get("state") if q.get("state") in outbox.STATES else None
    rows = await outbox.listing(state=state, failed_only=state is None, limit=100)
    return render(request, "admin/deliveries.html", subscribers=await outbox.summary(), rows=rows,
                  health=await timers.health(request.app.state.clock()), state=state or "",
                  fmt=fmt, message=q.get("msg"))


@requires(ADMINISTER)
async def retry(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    ids = [int(v) for v in (form.get("ids") or "").split(",") if v.strip().isdigit()][:1000]
    retried = await outbox.retry(ids, request.app.state.clock()) if ids else 0
    return RedirectResponse(f"/quan-tri/hang-doi?msg=retried-{retried}", status_code=303)
