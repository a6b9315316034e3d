"""The procedure designer's own pages for admins, under /designer (see web/designer/routes.py):

    GET  /                       procedures, their versions (running dossiers), create / import / duplicate
    GET  /{code}                 the procedure page: modeler + properties panel, forms, versions, audit
    POST /{code}/draft           autosave {xml, revision} (JSON; 409 when someone else saved first)
    POST /{code}/check           the publish checks on the draft, problems in words
    POST /{code}/publish         publish the draft as a new version, or 422 {"published": false, problems}
    GET  /{code}/export.bpmn     ?v=draft|N;  POST /{code}/import  a .bpmn file replaces the draft's model
    GET  /{code}/diff            ?from=N&to=M|draft: what changed, in words
    form editor and preview: web/designer/forms.py;  simulation: web/designer/simulate.py

Pages use the session login (admins only); JSON endpoints want the CSRF token in X-CSRF-Token.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from designer import diff, drafts, legal
from designer.fields import condition_fields
from engine import design, metadata, procedures
from engine.errors import Conflict, InvalidData, ModelInvalid
from engine.models import Procedure, ProcedureDraft, Role, User
from engine.models.procedure import TIME_UNITS
from web.api.common import json_body
from web.auth import requires
from web.designer.common import catalogue, form_list, now_of, revision_of
from web.designer.problems import legal_sentences, problem_views, problems_response
from web.documents import fmt
from web.downloads import model_download
from web.i18n import gettext_for
from web.pages import check_csrf, language, render
from web.permissions import DESIGN

AUTOSAVE_MS = 2000  # after the last change; the page also saves every 30 s and before leaving


def N_(text: str) -> str:
    return text


UNIT_LABELS = {"working_days": N_("ngày làm việc"), "working_hours": N_("giờ làm việc"),
               "calendar_days": N_("ngày"), "same_day": N_("trong ngày")}


# ------------------------------------------------------------------ words
def time_label(request: Request, p: Procedure) -> str:
    tr = gettext_for(language(request))
    unit = tr.gettext(UNIT_LABELS.get(p.time_unit, p.time_unit))
    return unit if p.time_unit == "same_day" else f"{float(p.time_limit):g} {unit}"


# ------------------------------------------------------------------ procedure list
CREATE_FIELDS = ("code", "name", "agency", "time_limit", "time_unit")


@requires(DESIGN)
async def index(request: Request, user: User) -> Response:
    return await _index(request, {}, {})


async def _index(request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200) -> Response:
    rows = await design.overview()
    labels = {r.procedure.code: time_label(request, r.procedure) for r in rows}
    return render(request, "designer/index.html", status=status, rows=rows, labels=labels, errors=errors,
                  values=values, units=TIME_UNITS, unit_labels=UNIT_LABELS, fmt=fmt,
                  message=request.query_params.get("msg", ""))


@requires(DESIGN)
async def create(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    tr = gettext_for(language(request))
    values = {k: str(form.get(k, "")).strip() for k in CREATE_FIELDS}
    errors: dict[str, str] = {}
    if not values["code"] or len(values["code"]) > 32 or "/" in values["code"]:
        errors["code"] = tr.gettext("Nhập mã thủ tục (tối đa 32 ký tự, không có “/”)")
    elif await Procedure.filter(code=values["code"]).exists():
        errors["code"] = tr.gettext("Đã có thủ tục với mã này")
    if not values["name"]:
        errors["name"] = tr.gettext("Nhập tên thủ tục")
    try:
        limit = float(values["time_limit"] or "0")
        if limit < 0:
            raise ValueError
    except ValueError:
        errors["time_limit"] = tr.gettext("Thời hạn là một số không âm")
    if values["time_unit"] not in TIME_UNITS:
        errors["time_unit"] = tr.gettext("Chọn đơn vị thời hạn")
    upload = form.get("bpmn")
    data = await upload.read() if isinstance(upload, UploadFile) and upload.filename else None
    if not errors:
        fields = {"name": values["name"], "agency": values["agency"], "time_limit": limit,
                  "time_unit": values["time_unit"]}
        try:
            await drafts.create(values["code"], fields, actor=user.username, now=now_of(request), upload=data,
                                filename=upload.filename or "" if isinstance(upload, UploadFile) else "")
        except ModelInvalid as exc:
            errors["bpmn"] = "; ".join(v.text for v in problem_views(request, values["code"], exc.problems, {}))
    if errors:
        return await _index(request, errors, values, status=422)
    return RedirectResponse(f"/designer/{values['code']}", status_code=303)


@requires(DESIGN)
async def duplicate(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    code, new_code = request.path_params["code"], str(form.get("new_code", "")).strip()
    tr = gettext_for(language(request))
    if not new_code or len(new_code) > 32 or "/" in new_code:
        return await _index(request, {"duplicate": tr.gettext("Nhập mã mới cho bản sao")}, {}, status=422)
    try:
        await drafts.duplicate(code, new_code, str(form.get("name", "")).strip(), actor=user.username,
                               now=now_of(request))
    except Conflict:
        return await _index(request, {"duplicate": tr.gettext("Đã có thủ tục với mã này")}, {}, status=422)
    return RedirectResponse(f"/designer/{new_code}", status_code=303)


# ------------------------------------------------------------------ the procedure page
@requires(DESIGN)
async def procedure_page(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    procedure = await procedures.get(code)
    draft = await drafts.open_draft(code, actor=user.username, now=now_of(request))
    rows = await design.overview(code)
    en = language(request) == "en"
    roles = [{"code": r.code, "name": (r.name_en if en and r.name_en else r.name)}
             for r in await Role.all().order_by("code")]
    tr = gettext_for(language(request))
    forms = form_list(draft)
    # the legal layer in words and the problems of the draft as saved: a reload shows both again
    sentences = legal_sentences(request, legal.lines(draft.bpmn_xml, draft.forms or {}))
    problems = problem_views(request, code, await drafts.problems(code), diff.element_names(draft.bpmn_xml),
                             draft.forms or {})
    return render(request, "designer/procedure.html", p=procedure, draft=draft, row=rows[0], fmt=fmt,
                  time_label=time_label(request, procedure), forms=forms, legal=sentences, problems=problems,
                  audit=await design.audit_log(code), audit_labels=audit_labels(tr.gettext),
                  message=request.query_params.get("msg", ""),
                  data={"code": code, "revision": draft.revision, "xml": draft.bpmn_xml, "roles": roles,
                        "forms": catalogue(forms), "fields": condition_fields(draft.forms or {}),
                        "autosave_ms": AUTOSAVE_MS})


def audit_labels(gettext: Any) -> dict[str, str]:
    return {
        "created": gettext("tạo thủ tục"), "imported": gettext("nhập mô hình từ tệp"),
        "duplicated": gettext("sao chép từ thủ tục khác"), "draft_opened": gettext("mở bản nháp"),
        "edited": gettext("sửa sơ đồ"), "form_saved": gettext("lưu biểu mẫu"), "form_deleted": gettext("xóa biểu mẫu"),
        "checked": gettext("kiểm tra"), "published": gettext("xuất bản"),
        "publish_unchanged": gettext("xuất bản (không có thay đổi)"), "publish_refused": gettext("xuất bản bị từ chối"),
        "metadata_saved": gettext("sửa thông tin thủ tục"),
        "lifecycle_defaults": gettext("áp dụng vòng đời mặc định"),
    }


@requires(DESIGN, json=True, csrf_header=True)
async def save_draft(request: Request, user: User) -> Response:
    body = await json_body(request)
    xml = body.get("xml")
    if not isinstance(xml, str):
        raise InvalidData("xml is required", fields={"xml": ["the BPMN XML as text"]})
    code = request.path_params["code"]
    try:
        draft = await design.save_xml(code, xml, revision_of(body), actor=user.username, now=now_of(request))
    except ModelInvalid as exc:
        return problems_response(request, code, exc.problems, "", saved=False)
    return JSONResponse({"saved": True, "revision": draft.revision, "saved_at": fmt(draft.updated_at)})


@requires(DESIGN, json=True, csrf_header=True)
async def check(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    problems = await drafts.check(code, actor=user.username, now=now_of(request))
    draft = await design.get_draft(code)
    return problems_response(request, code, problems, draft.bpmn_xml, forms=draft.forms or {},
                             revision=draft.revision)


@requires(DESIGN, json=True, csrf_header=True)
async def publish(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    body = await json_body(request)
    try:
        version, created = await drafts.publish(code, revision_of(body), actor=user.username, now=now_of(request))
    except ModelInvalid as exc:  # refused with reasons: 422 like the API's publish, the problems in words
        draft = await design.get_draft(code)
        return problems_response(request, code, exc.problems, draft.bpmn_xml, status=422, forms=draft.forms or {},
                                 published=False)
    return JSONResponse({"published": True, "version": version.number, "created": created},
                        status_code=201 if created else 200)


@requires(DESIGN)
async def export(request: Request, user: User) -> Response:
    name, xml = await design.export(request.path_params["code"], request.query_params.get("v", "draft"))
    return model_download(xml, name)


@requires(DESIGN)
async def import_model(request: Request, user: User) -> Response:
    form = await check_csrf(request)
    code = request.path_params["code"]
    upload = form.get("bpmn")
    draft = await design.get_draft(code)
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            await design.replace_model(code, await upload.read(), draft.revision, actor=user.username,
                                       now=now_of(request), filename=upload.filename)
        except ModelInvalid:
            return RedirectResponse(f"/designer/{code}?msg=import_failed", status_code=303)
    return RedirectResponse(f"/designer/{code}", status_code=303)


# ------------------------------------------------------------------ diff
async def _metadata_of(procedure: Procedure, which: str) -> dict[str, Any]:
    """The facts of "draft" (as typed) or of a version number (design.model_of has refused anything else)."""
    if which == "draft":
        return await metadata.of_draft(await design.get_draft(procedure.code))
    return metadata.of_version(await design.version(procedure.code, int(which)), procedure)


@requires(DESIGN)
async def diff_page(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    procedure = await procedures.get(code)
    rows = await design.overview(code)
    numbers = [v.number for v in rows[0].versions] if rows else []
    default_to = "draft" if await ProcedureDraft.filter(procedure_id=procedure.id).exists() else (
        str(numbers[-1]) if numbers else "draft")
    to = request.query_params.get("to") or default_to
    start = request.query_params.get("from") or (str(numbers[-1]) if numbers and to == "draft" else
                                                 str(numbers[-2]) if len(numbers) > 1 else "")
    changes: list[diff.Change] | None = None
    if start and to:
        xml_a, forms_a = await design.model_of(code, start)
        xml_b, forms_b = await design.model_of(code, to)
        changes = diff.compare(xml_a, forms_a, xml_b, forms_b, await _metadata_of(procedure, start),
                               await _metadata_of(procedure, to))
    return render(request, "designer/diff.html", p=procedure, numbers=numbers, start=start, to=to,
                  changes=changes, has_draft=default_to == "draft")
