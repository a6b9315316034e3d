"""Tracking by dossier code + phone or ID number (no enumeration, rate-limited), and the rating."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import agencies, dossiers, events, throttle, tracking
from engine.errors import Conflict, InvalidData, NotFound, PermissionDenied, StorageFull
from engine.lifecycle import Status
from engine.models import Dossier, Procedure, ProcedureVersion, Rating
from web import notify_pages
from web.auth import current_user
from web.documents import fmt, fmt_due
from web.pages import check_csrf, checked_form, client_address, language, render
from web.permissions import sees_every_dossier
from web.uploads import store_files


def N_(message: str) -> str:  # marks a string for the catalogue; translated in the template
    return message


CITIZEN_STEPS = {  # public event kind -> (vi, en) shown to the citizen (engine.events: Event.public)
    "submitted": ("Đã nộp hồ sơ", "Dossier submitted"), "accepted": ("Hồ sơ được tiếp nhận", "Accepted"),
    "refused": ("Hồ sơ bị từ chối", "Refused"),
    "supplement_requested": ("Yêu cầu bổ sung hồ sơ", "Supplement requested"),
    "supplement_received": ("Đã nhận hồ sơ bổ sung", "Supplement received"),
    "supplement_returned": ("Hồ sơ bổ sung chưa đầy đủ", "Supplement still incomplete"),
    "financial_obligation_requested": ("Yêu cầu thực hiện nghĩa vụ tài chính", "Fees and taxes requested"),
    "reappointed": ("Hẹn lại ngày trả kết quả", "New appointment"),
    "result_ready": ("Đã có kết quả", "Result ready"),
    "returned": ("Đã trả kết quả", "Result returned"),
    "withdrawn": ("Đã rút hồ sơ", "Withdrawn"), "stopped": ("Dừng xử lý", "Stopped"),
}
#: the citizen's own online upload (a supplement_received with files), before the officer confirms it
SENT = ("Ông/bà đã gửi giấy tờ bổ sung", "You sent the supplement")


#: ?supplement= / ?rating= outcomes of the two forms (Post/Redirect/Get) -> (is an error, text)
SUPPLEMENT_OUTCOMES = {
    "sent": (False, N_("Đã gửi giấy tờ bổ sung. Bộ phận một cửa sẽ kiểm tra.")),
    "none": (True, N_("Chọn ít nhất một tệp giấy tờ bổ sung")),
    "file_too_large": (True, N_("Tệp quá lớn (tối đa %(mb)s MB)")),
    "file_type": (True, N_("Loại tệp không được chấp nhận (chỉ PDF, JPG, PNG)")),
    "empty_file": (True, N_("Tệp đã chọn bị trống")),
    "closed": (True, N_("Hồ sơ này hiện không chờ bổ sung; không nhận thêm giấy tờ.")),
    "storage_full": (True, N_("Hệ thống tạm thời hết chỗ lưu tệp nên chưa nhận được giấy tờ bổ sung; "
                              "chưa có gì được lưu. Vui lòng thử lại sau.")),
}
RATING_OUTCOMES = {
    "choice": (True, N_("Chọn một mức độ hài lòng")),
    "comment": (True, N_("Góp ý chỉ được tối đa 2000 ký tự")),
    "closed": (True, N_("Hồ sơ này không thể đánh giá (đã đánh giá hoặc chưa có kết quả).")),
}


@dataclass(frozen=True)
class Notice:
    error: bool
    text: str  # a catalogue string (translated by the template)
    mb: str = ""


@dataclass(frozen=True)
class TrackedStep:
    at: str
    label: str




async def form(request: Request) -> Response:
    if request.method == "GET":
        # ?ma=: the code from the QR printed on the dossier's forms (web/printing.py); the phone is still asked
        return render(request, "citizen/track.html", error=None, code=request.query_params.get("ma", "").strip()[:64])
    data = await check_csrf(request)
    code, factor = str(data.get("code", "")).strip().upper(), str(data.get("factor", ""))
    # per address, in the database: shared by every process, kept across restarts
    if await throttle.hit("tracking", client_address(request), throttle.TRACKING, request.app.state.clock()):
        return render(request, "citizen/track.html", status=429, code=code,
                      error=N_("Ông/bà đã thử quá nhiều lần. Hãy thử lại sau 10 phút."))
    try:
        dossier = await tracking.find(request.app.state.runtime, code, factor)
    except NotFound:
        return render(request, "citizen/track.html", code=code,
                      error=N_("Không tìm thấy hồ sơ với mã và số điện thoại / số định danh này. Hãy kiểm tra lại."))
    request.session["tracked"] = [*request.session.get("tracked", [])[-9:], dossier.code]
    return RedirectResponse(f"/tra-cuu/{dossier.code}", status_code=303)


async def _visible(request: Request) -> Dossier:
    user = current_user(request)
    code = request.path_params["code"]
    dossier = await Dossier.get_or_none(code=code)
    allowed = dossier is not None and (code in request.session.get("tracked", []) or (
        sees_every_dossier(user) and await agencies.may_see(user, dossier.agency_code)) or (
        user is not None and dossier.submitted_by_id == user.id))
    if not allowed or dossier is None:
        raise NotFound("No such dossier", code=code)
    return dossier


async def status(request: Request) -> Response:
    q = request.query_params
    return await _page(request, await _visible(request), q.get("supplement"), q.get("rating"))


async def _page(request: Request, dossier: Dossier, supplement: str | None, rating: str | None, *, note: str = "",
                score: int = 0, comment: str = "") -> Response:
    """The tracking page with the outcome of its two forms (SUPPLEMENT_OUTCOMES, RATING_OUTCOMES keys); after a
    refused one, with what the citizen typed and chose (`note`; `score`, `comment`)."""
    en = language(request) == "en"
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    procedure = await Procedure.get(id=version.procedure_id)
    trail = await dossiers.history(dossier.id)
    steps = [TrackedStep(fmt(e.at), label[1 if en else 0]) for e in trail if e.public and (
        label := SENT if (e.kind, bool(e.details.get("files"))) == ("supplement_received", True)
        else CITIZEN_STEPS.get(e.kind))]
    state = Status(dossier.lifecycle_status)
    rated = await Rating.filter(dossier_id=dossier.id).exists()
    can_rate = not rated and state in (Status.FINISHED, Status.RETURNED)
    requested = events.latest(trail, "supplement_requested")
    request_reasons: list[str] = requested.details.get("what", []) if requested else []
    returned = events.latest(trail, "supplement_returned")
    still_missing: list[str] = (returned.details.get("reasons", []) if returned and requested
                                and returned.at >= requested.at else [])
    refusal = dossier.refusal if isinstance(dossier.refusal, dict) else None
    max_mb = f"{request.app.state.settings.max_upload_bytes / 1_000_000:g}".replace(".", ",")
    return render(request, "citizen/status.html", d=dossier, procedure=procedure, steps=steps,
                  agency_name=await agencies.name_of(dossier.agency_code),
                  supplement_requested=state is Status.SUPPLEMENT_REQUESTED, supplement_reasons=request_reasons,
                  supplement_deadline=fmt_due(deadline) if (deadline := requested and requested.details.get(
                      "deadline")) else None,
                  supplement_still_missing=still_missing,
                  refusal_reasons=[str(r) for r in (refusal or {}).get("reasons", [])],
                  refused_at=fmt((refusal or {}).get("at")),
                  supplement_notice=_notice(SUPPLEMENT_OUTCOMES, supplement, max_mb), supplement_note=note,
                  rating_notice=_notice(RATING_OUTCOMES, rating), rating_score=score, rating_comment=comment,
                  status_label=state.label_en if en else state.label_vi, received=fmt(dossier.accepted_at),
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None, rated=rated,
                  can_rate=can_rate, result_ready=state in (Status.FINISHED, Status.RETURNED), error=None,
                  signed_in_forms=_signed_in_forms(request, dossier),
                  notifications=await notify_pages.lines(dossier.id),
                  destinations=notify_pages.destinations(dossier))


def _signed_in_forms(request: Request, dossier: Dossier) -> list[str]:
    """Forms 01 and 04 open for their signed-in owner only (web/documents.py): linked to him alone."""
    user = current_user(request)
    if user is None or dossier.submitted_by_id != user.id:
        return []
    return [form for form, has in (("01", dossier.accepted_at), ("04", dossier.extension)) if has]


def _notice(outcomes: dict[str, tuple[bool, str]], key: str | None, mb: str = "") -> Notice | None:
    found = outcomes.get(key or "")
    return Notice(found[0], found[1], mb) if found else None


async def _owned(request: Request) -> Dossier:
    """The dossier for the citizen's own acts (rating, an online supplement): its owner, or the session
    that tracked it with the receipt's code; never staff (they act through the staff pages)."""
    dossier = await _visible(request)
    user = current_user(request)
    if dossier.code not in request.session.get("tracked", []) and (user is None or dossier.submitted_by_id != user.id):
        raise NotFound("No such dossier", code=dossier.code)
    return dossier


async def supplement(request: Request) -> Response:
    """POST /tra-cuu/{code}/bo-sung: upload the documents a supplement request asked for."""
    dossier = await _owned(request)
    settings = request.app.state.settings
    posted = await checked_form(request, settings.max_upload_bytes + 1024)
    try:
        stored = await store_files(request, posted.getlist("files"), "files")
        await dossiers.add_supplement(request.app.state.runtime, dossier.code, stored, str(posted.get("note", "")),
                                      "citizen", request.app.state.clock())
    except InvalidData as exc:  # the page again, with the note typed (the files must be chosen again)
        codes = exc.params.get("fields", {}).get("files") or ["required"]
        outcome = codes[0] if codes[0] in SUPPLEMENT_OUTCOMES else "none"
        return await _page(request, dossier, outcome, None, note=str(posted.get("note", "")))
    except Conflict:
        return RedirectResponse(f"/tra-cuu/{dossier.code}?supplement=closed", status_code=303)
    except StorageFull:  # disk full: nothing kept (engine.attachments), the page says so
        return await _page(request, dossier, "storage_full", None, note=str(posted.get("note", "")))
    return RedirectResponse(f"/tra-cuu/{dossier.code}?supplement=sent", status_code=303)


async def rate(request: Request) -> Response:
    dossier = await _owned(request)
    data = await check_csrf(request)
    try:
        score = int(str(data.get("score", "")))
    except ValueError:
        score = 0
    try:
        await dossiers.rate(request.app.state.runtime, dossier.code, score, str(data.get("comment", "")),
                            request.app.state.clock())
    except InvalidData as exc:
        field = next(iter(exc.params.get("fields", {})), "score")
        outcome = "comment" if field == "comment" else "choice"  # the page again, with the choice and text kept
        return await _page(request, dossier, None, outcome, score=score, comment=str(data.get("comment", "")))
    except (PermissionDenied, Conflict):
        return RedirectResponse(f"/tra-cuu/{dossier.code}?rating=closed#rating", status_code=303)
    return RedirectResponse(f"/tra-cuu/{dossier.code}?rating=thanks", status_code=303)
