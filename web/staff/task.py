"""GET/POST /can-bo/viec/{task_id}: a task's generated form, pre-filled with the dossier's data."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from engine import document_access, dossiers
from engine.errors import Conflict, InvalidData, WorkflowFailed
from engine.models import User
from web.auth import requires
from web.citizen.apply import FORMS_CSS
from web.documents import fmt_due
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import STAFF_PAGES
from web.staff import files
from web.staff.facts import facts
from web.uploads import store_uploads

APOLOGY_FORM: dict[str, Any] = {
    "type": "default", "id": "apology", "schemaVersion": 19, "components": [
        {"id": "reason", "key": "reason", "type": "textarea", "label": "Lý do chậm giải quyết",
         "validate": {"required": True, "maxLength": 1000}},
        {"id": "new_due_at", "key": "new_due_at", "type": "datetime", "subtype": "datetime",
         "dateLabel": "Ngày hẹn trả kết quả mới", "timeLabel": "Giờ", "validate": {"required": True}},
    ]}


def N_(message: str) -> str:
    return message


#: what the engine's refusals of a completion mean, on the form (problem code or rule → sentence)
ENGINE_ERRORS = {
    "reasons:required": N_("Từ chối phải ghi rõ lý do"),
    "reasons:what": N_("Yêu cầu bổ sung phải ghi rõ giấy tờ, nội dung cần bổ sung, hoàn thiện (Mẫu 02)."),
    "waiting_for_citizen": N_("Hồ sơ đang chờ công dân bổ sung; việc này tiếp tục sau khi Bộ phận một cửa nhận "
                              "hồ sơ bổ sung (nút “Đã nhận hồ sơ bổ sung” trên trang hồ sơ). "
                              "Dữ liệu bạn nhập chưa được lưu."),
    "supplement_window": N_("Đã quá 3 ngày làm việc kể từ khi tiếp nhận: yêu cầu bổ sung lúc này cần "
                            "quản lý cho phép."),
    "one_supplement_request": N_("Hồ sơ đã được yêu cầu bổ sung một lần; lần yêu cầu thứ hai cần quản lý cho phép "
                                 "và hồ sơ bị tính là trễ hạn."),
    "new_due_at:not_working_day": N_("Ngày hẹn trả kết quả mới phải là ngày làm việc."),
    "new_due:not_later": N_("Ngày hẹn trả kết quả mới phải sau hạn hiện tại."),
    "new_due_at:date": N_("Ngày hẹn trả kết quả mới không hợp lệ."),
    "apology_deadline": N_("Đã quá thời hạn hẹn lại (chậm nhất 1 ngày làm việc trước hạn trả kết quả)."),
    "one_extension": N_("Hồ sơ đã được hẹn lại một lần; không thể hẹn lại lần nữa."),
    "_form:this form cannot be checked on the server; ask an administrator": N_(
        "Biểu mẫu của bước này có quy tắc không tính được; hồ sơ đã được báo cho quản trị viên (cần xử lý)."),
}
RULE_FAILED = N_("Một quy tắc của quy trình ở bước này không tính được nên bước chưa được thực hiện; hồ sơ đã "
                 "được báo cho quản trị viên (cần xử lý). Dữ liệu bạn nhập chưa được lưu.")


@requires(STAFF_PAGES)
async def task_page(request: Request, user: User) -> Response:
    task_id = request.path_params["task_id"]
    rt = request.app.state.runtime
    view = await dossiers.task_view(rt, task_id, user)
    await document_access.record_read(user, [(view.dossier.id, view.dossier.submitted_by_id)],
                                      request.app.state.clock(), "task", "page")
    task = view.task
    schema = APOLOGY_FORM if task.is_apology else view.form_schema
    lang = language(request)
    _ = gettext_for(lang).gettext
    data = view.data
    start = view.version.start_form()
    documents = files.lines(view.dossier.code, await document_access.attachments_of(view.dossier.id), "task",
                           lang)
    context: dict[str, Any] = {"task": task, "d": view.dossier, "forms_css": FORMS_CSS,
                               "facts": facts(start, data, gettext_for(lang),
                                              [f for f in view.version.forms.values() if f is not start]),
                               "documents": documents,
                               "current_due": fmt_due(view.dossier.due_adjusted_at) if task.is_apology else None}
    spec = forms.build(schema) if schema else None
    if request.method == "GET":
        bound = spec.bind(None, data, lang=lang) if spec else None
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=bool(bound and forms.needs_multipart(bound)), **context)
    posted = await checked_form(request, request.app.state.settings.max_upload_bytes + 1024)
    bound = spec.bind(posted, data, lang=lang) if spec else None
    if bound is not None and not bound.validate():
        return render(request, "staff/task.html", has_errors=bound.shows_errors,
                      form_html=forms.render(bound), multipart=forms.needs_multipart(bound), **context)
    values = await store_uploads(request, bound) if bound is not None else {}
    try:
        await dossiers.complete_task(rt, task_id, values, user, request.app.state.clock())
    except Conflict as exc:
        rule = str(exc.params.get("rule", ""))
        if rule not in ENGINE_ERRORS:  # the task itself moved: taken or completed by someone else meanwhile
            return RedirectResponse("/can-bo?msg=taken", status_code=303)
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=False, engine_errors=[_(ENGINE_ERRORS[rule])], status=409, **context)
    except WorkflowFailed:  # a rule of the model failed: nothing taken, the dossier flagged "cần xử lý"
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=False, engine_errors=[_(RULE_FAILED)], status=422, **context)
    except InvalidData as exc:  # e.g. a refusal without reasons, an appointment on a day off: say so on the form
        problems = [f"{k}:{p}" for k, v in exc.params.get("fields", {}).items()
                    for p in (v if isinstance(v, list) else [v])]
        said = [_(ENGINE_ERRORS.get(str(p), N_("Thông tin chưa hợp lệ."))) for p in problems]
        if bound is not None and exc.params.get("field") in bound.fields:  # the empty field the rule reads:
            bound.refuse({str(exc.params["field"]): [("refused", {"message": m}) for m in said]})
            bound.validate()  # the message goes beside it and into the form's own error summary
            said = []
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=False, engine_errors=said, **context)
    return RedirectResponse(f"/can-bo?msg=done&ho_so={view.dossier.code}", status_code=303)
