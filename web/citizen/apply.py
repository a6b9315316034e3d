"""Applying online: the procedure's generated start form, uploads, double-submit safe, confirmation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from engine import agencies, dossiers, drafts, form_funnel
from engine.errors import NotFound
from engine.models import Dossier, Procedure, User
from engine.models.dossier import NOTIFY_CHOICES
from engine.versions import current_version_info
from forms.render import html_id
from web.auth import current_user, requires
from web.citizen.facts import facts
from web.documents import fmt
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import APPLY_ONLINE
from web.uploads import STORAGE_FULL, keep_uploads

FORMS_CSS = Markup((Path(forms.__file__).parent / "static" / "forms" / "forms.css").read_text(encoding="utf-8"))


async def apply(request: Request) -> Response:
    """/nop-ho-so/{code}: nobody signed in (GET) is told why an account is needed and how to get one."""
    if request.method == "GET" and current_user(request) is None:
        code = request.path_params["code"]
        procedure = await Procedure.get_or_none(code=code)
        if procedure is None:
            raise NotFound("No such procedure", code=code)
        en = language(request) == "en"
        return render(request, "citizen/sign_in_needed.html", code=code, apply_path=f"/nop-ho-so/{code}",
                      procedure_name=(procedure.name_en if en and procedure.name_en else procedure.name),
                      can_register=request.app.state.settings.registration != "off")
    return await _apply(request)


@requires(APPLY_ONLINE)
async def _apply(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    version = await current_version_info(code)
    schema = version.start_form()
    if schema is None:
        raise NotFound("This procedure has no online form", code=code)
    spec = forms.build(schema)
    lang = language(request)
    now = request.app.state.clock()
    draft = await drafts.resume(user, code, now)
    kept = drafts.files(draft)
    page = {"forms_css": FORMS_CSS, "code": code, "version": version, "info": facts(version, lang),
            # a channel is offered when the form asks for its address (engine.dossiers.unreachable)
            "offers": {"email": bool(version.applicant.get("email")), "sms": bool(version.applicant.get("phone"))},
            # the procedure names a level (every commune handles it): the applicant picks the one to send it to
            "receivers": await agencies.receiving_choices(code)}
    if request.method == "GET":
        bound = spec.bind(None, spec.with_files(draft.data if draft else None, kept), lang=lang)
        return render(request, "citizen/apply.html", **page, form_html=forms.render(bound),
                      receiver=drafts.agency(draft), multipart=forms.needs_multipart(bound),
                      submission=uuid.uuid4().hex, draft_saved_at=fmt(draft.updated_at) if draft else None)
    settings = request.app.state.settings
    posted = await checked_form(request, settings.max_upload_bytes + 1024)
    submission = str(posted.get("submission", ""))[:64] or uuid.uuid4().hex
    bound = spec.bind(posted, spec.with_files(None, kept), lang=lang)
    # files are stored as they arrive, valid form or not: an error elsewhere never loses them
    refs, refused = await keep_uploads(request, bound)
    kept = {**kept, **refs}
    receiver = str(posted.get("agency", ""))[:32]
    if posted.get("save_draft"):  # "Lưu và làm tiếp sau": keep what was typed, valid or not
        bound.validate()
        await drafts.save(user, code, bound.data, now, kept, agency=receiver)
        await form_funnel.record(user.id, code, now)
        return RedirectResponse(f"/nop-ho-so/{code}", status_code=303)
    notify = notify_choice(posted)
    missing = dossiers.unreachable(version, bound.data, notify)  # a channel ticked without its address
    no_receiver = bool(page["receivers"]) and receiver not in {c for c, _name in page["receivers"]}
    if bound.validate() and not refused and not missing and not no_receiver:
        dossier, replayed = await dossiers.submit_once(request.app.state.runtime, code, bound.with_files(refs),
                                                       now=request.app.state.clock(), channel="online",
                                                       submitter_kind="citizen", user=user,
                                                       idempotency_key=f"web-{submission}",
                                                       agency_code=settings.agency_code, version=version,
                                                       notify=notify, agency=receiver if page["receivers"] else "")
        await drafts.discard(user, code)
        if not replayed:  # a double submit is one application
            await form_funnel.record(user.id, code, now, submitted=True)
        return RedirectResponse(f"/nop-ho-so/{code}/xong/{dossier.code}", status_code=303)
    full = any(problem == STORAGE_FULL for found in refused.values() for problem, _ in found)
    if refs or full:  # what was typed and uploaded waits with the draft for the corrected form
        await drafts.save(user, code, bound.data, now, kept, agency=receiver)
    shown = spec.bind(posted, spec.with_files(None, kept), lang=lang)
    shown.validate()
    shown.refuse(refused)
    shown.refuse({key: [(NOTIFY_PROBLEM[channel], {})] for channel, key in missing.items() if key})
    # the funnel (issue 12): which rules failed, in this request; a row button press is no refusal
    await form_funnel.record(user.id, code, now, failures=shown.failed_rules() if bound.row_action is None else ())
    # 200 also when the page shows errors: a re-rendered HTML form is the normal answer (GOV.UK
    # pattern), and the error summary, title prefix and aria-invalid carry the failure
    errors = shown.shows_errors or bool(refused) or bool(missing) or no_receiver
    # the receiving agency is the page's own field: the form's error summary lists it too, last
    summary_extra = [("#f-agency", gettext_for(lang).gettext("Chọn cơ quan tiếp nhận hồ sơ"))] if no_receiver else []
    return render(request, "citizen/apply.html", **page, has_errors=errors, receiver=receiver,
                  no_receiver=no_receiver,
                  form_html=forms.render(shown, summary_extra),
                  multipart=forms.needs_multipart(shown), submission=submission,
                  notify=notify, notify_missing=_missing(spec, missing), status=507 if full else 200)


#: the forms message (forms/messages.py) shown at the address field a ticked channel needs
NOTIFY_PROBLEM = {"email": "notify_email", "sms": "notify_sms", "ascii": "notify_sms"}


@dataclass(frozen=True)
class Missing:
    """A channel ticked without its address, for the message next to the choice."""

    channel: str  # "email" or "sms" (the SMS without diacritics too)
    field_id: str  # the HTML id of the field to fill ("" when the form has none)
    label: str  # that field's label


def _missing(spec: forms.FormSpec, missing: dict[str, str]) -> list[Missing]:
    out: dict[str, Missing] = {}
    for channel, key in missing.items():
        node = spec.by_key.get(key) if key else None
        kind = "email" if channel == "email" else "sms"
        out.setdefault(kind, Missing(kind, html_id(key) if node else "", getattr(node, "label", "")))
    return list(out.values())


def notify_choice(posted: FormData) -> list[str]:
    """The "tell me by" checkboxes of the apply page (e-mail, SMS, SMS without diacritics)."""
    chosen = posted.getlist("notify")
    return [c for c in NOTIFY_CHOICES if c in chosen]


@requires(APPLY_ONLINE)
async def confirmation(request: Request, user: User) -> Response:
    dossier = await Dossier.get_or_none(code=request.path_params["dossier"], submitted_by_id=user.id)
    if dossier is None:
        raise NotFound("No such dossier")
    return render(request, "citizen/confirmation.html", d=dossier)
