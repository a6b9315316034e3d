"""Printable notices of a dossier and their PDFs: Form 02 (request to supplement and complete the
dossier), Form 03 (refusal), Form 05 (stop), ND118 art. 17.1.c, 19 and 21: the staff who can see the
dossier and the citizen who owns it (signed in, or having tracked it by code and phone) may open them.
Form 06 (the processing control sheet) is the agency's: staff only. Form 01 (the receipt) and the
apology letter (Form 04) at /dossiers/{code}/receipt and /apology: signed in (the owner once accepted,
the staff who can see it). Each also as a PDF (web/pdf.py). The forms: web/printing.py."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from engine import agencies, documents, dossiers, permissions
from engine.errors import NotFound
from engine.models import Dossier, User
from web import pdf
from web.auth import current_user, requires
from web.permissions import SIGNED_IN, STAFF_PAGES

NOTICES = ("02", "03", "05")


async def _dossier(request: Request) -> Dossier:
    code = request.path_params["code"]
    dossier = await Dossier.get_or_none(code=code)
    user = current_user(request)
    if dossier is None or not ((permissions.can_see(user, dossier.submitted_by_id)
                                and await agencies.may_see(user, dossier.agency_code))
                               or code in request.session.get("tracked", [])):
        raise NotFound("No such dossier", code=code)  # the same answer for someone else's dossier
    return dossier


def _form(request: Request) -> str:
    form = str(request.path_params["form"])
    if form not in NOTICES:
        raise NotFound("No such form", form=form)
    return form


async def form_page(request: Request) -> Response:
    """GET /ho-so/{code}/mau-{02|03|05}."""
    form = _form(request)
    return await pdf.show(request, form, await _dossier(request))


async def form_pdf(request: Request) -> Response:
    """GET /ho-so/{code}/mau-{02|03|05}.pdf."""
    form = _form(request)
    return await pdf.download(request, form, await _dossier(request))


@requires(STAFF_PAGES)
async def control_sheet(request: Request, user: User) -> Response:
    """GET /can-bo/ho-so/{code}/mau-06: the processing control sheet."""
    return await pdf.show(request, "06", await dossiers.get_for(request.path_params["code"], user))


@requires(STAFF_PAGES)
async def control_sheet_pdf(request: Request, user: User) -> Response:
    return await pdf.download(request, "06", await dossiers.get_for(request.path_params["code"], user))


#: the documents served at /dossiers/{code}/<name>: name -> form (web/printing.py)
SIGNED_IN_FORMS = {"receipt": "01", "apology": "04"}


async def _visible(request: Request, user: User) -> Dossier:
    return await documents.visible_for(request.path_params["code"], user)


@requires(SIGNED_IN)
async def receipt(request: Request, user: User) -> Response:
    return await pdf.show(request, "01", await _visible(request, user))


@requires(SIGNED_IN)
async def apology(request: Request, user: User) -> Response:
    return await pdf.show(request, "04", await _visible(request, user))


@requires(SIGNED_IN)
async def document_pdf(request: Request, user: User) -> Response:
    """GET /dossiers/{code}/{receipt|apology}.pdf: as the printable page, as a PDF."""
    form = SIGNED_IN_FORMS.get(str(request.path_params["name"]))
    if form is None:
        raise NotFound("No such document", name=request.path_params["name"])
    return await pdf.download(request, form, await _visible(request, user))
