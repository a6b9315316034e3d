"""Counter intake: an officer enters a paper dossier (or helps a citizen submit online) with the
procedure's generated start form; on a paper-free day paper is refused unless an exception is recorded."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from engine import agencies, dossiers
from engine.channels import ChannelRefused
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.models import User
from engine.models.channel_policy import EXCEPTIONS
from engine.versions import current_version_info
from web.auth import requires
from web.citizen.apply import FORMS_CSS
from web.citizen.catalogue import card
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import STAFF_PAGES
from web.uploads import store_uploads

MODES = {"paper": ("counter", "citizen"), "assisted": ("online", "officer_assisted"), "post": ("post", "citizen")}


@requires(STAFF_PAGES)
async def choose(request: Request, user: User) -> Response:
    from engine import catalogue

    return render(request, "staff/intake_list.html", procedures=[card(p) for p in await catalogue.search("")])


@requires(STAFF_PAGES)
async def intake(request: Request, user: User) -> Response:
    if not user.has_role("one_stop"):
        raise PermissionDenied("Counter intake is the one-stop officers' job")
    code = request.path_params["code"]
    version = await current_version_info(code)
    schema = version.start_form()
    if schema is None:
        raise NotFound("This procedure has no start form", code=code)
    spec, lang = forms.build(schema), language(request)
    points = await agencies.reception_points_for(await agencies.visible_agencies(user))  # this officer's counters
    context = {"code": code, "forms_css": FORMS_CSS, "exceptions": EXCEPTIONS, "points": points,
               "point": points[0].code if len(points) == 1 else ""}
    if request.method == "GET":
        bound = spec.bind(None, None, lang=lang)
        return render(request, "staff/intake.html", form_html=forms.render(bound), submission=uuid.uuid4().hex,
                      multipart=forms.needs_multipart(bound), mode="paper", refused=None, **context)
    settings = request.app.state.settings
    posted = await checked_form(request, settings.max_upload_bytes + 1024)
    mode = str(posted.get("mode", "paper"))
    channel, submitter = MODES.get(mode, MODES["paper"])
    kind, reason = str(posted.get("exception_kind", "")), str(posted.get("exception_reason", ""))
    exception = {"kind": kind, "reason": reason} if kind else None
    submission = str(posted.get("submission", ""))[:64] or uuid.uuid4().hex
    bound = spec.bind(posted, None, lang=lang)
    point = str(posted.get("reception_point", ""))[:100]
    context["point"] = point
    valid = bound.validate()  # before the form is rendered again: its error summary and field messages
    again = {"form_html": forms.render(bound), "submission": submission, "multipart": forms.needs_multipart(bound),
             "mode": mode, "has_errors": not valid, **context}
    if point and point not in {p.code for p in points}:
        return render(request, "staff/intake.html", refused={"fields": {gettext_for(lang).gettext("Điểm tiếp nhận"): [
            gettext_for(lang).gettext("Điểm tiếp nhận không thuộc cơ quan của bạn")]}},
                      **again)
    if not valid:
        return render(request, "staff/intake.html", refused=None, **again)
    try:
        data = await store_uploads(request, bound)
        dossier = await dossiers.submit(request.app.state.runtime, code, data, now=request.app.state.clock(),
                                        channel=channel,
                                        submitter_kind=submitter, user=user, idempotency_key=f"counter-{submission}",
                                        agency_code=settings.agency_code, version=version,
                                        reception_point=point,
                                        channel_exception=exception)
    except ChannelRefused as exc:
        return render(request, "staff/intake.html", refused=exc.params, **again)
    except InvalidData as exc:
        return render(request, "staff/intake.html", refused={"fields": exc.params.get("fields", {})}, **again)
    return RedirectResponse(f"/can-bo/ho-so/{dossier.code}", status_code=303)
