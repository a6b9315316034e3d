"""GET/POST /can-bo/viec/{task_id}: a task's generated form, pre-filled with the dossier's data."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from engine import assignment, dossiers
from engine.errors import Conflict, InvalidData, NotFound
from engine.workflow import runner
from web.citizen.apply import FORMS_CSS, store_uploads
from web.pages import checked_form, language, render
from web.staff.common import staff_user
from web.staff.dossier import flatten

APOLOGY_FORM: dict[str, Any] = {
    "type": "default", "id": "apology", "schemaVersion": 19, "components": [
        {"id": "reason", "key": "reason", "type": "textarea", "label": "Lý do chậm giải quyết",
         "validate": {"required": True, "maxLength": 1000}},
        {"id": "new_due_at", "key": "new_due_at", "type": "datetime", "subtype": "datetime",
         "dateLabel": "Ngày hẹn trả kết quả mới", "timeLabel": "Giờ", "validate": {"required": True}},
    ]}


async def task_page(request: Request) -> Response:
    user = await staff_user(request)
    if isinstance(user, Response):
        return user
    task_id = request.path_params["task_id"]
    loaded = await dossiers.load_task(task_id)
    task = loaded.task
    if task is None or not assignment.can_work_on(user, task["role"]):
        raise NotFound("No such task in your inbox", task_id=task_id)
    version = loaded.version
    schema = APOLOGY_FORM if task["kind"] == "apology" else loaded.form_schema
    lang = language(request)
    data = {} if task["kind"] == "apology" else runner.task_data(
        loaded.dossier["state"], version.spec, version.subprocess_specs, task_id)
    context: dict[str, Any] = {"task": task, "d": loaded.dossier, "facts": flatten(runner.project(
        loaded.dossier["state"], version.spec, version.subprocess_specs).data)[:40], "forms_css": FORMS_CSS}
    spec = forms.build(schema) if schema else None
    if request.method == "GET":
        bound = spec.bind(None, data, lang=lang) if spec else None
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=bool(bound and forms.needs_multipart(bound)), **context)
    posted = await checked_form(request, request.app.state.settings.max_upload_bytes + 1024)
    bound = spec.bind(posted, data, lang=lang) if spec else None
    if bound is not None and not bound.validate():
        return render(request, "staff/task.html",
                      form_html=forms.render(bound), multipart=forms.needs_multipart(bound), **context)
    values = await store_uploads(request, bound) if bound is not None else {}
    try:
        await dossiers.complete_task(task_id, values, user, request.app.state.clock(), loaded=loaded,
                                     policy=request.app.state.lifecycle_policy)
    except Conflict:
        return RedirectResponse("/can-bo?msg=taken", status_code=303)
    except InvalidData as exc:  # e.g. a refusal without reasons: say so on the form
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=False, engine_errors=exc.params.get("fields", {}), **context)
    return RedirectResponse(f"/can-bo?msg=done&ho_so={loaded.dossier['code']}", status_code=303)
