"""Tracking by dossier code + phone or ID number (no enumeration, rate-limited), and the rating."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import attachments, tracking
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied
from engine.lifecycle import Status
from engine.models import AuditEvent, Dossier, Procedure, ProcedureVersion, Rating
from web.documents import fmt, fmt_due
from web.pages import check_csrf, checked_form, language, render, session_user

MAX_ATTEMPTS, WINDOW_S = 10, 600


def N_(message: str) -> str:  # noqa: N802  marks a string for the catalogue; translated in the template
    return message

_attempts: dict[str, deque[float]] = defaultdict(deque)
CITIZEN_STEPS = {  # audit action -> (vi, en) shown to the citizen; everything else stays internal
    "submitted": ("Đã nộp hồ sơ", "Dossier submitted"), "lifecycle_accept": ("Hồ sơ được tiếp nhận", "Accepted"),
    "lifecycle_refuse": ("Hồ sơ bị từ chối", "Refused"),
    "lifecycle_request_supplement": ("Yêu cầu bổ sung hồ sơ", "Supplement requested"),
    "lifecycle_receive_supplement": ("Đã nhận hồ sơ bổ sung", "Supplement received"),
    "lifecycle_extend": ("Hẹn lại ngày trả kết quả", "New appointment"),
    "lifecycle_finish": ("Đã có kết quả", "Result ready"),
    "lifecycle_return_result": ("Đã trả kết quả", "Result returned"),
    "lifecycle_withdraw": ("Đã rút hồ sơ", "Withdrawn"),
    "supplement_uploaded": ("Đã gửi giấy tờ bổ sung", "Supplement sent"), "lifecycle_stop": ("Dừng xử lý", "Stopped"),
}


@dataclass(frozen=True)
class TrackedStep:
    at: str
    label: str


def _limited(request: Request) -> bool:
    key = request.client.host if request.client else "?"
    now, window = time.monotonic(), _attempts[key]
    while window and now - window[0] > WINDOW_S:
        window.popleft()
    window.append(now)
    return len(window) > MAX_ATTEMPTS


async def form(request: Request) -> Response:
    await session_user(request)
    if request.method == "GET":
        return render(request, "citizen/track.html", error=None, code="")
    data = await check_csrf(request)
    code, factor = str(data.get("code", "")).strip().upper(), str(data.get("factor", ""))
    if _limited(request):
        return render(request, "citizen/track.html", status=429, code=code,
                      error=N_("Ông/bà đã thử quá nhiều lần. Hãy thử lại sau 10 phút."))
    try:
        dossier = await tracking.find(code, factor)
    except NotFound:
        return render(request, "citizen/track.html", code=code,
                      error=N_("Không tìm thấy hồ sơ với mã và số điện thoại / số định danh này. Hãy kiểm tra lại."))
    request.session["tracked"] = [*request.session.get("tracked", [])[-9:], dossier.code]
    return RedirectResponse(f"/tra-cuu/{dossier.code}", status_code=303)


async def _visible(request: Request) -> Dossier:
    user = await session_user(request)
    code = request.path_params["code"]
    dossier = await Dossier.get_or_none(code=code)
    allowed = dossier is not None and (code in request.session.get("tracked", []) or (
        user is not None and (user.kind != "citizen" or dossier.submitted_by_id == user.id)))
    if not allowed or dossier is None:
        raise NotFound("No such dossier", code=code)
    return dossier


async def status(request: Request) -> Response:
    dossier = await _visible(request)
    en = language(request) == "en"
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    procedure = await Procedure.get(id=version.procedure_id)
    steps = [TrackedStep(fmt(e.at), CITIZEN_STEPS[e.action][1 if en else 0])
             for e in await AuditEvent.filter(dossier_id=dossier.id).order_by("id") if e.action in CITIZEN_STEPS]
    state = Status(dossier.lifecycle_status)
    rated = await Rating.filter(dossier_id=dossier.id).exists()
    can_rate = not rated and state in (Status.FINISHED, Status.RETURNED)
    request_reasons: list[str] = next((e.details.get("reasons", []) for e in reversed(
        await AuditEvent.filter(dossier_id=dossier.id, action="lifecycle_request_supplement").order_by("id"))), [])
    return render(request, "citizen/status.html", d=dossier, procedure=procedure, steps=steps,
                  supplement_requested=state is Status.SUPPLEMENT_REQUESTED, supplement_reasons=request_reasons,
                  supplement_state=request.query_params.get("supplement"),
                  status_label=state.label_en if en else state.label_vi, received=fmt(dossier.accepted_at),
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None, rated=rated,
                  can_rate=can_rate, result_ready=state in (Status.FINISHED, Status.RETURNED), error=None)


async def supplement(request: Request) -> Response:
    """POST /tra-cuu/{code}/bo-sung: upload the documents a supplement request asked for."""
    dossier = await _visible(request)
    settings = request.app.state.settings
    posted = await checked_form(request, settings.max_upload_bytes + 1024)
    stored = []
    try:
        for upload in posted.getlist("files"):
            if isinstance(upload, UploadFile) and upload.filename:
                stored.append(attachments.store(settings.data_dir / "uploads", upload.filename,
                                                upload.content_type or "", await upload.read(),
                                                settings.max_upload_bytes, "files"))
        await tracking.add_supplement(dossier, stored, str(posted.get("note", "")), "citizen", datetime.now(UTC))
    except (InvalidData, Conflict):
        return RedirectResponse(f"/tra-cuu/{dossier.code}?supplement=invalid", status_code=303)
    return RedirectResponse(f"/tra-cuu/{dossier.code}?supplement=sent", status_code=303)


async def rate(request: Request) -> Response:
    dossier = await _visible(request)
    data = await check_csrf(request)
    try:
        score = int(str(data.get("score", "")))
    except ValueError:
        score = 0
    try:
        await tracking.rate(dossier, score, str(data.get("comment", "")), datetime.now().astimezone())
    except (InvalidData, PermissionDenied):
        return RedirectResponse(f"/tra-cuu/{dossier.code}?rating=invalid", status_code=303)
    return RedirectResponse(f"/tra-cuu/{dossier.code}?rating=thanks", status_code=303)
