"""GET /quan-tri/can-xu-ly: dossiers that need an administrator ("cần xử lý"): a rule of the model
failed at run time, or the workflow stopped on an error. Element id and error kind only, no values."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine import attention
from engine.models import User
from web.auth import requires
from web.documents import fmt
from web.pages import render
from web.permissions import ADMINISTER


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    return render(request, "admin/attention.html", rows=await attention.listing(), fmt=fmt)
