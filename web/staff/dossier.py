"""GET /can-bo/ho-so/{code}: the dossier's facts, data, documents, step verdicts, history and
diagram, and the lifecycle steps the officer may take now (each opens its form: web.staff.steps)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import document_access, dossiers, events, permissions
from engine.dossiers.staff_page import staff_dossier
from engine.errors import MotcuaError
from engine.lifecycle import Status
from engine.models import ProcedureVersion, User
from web import notify_pages
from web.admin.common import ROLE_LABELS
from web.auth import requires
from web.documents import fmt, fmt_due
from web.downloads import model_download
from web.i18n import gettext_for
from web.pages import language, render
from web.permissions import STAFF_PAGES
from web.staff import files, history
from web.staff.facts import FactGroup, facts


def N_(message: str) -> str:  # marks a string for the catalogue; translated where shown
    return message


#: the lifecycle steps' button labels (the page translates them)
STEP_LABELS: dict[str, str] = {
    "accept": N_("Tiếp nhận hồ sơ"), "refuse": N_("Từ chối hồ sơ"), "request_supplement": N_("Yêu cầu bổ sung"),
    "receive_supplement": N_("Đã nhận hồ sơ bổ sung"), "return_supplement": N_("Hồ sơ bổ sung chưa đầy đủ"),
    "request_financial_obligation": N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
    "fulfil_financial_obligation": N_("Đã thực hiện nghĩa vụ tài chính"), "withdraw": N_("Rút hồ sơ theo yêu cầu"),
    "stop": N_("Dừng xử lý"), "finish": N_("Kết thúc xử lý"), "return_result": N_("Trả kết quả"),
}
CHANNEL_LABELS = {"online": N_("Trực tuyến"), "counter": N_("Trực tiếp tại Bộ phận một cửa"),
                  "post": N_("Qua bưu chính")}
SUBMITTER_LABELS = {"citizen": N_("Công dân tự nộp"), "proxy": N_("Người nộp thay"),
                    "officer_assisted": N_("Cán bộ một cửa hỗ trợ nộp trực tuyến")}


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
    label: str  # opens the step's form (web.staff.steps)


@dataclass(frozen=True)
class DossierPage:
    code: str
    status_label: str
    data: list[FactGroup]
    history: list[history.HistoryLine]
    steps: list[StepButton]
    message: str | None  # after a step: done, or why it was refused
    failed: bool
    documents: list[files.FileLine]


async def step_buttons(view: dossiers.DossierView, user: User, _: Any) -> list[StepButton]:
    d = view.dossier
    elements = view.version.elements if view.version else {}
    tasks = [permissions.open_task(t, elements) for t in view.tasks]
    at_intake = d.lifecycle_status == int(Status.SUPPLEMENT_REQUESTED) and d.accepted_at is None
    arrived = any(p.get("arrived_at") and not p.get("end_at") for p in d.pauses or [])
    allowed = permissions.allowed_steps(user, d.lifecycle_status, owner_id=d.submitted_by_id, open_tasks=tasks,
                                        supplement_requests=d.supplement_requests, supplement_at_intake=at_intake,
                                        supplement_arrived=arrived)
    return [StepButton(c, _(STEP_LABELS[c])) for c in allowed]


@requires(STAFF_PAGES)
async def page(request: Request, user: User) -> Response:
    read = await staff_dossier(request.app.state.runtime, request.path_params["code"], user)
    view = read.view
    dossier, version = view.dossier, view.version
    await document_access.record_read(user, [(dossier.id, dossier.submitted_by_id)], request.app.state.clock(),
                                      "dossier", "page")
    procedure = {"code": view.procedure_code, "name": read.procedure_name}
    status = Status(dossier.lifecycle_status)
    lang = language(request)
    en, _ = lang == "en", gettext_for(lang).gettext
    msg = request.query_params.get("msg")
    start_form = version.start_form() if version else None
    context = DossierPage(
        dossier.code, status.label_en if en else status.label_vi,
        facts(start_form, view.data, gettext_for(lang),
              [f for f in (version.forms if version else {}).values() if f is not start_form and isinstance(f, dict)]),
        history.lines(view.events, _, en=en),
        await step_buttons(view, user, _), _(MESSAGES[msg]) if msg in MESSAGES else None, msg not in (None, "done"),
        files.lines(dossier.code, read.attachments, lang=lang))
    return render(request, "staff/dossier.html", d=dossier, procedure=procedure, version=version, page=context,
                  status_label=context.status_label, tasks=view.every_task, fmt=fmt, fmt_due=fmt_due,
                  agency_name=read.agency_name,
                  channel_label=" / ".join(_(labels[key]) if key in labels else key for labels, key in (
                      (CHANNEL_LABELS, dossier.channel), (SUBMITTER_LABELS, dossier.submitter_kind))),
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None,
                  form_02=events.latest(list(view.events), "supplement_requested") is not None,
                  states=view.element_states, role_labels=ROLE_LABELS,
                  notifications=notify_pages.lines_of(read.notifications))


def refusal_code(exc: MotcuaError) -> str:
    """A message code for the page (never free text in the URL)."""
    fields = exc.params.get("fields", {})
    if isinstance(fields, dict) and "reasons" in fields:
        return "reason"
    return {"one_supplement_request": "once", "use_task": "task", "not_your_step": "not_yours"}.get(
        str(exc.params.get("rule", "")), "refused")


@requires(STAFF_PAGES)
async def diagram(request: Request, user: User) -> Response:
    dossier = await dossiers.get_for(request.path_params["code"], user)
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    return model_download(version.bpmn_xml, f"{dossier.code}.bpmn")
