"""GET/POST /can-bo/viec/{task_id}: a task's generated form, pre-filled with the dossier's data."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import forms
from engine import document_access, dossiers
from engine.errors import Conflict, InvalidData
from engine.models import User
from web.auth import requires
from web.citizen.apply import FORMS_CSS
from web.pages import checked_form, language, render
from web.permissions import STAFF_PAGES
from web.staff import files
from web.staff.dossier import flatten
from web.uploads import store_uploads

APOLOGY_FORM: dict[str, Any] = {
    "type": "default", "id": "apology", "schemaVersion": 19, "components": [
        {"id": "reason", "key": "reason", "type": "textarea", "label": "Lý do chậm giải quyết",
         "validate": {"required": True, "maxLength": 1000}},
        {"id": "new_due_at", "key": "new_due_at", "type": "datetime", "subtype": "datetime",
         "dateLabel": "Ngày hẹn trả kết quả mới", "timeLabel": "Giờ", "validate": {"required": True}},
    ]}


@requires(STAFF_PAGES)
async def task_page(request: Request, user: User) -> Response:
    task_id = request.path_params["task_id"]
    rt = request.app.state.runtime
    view = await dossiers.task_view(rt, task_id, user)
    task = view.task
    schema = APOLOGY_FORM if task.is_apology else view.form_schema
    lang = language(request)
    data = view.data
    documents = files.lines(view.dossier.code, await document_access.attachments_of(view.dossier.id), "task")
    context: dict[str, Any] = {"task": task, "d": view.dossier, "facts": flatten(data)[:40], "forms_css": FORMS_CSS,
                               "documents": documents}
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
        await dossiers.complete_task(rt, task_id, values, user, request.app.state.clock())
    except Conflict:
        return RedirectResponse("/can-bo?msg=taken", status_code=303)
    except InvalidData as exc:  # e.g. a refusal without reasons: say so on the form
        return render(request, "staff/task.html", form_html=forms.render(bound) if bound else "",
                      multipart=False, engine_errors=exc.params.get("fields", {}), **context)
    return RedirectResponse(f"/can-bo?msg=done&ho_so={view.dossier.code}", status_code=303)
