"""Printable pages of a dossier: the Form 01 receipt and the apology letter (session login)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from engine import documents
from engine.errors import NotFound
from engine.models import User
from web.auth import requires
from web.pages import language, render
from web.permissions import SIGNED_IN

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = {"working_days": ("ngày làm việc", "working days"), "working_hours": ("giờ làm việc", "working hours"),
         "calendar_days": ("ngày", "days"), "same_day": ("trong ngày", "same day")}
KINDS = {"original": ("Bản chính", "Original"), "copy": ("Bản sao", "Copy"), "e-copy": ("Bản điện tử", "E-copy")}


def fmt(at: datetime | str | None) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh (stored UTC)."""
    if at is None:
        return "—"
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return value.astimezone(LOCAL_TZ).strftime("%H:%M ngày %d/%m/%Y")


async def _document(request: Request, user: User) -> documents.DossierDocument:
    return await documents.for_user(request.path_params["code"], user)


def _lang(request: Request) -> int:
    return 1 if language(request) == "en" else 0


@requires(SIGNED_IN)
async def receipt(request: Request, user: User) -> Response:
    doc = await _document(request, user)
    if doc.accepted_at is None:
        raise NotFound("The dossier has not been accepted yet", code=doc.code)
    lang = _lang(request)
    unit = UNITS.get(doc.time_unit, (doc.time_unit, doc.time_unit))[lang]
    limit = f"{doc.time_limit:g} {unit}" if doc.time_unit != "same_day" else unit
    return render(request, "receipt.html", doc=doc, fmt=fmt, time_limit=limit,
                  kind_label=lambda k: KINDS.get(k, (k, k))[lang])


@requires(SIGNED_IN)
async def apology(request: Request, user: User) -> Response:
    doc = await _document(request, user)
    if not doc.extension:
        raise NotFound("The dossier has no apology letter", code=doc.code)
    return render(request, "apology.html", doc=doc, fmt=fmt, original=doc.extension.get("original_due_at"),
                  new_due=doc.extension.get("new_due_at"))
