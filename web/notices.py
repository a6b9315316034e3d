"""Printable notices of a dossier: Form 02 (request to supplement and complete the dossier) and
Form 03 (refusal), ND118 art. 17.1.c and 19. The staff who can see the dossier and the citizen
who owns it (signed in, or having tracked it by code and phone) may open them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine import agencies, documents, dossiers, events, permissions
from engine.errors import NotFound
from engine.models import Dossier
from web.auth import current_user
from web.documents import fmt, fmt_day, fmt_due
from web.pages import render


async def _dossier(request: Request) -> Dossier:
    code = request.path_params["code"]
    dossier = await Dossier.get_or_none(code=code)
    user = current_user(request)
    if dossier is None or not ((permissions.can_see(user, dossier.submitted_by_id)
                                and await agencies.may_see(user, dossier.agency_code))
                               or code in request.session.get("tracked", [])):
        raise NotFound("No such dossier", code=code)  # the same answer for someone else's dossier
    return dossier


async def form_02(request: Request) -> Response:
    dossier = await _dossier(request)
    trail = await dossiers.history(dossier.id)
    requested = events.latest(trail, "supplement_requested")
    if requested is None:
        raise NotFound("No supplement was requested", code=dossier.code)
    doc = await documents.build(dossier)
    return render(request, "notice_02.html", doc=doc, fmt=fmt, fmt_day=fmt_day, fmt_due=fmt_due,
                  issued=requested.at, what=list(requested.details.get("what") or []),
                  deadline=requested.details.get("deadline"), officer=requested.actor,
                  at_intake=bool(requested.details.get("at_intake")))


async def form_03(request: Request) -> Response:
    dossier = await _dossier(request)
    if not dossier.refusal:
        raise NotFound("The dossier was not refused", code=dossier.code)
    trail = await dossiers.history(dossier.id)
    refused = events.latest(trail, "refused")
    doc = await documents.build(dossier)
    return render(request, "notice_03.html", doc=doc, fmt=fmt, fmt_day=fmt_day,
                  issued=dossier.refusal.get("at"), reasons=list(dossier.refusal.get("reasons") or []),
                  at_intake=dossier.refusal.get("stage") == "intake", officer=refused.actor if refused else "")
