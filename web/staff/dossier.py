"""GET /can-bo/ho-so/{code}: the dossier's facts, data, step verdicts, history and diagram;
POST /can-bo/ho-so/{code}/buoc/{command}: a lifecycle step the officer may take now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import dossiers, permissions
from engine.dossier_lifecycle import Step
from engine.errors import MotcuaError, NotFound
from engine.lifecycle import Status
from engine.models import HumanTask, Procedure, ProcedureVersion, User
from web.auth import requires
from web.documents import fmt, fmt_due
from web.downloads import model_download
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import STAFF_PAGES
from web.staff import history
from web.staff.facts import FactGroup, facts


@dataclass(frozen=True)
class DataLine:
    key: str
    value: str


def flatten(data: dict[str, Any], prefix: str = "") -> list[DataLine]:
    lines: list[DataLine] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            lines += flatten(value, path + ".")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                lines += flatten(item, f"{path}[{i + 1}].")
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
            lines.append(DataLine(path, text))
    return lines


def N_(message: str) -> str:  # marks a string for the catalogue; translated where shown
    return message


#: the lifecycle steps' button labels (the page translates them) and what each form asks for
STEP_LABELS: dict[str, str] = {
    "accept": N_("Tiếp nhận hồ sơ"), "refuse": N_("Từ chối hồ sơ"), "request_supplement": N_("Yêu cầu bổ sung"),
    "receive_supplement": N_("Đã nhận hồ sơ bổ sung"), "return_supplement": N_("Hồ sơ bổ sung chưa đầy đủ"),
    "request_financial_obligation": N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "fulfil_financial_obligation": N_("Đã thực hiện nghĩa vụ tài chính"), "withdraw": N_("Rút hồ sơ theo yêu cầu"),
    "stop": N_("Dừng xử lý"), "finish": N_("Kết thúc xử lý"), "return_result": N_("Trả kết quả"),
}
NEEDS_REASON = frozenset({"request_supplement", "return_supplement", "refuse"})
RESULT_CHANNELS = {"paper": N_("Bản giấy"), "electronic": N_("Bản điện tử"), "both": N_("Bản giấy và bản điện tử")}


MESSAGES = {
    "done": N_("Đã thực hiện bước xử lý."), "reason": N_("Hãy ghi rõ lý do."),
    "once": N_("Hồ sơ đã được yêu cầu bổ sung một lần; lần thứ hai cần quản lý cho phép."),
    "task": N_("Bước này được thực hiện bằng cách hoàn thành công việc đang mở."),
    "not_yours": N_("Bước hiện tại của hồ sơ thuộc vai trò khác."),
    "refused": N_("Không thực hiện được bước này ở trạng thái hiện tại của hồ sơ."),
}


@dataclass(frozen=True)
class StepButton:
    command: str
    label: str
    needs_reason: bool
    needs_channel: bool


@dataclass(frozen=True)
class DossierPage:
    code: str
    status_label: str
    data: list[FactGroup]
    history: list[history.HistoryLine]
    steps: list[StepButton]
    message: str | None  # after a step: done, or why it was refused
    failed: bool


async def _steps(view: dossiers.DossierView, user: User, _: Any) -> list[StepButton]:
    d = view.dossier
    elements = view.version.elements if view.version else {}
    tasks = [permissions.open_task(t, elements) for t in view.tasks]
    at_intake = d.lifecycle_status == int(Status.SUPPLEMENT_REQUESTED) and d.accepted_at is None
    allowed = permissions.allowed_steps(user, d.lifecycle_status, owner_id=d.submitted_by_id, open_tasks=tasks,
                                        supplement_requests=d.supplement_requests, supplement_at_intake=at_intake)
    return [StepButton(c, _(STEP_LABELS[c]), c in NEEDS_REASON, c == "return_result") for c in allowed]


@requires(STAFF_PAGES)
async def page(request: Request, user: User) -> Response:
    view = await dossiers.view(request.app.state.runtime, request.path_params["code"], user, with_data=True)
    dossier, version = view.dossier, view.version
    procedure = await Procedure.get(code=view.procedure_code)
    tasks = await HumanTask.filter(dossier_id=dossier.id).order_by("created_at", "id")
    status = Status(dossier.lifecycle_status)
    lang = language(request)
    en, _ = lang == "en", gettext_for(lang).gettext
    msg = request.query_params.get("msg")
    context = DossierPage(
        dossier.code, status.label_en if en else status.label_vi,
        facts(version.start_form() if version else None, view.data, gettext_for(lang)),
        history.lines(view.events, _, en=en),
        await _steps(view, user, _), _(MESSAGES[msg]) if msg in MESSAGES else None, msg not in (None, "done"))
    return render(request, "staff/dossier.html", d=dossier, procedure=procedure, version=version, page=context,
                  status_label=context.status_label, tasks=tasks, fmt=fmt, fmt_due=fmt_due,
                  channels=[(c, _(RESULT_CHANNELS[c])) for c in RESULT_CHANNELS],
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None,
                  states=view.element_states)


def _refusal(exc: MotcuaError) -> str:
    """A message code for the page (never free text in the URL)."""
    fields = exc.params.get("fields", {})
    if isinstance(fields, dict) and "reasons" in fields:
        return "reason"
    return {"one_supplement_request": "once", "use_task": "task", "not_your_step": "not_yours"}.get(
        str(exc.params.get("rule", "")), "refused")


@requires(STAFF_PAGES)
async def take_step(request: Request, user: User) -> Response:
    code, command = request.path_params["code"], request.path_params["command"]
    if command not in STEP_LABELS:
        raise NotFound("No such lifecycle step", command=command)
    form = await checked_form(request)
    reason = str(form.get("reason", "")).strip()[:2000]
    channel = str(form.get("channel", ""))
    back = f"/can-bo/ho-so/{quote(code)}"
    if command in NEEDS_REASON and not reason:
        return RedirectResponse(f"{back}?msg=reason#steps-actions", status_code=303)
    try:
        await dossiers.step(request.app.state.runtime, code,
                            Step(command, reasons=(reason,) if reason else ()), user, request.app.state.clock(),
                            channel=channel if channel in RESULT_CHANNELS else "")
    except NotFound:
        raise
    except MotcuaError as exc:
        return RedirectResponse(f"{back}?msg={_refusal(exc)}#steps-actions", status_code=303)
    return RedirectResponse(f"{back}?msg=done", status_code=303)


@requires(STAFF_PAGES)
async def diagram(request: Request, user: User) -> Response:
    dossier = await dossiers.get_for(request.path_params["code"], user)
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    return model_download(version.bpmn_xml, f"{dossier.code}.bpmn")
