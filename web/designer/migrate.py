"""POST /designer/{code}/migrate: move the running dossiers of an old version to the newest one,
after a dry-run report (a plain form: works without JavaScript)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine import migration
from engine.errors import InvalidData
from engine.models import User
from web.auth import requires
from web.pages import check_csrf, render
from web.permissions import DESIGN


@requires(DESIGN)
async def migrate(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    try:
        first, second = int(str(form.get("from", ""))), int(str(form.get("to", "")))
    except ValueError:
        raise InvalidData("Choose the versions", fields={"from": ["integer"], "to": ["integer"]}) from None
    dry_run = form.get("confirm") != "1"
    report = await migration.migrate(request.app.state.runtime, request.path_params["code"], first, second,
                                     user.username,
                                     request.app.state.clock(), dry_run=dry_run)
    return render(request, "designer/migrate.html", code=request.path_params["code"], report=report)
