"""GET/POST /can-bo/ho-so/{code}/buoc/{command}: one lifecycle step's form (what the law asks
for it: the missing components and why, the refusal's reasons, the amount to pay, the citizen's
withdrawal request, the delivery way of the result…), re-shown with the input kept when wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import dossiers, permissions
from engine.dossier_lifecycle import Step
from engine.dossiers.lifecycle_events import DELIVERIES
from engine.errors import MotcuaError, NotFound, PermissionDenied
from engine.lifecycle import auto_close_due
from engine.models import Attachment, Procedure, User
from web.auth import requires
from web.documents import LOCAL_TZ, fmt_due
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import STAFF_PAGES
from web.staff import files
from web.staff.dossier import MESSAGES, N_, STEP_LABELS, refusal_code, step_buttons

#: the inputs each step's form asks for (the rest only confirm)
FIELDS: dict[str, tuple[str, ...]] = {
    "refuse": ("reason",), "request_supplement": ("components", "reason"), "return_supplement": ("reason",),
    "request_financial_obligation": ("description", "amount"), "withdraw": ("request_date", "reason"),
    "stop": ("reason",), "return_result": ("delivery",),
}
DELIVERY_LABELS = {"counter": N_("Tại Bộ phận Một cửa"), "post": N_("Qua dịch vụ bưu chính"),
                   "online": N_("Trực tuyến (tài khoản Cổng Dịch vụ công)")}
ERRORS = {
    "reason": N_("Hãy ghi rõ lý do."), "what": N_("Hãy chọn giấy tờ cần bổ sung hoặc ghi rõ nội dung cần bổ sung."),
    "description": N_("Hãy ghi rõ nghĩa vụ tài chính phải thực hiện."),
    "amount": N_("Số tiền phải là số nguyên không âm (đồng)."),
    "request_date": N_("Hãy nhập ngày công dân đề nghị rút hồ sơ, dạng dd/mm/yyyy, không sau hôm nay."),
    "delivery": N_("Hãy chọn hình thức trả kết quả."),
}


@dataclass
class StepPage:
    code: str
    command: str
    label: str
    fields: tuple[str, ...]
    components: list[str] = field(default_factory=list)  # request_supplement: the procedure's components
    deadline: str | None = None  # request_supplement after acceptance: when the dossier closes unanswered
    arrivals: list[files.FileLine] = field(default_factory=list)  # receive/return supplement: the online upload
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    refusal: str | None = None  # the engine refused the step: why


def _day(text: str, today: date) -> date | None:
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ).date()
        except ValueError:
            continue
        return day if day <= today else None
    return None


def check(command: str, form: dict[str, Any], components: list[str], today: date) -> tuple[Step, str, dict[str, str]]:
    """The engine step (and result channel) a posted step form asks for, or the problems (pure)."""
    reason = str(form.get("reason", "")).strip()[:2000]
    errors: dict[str, str] = {}
    reasons: tuple[str, ...] = (reason,) if reason else ()
    note, channel = "", ""
    if command in ("refuse", "return_supplement", "stop") and not reason:
        errors["reason"] = ERRORS["reason"]
    if command == "request_supplement":
        chosen = [c for c in components if c in form.get("components", [])]
        reasons = (*chosen, *reasons)
        if not reasons:
            errors["reason"] = ERRORS["what"]
    elif command == "request_financial_obligation":
        description, amount = str(form.get("description", "")).strip()[:1000], str(form.get("amount", "")).strip()
        amount = amount.replace(".", "").replace(",", "").replace(" ", "")
        if not description:
            errors["description"] = ERRORS["description"]
        if amount and not amount.isdigit():
            errors["amount"] = ERRORS["amount"]
        note = f"{description}; {int(amount):,} đồng".replace(",", ".") if amount.isdigit() else description
    elif command == "withdraw":
        day = _day(str(form.get("request_date", "")), today)
        if day is None:
            errors["request_date"] = ERRORS["request_date"]
        else:
            note = day.strftime("%d/%m/%Y") + (f": {reason}" if reason else "")
    elif command == "stop":
        note = reason
    elif command == "return_result":
        note = str(form.get("delivery", ""))
        if note not in DELIVERIES:
            errors["delivery"] = ERRORS["delivery"]
        channel = "electronic" if note == "online" else "paper"
    return Step(command, reasons=reasons, note=note), channel, errors


async def _context(request: Request, user: User, command: str) -> tuple[StepPage, dossiers.DossierView, bool]:
    rt = request.app.state.runtime
    view = await dossiers.view(rt, request.path_params["code"], user)
    d = view.dossier
    _ = gettext_for(language(request)).gettext
    allowed = command in {s.command for s in await step_buttons(view, user, _)}
    page = StepPage(d.code, command, _(STEP_LABELS[command]), FIELDS.get(command, ()))
    if command == "request_supplement":
        procedure = await Procedure.get(code=view.procedure_code)
        page.components = [str(c.get("name")) for c in procedure.components or [] if c.get("name")]
        if d.accepted_at is not None:
            await rt.fresh_calendar()
            page.deadline = fmt_due(auto_close_due(request.app.state.clock(), rt.calendar))
    if command in ("receive_supplement", "return_supplement"):
        arrived = await Attachment.filter(dossier_id=d.id, source="supplement").order_by("at", "id")
        page.arrivals = files.lines(d.code, list(arrived), "supplement", language(request))
    return page, view, allowed


@requires(STAFF_PAGES)
async def step_page(request: Request, user: User) -> Response:
    command = request.path_params["command"]
    if command not in STEP_LABELS:
        raise NotFound("No such lifecycle step", command=command)
    page, view, allowed = await _context(request, user, command)
    if request.method != "GET" and not any(user.has_role(r) for r in permissions.STEP_ROLES[command]):
        raise PermissionDenied("Your roles do not allow this step", command=command)  # before reading the form
    _ = gettext_for(language(request)).gettext
    if request.method == "GET":
        return render(request, "staff/step.html", page=page, allowed=allowed, deliveries=_pairs(DELIVERY_LABELS, _),
                      status=200 if allowed else 403)
    form = await checked_form(request)
    posted = {k: form.getlist(k) if k == "components" else str(form.get(k, "")) for k in form}
    page.values = posted
    now = request.app.state.clock()
    step, channel, errors = check(command, posted, page.components, now.astimezone(LOCAL_TZ).date())
    if errors:
        page.errors = {k: _(v) for k, v in errors.items()}
        return render(request, "staff/step.html", page=page, allowed=allowed,
                      deliveries=_pairs(DELIVERY_LABELS, _))  # 200, as every form page: the input is kept
    try:
        await dossiers.step(request.app.state.runtime, page.code, step, user, now, channel=channel)
    except NotFound:
        raise
    except MotcuaError as exc:  # not this role's step, not in this status, a second supplement…
        page.refusal = _(MESSAGES[refusal_code(exc)])
        return render(request, "staff/step.html", page=page, allowed=False,
                      deliveries=_pairs(DELIVERY_LABELS, _), status=409)
    return RedirectResponse(f"/can-bo/ho-so/{quote(page.code)}?msg=done", status_code=303)


def _pairs(labels: dict[str, str], _: Any) -> list[tuple[str, str]]:
    return [(k, _(v)) for k, v in labels.items()]
