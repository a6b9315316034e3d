"""The procedure designer for admins, mounted at /designer (`routes()`):

    GET  /                       procedures, their versions (running dossiers), create / import / duplicate
    GET  /{code}                 the procedure page: modeler + properties panel, forms, versions, audit
    POST /{code}/draft           autosave {xml, revision} (JSON; 409 when someone else saved first)
    POST /{code}/check           the publish checks on the draft, problems in words
    POST /{code}/publish         publish the draft as a new version, or {"published": false, problems}
    GET  /{code}/export.bpmn     ?v=draft|N;  POST /{code}/import  a .bpmn file replaces the draft's model
    GET  /{code}/diff            ?from=N&to=M|draft: what changed, in words
    form editor and preview: web/designer_forms.py;  simulation: web/designer_simulate.py

Pages use the session login (admins only); JSON endpoints want the CSRF token in X-CSRF-Token.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from designer import diff, drafts
from engine import design, procedures
from engine.errors import AuthenticationFailed, Conflict, InvalidData, ModelInvalid, PermissionDenied, Problem
from engine.models import Procedure, ProcedureDraft, Role, User
from engine.models.procedure import TIME_UNITS
from web.documents import fmt
from web.i18n import gettext_for
from web.pages import check_csrf, language, page_user, render, session_user

AUTOSAVE_MS = 2000  # after the last change; the page also saves every 30 s and before leaving


def N_(text: str) -> str:
    """Marks a string for extraction; translated when shown."""
    return text


PROBLEM_TEXTS = {
    "task_without_lane": N_("Bước “%(name)s” chưa nằm trong làn nào nên không giao được cho ai"),
    "lane_unnamed": N_("Làn “%(name)s” chưa có tên"),
    "lane_without_role": N_("Làn “%(name)s” chưa chọn vai trò thực hiện"),
    "unknown_role": N_("Làn “%(name)s” chọn vai trò không có trong danh mục"),
    "form_missing": N_("“%(name)s” dùng biểu mẫu “%(form)s” nhưng biểu mẫu này chưa được tạo"),
    "form_required": N_("Bước “%(name)s” chưa có biểu mẫu"),
    "untyped_task": N_("“%(name)s” chưa chọn loại công việc: đổi thành bước xử lý của cán bộ (user task) "
                       "hoặc loại khác"),
    "expression_refused": N_("Biểu thức ở “%(name)s” không được phép"),
    "budget_invalid": N_("Thời hạn bước của “%(name)s” phải là số lớn hơn 0, tính bằng ngày hoặc giờ làm việc"),
    "unknown_extension": N_("“%(name)s” có phần mở rộng motcua không xác định"),
    "executable_count": N_("Mô hình phải có đúng một quy trình được đánh dấu thực thi"),
    "xml_syntax": N_("Tệp mô hình không phải XML hợp lệ"),
    "not_bpmn": N_("Tệp không phải mô hình BPMN 2.0"),
    "xml_dtd": N_("Mô hình không được chứa khai báo DTD"),
    "too_large": N_("Mô hình quá lớn"),
    "xsd": N_("Mô hình sai cấu trúc BPMN 2.0"),
    "bpmn": N_("Mô hình BPMN không chạy được ở “%(name)s”"),
    "timer_too_long": N_("Hẹn giờ ở “%(name)s” dài hơn 20 năm"),
    "form_invalid": N_("Biểu mẫu “%(form)s” không đúng định dạng form-js"),
    "form_reserved_key": N_("Biểu mẫu “%(form)s” dùng một khóa trường dành riêng"),
    "form_unsupported": N_("Biểu mẫu “%(form)s” có thành phần máy chủ không hiển thị được"),
}
OTHER_PROBLEM = N_("Lỗi ở “%(name)s”")
UNIT_LABELS = {"working_days": N_("ngày làm việc"), "working_hours": N_("giờ làm việc"),
               "calendar_days": N_("ngày"), "same_day": N_("trong ngày")}


# ------------------------------------------------------------------ who may
async def admin_page(request: Request) -> User | Response:
    return await page_user(request, ("admin",), "Only administrators design procedures")


async def admin_json(request: Request) -> User:
    """The session's admin for a JSON call; POSTs must echo the page's CSRF token in a header."""
    user = await session_user(request)
    if user is None:
        raise AuthenticationFailed("Sign in first")
    if user.kind != "admin":
        raise PermissionDenied("Only administrators design procedures")
    if request.method == "POST":
        sent, expected = request.headers.get("x-csrf-token", ""), str(request.session.get("csrf", ""))
        if not sent or not expected or not hmac.compare_digest(sent, expected):
            raise PermissionDenied("The page has expired; reload it", code="csrf")
    return user


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise InvalidData("The body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidData("The body must be a JSON object")
    return body


def revision_of(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise InvalidData("revision is required", fields={"revision": ["an integer"]})
    return revision


def now_of(request: Request) -> datetime:
    return request.app.state.clock()  # type: ignore[no-any-return]


# ------------------------------------------------------------------ words
@dataclass(frozen=True)
class ProblemView:
    text: str
    detail: str
    code: str
    element_id: str | None
    form: str | None
    component: str | None
    href: str | None  # the form editor, for a form's problems

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem_views(request: Request, code: str, problems: list[Problem], names: dict[str, str]) -> list[ProblemView]:
    """Each problem in the admin's language, naming the element by its name when it has one."""
    tr = gettext_for(language(request))
    views = []
    for p in problems:
        name = names.get(p.element_id) or p.element_id if p.element_id else tr.gettext("mô hình")
        text = tr.gettext(PROBLEM_TEXTS.get(p.code, OTHER_PROBLEM)) % {"name": name, "form": p.form or ""}
        href = f"/designer/{code}/forms/{p.form}" if p.form and p.code != "form_missing" else None
        if p.line and not p.element_id:
            text += " " + tr.gettext("(dòng %(line)s)") % {"line": p.line}
        views.append(ProblemView(text, p.message, p.code, p.element_id, p.form, p.component, href))
    return views


def problems_response(request: Request, code: str, problems: list[Problem], xml: str, **extra: Any) -> JSONResponse:
    views = problem_views(request, code, problems, diff.element_names(xml))
    return JSONResponse({"problems": [v.as_dict() for v in views], **extra})


def time_label(request: Request, p: Procedure) -> str:
    tr = gettext_for(language(request))
    unit = tr.gettext(UNIT_LABELS.get(p.time_unit, p.time_unit))
    return unit if p.time_unit == "same_day" else f"{float(p.time_limit):g} {unit}"


# ------------------------------------------------------------------ procedure list
CREATE_FIELDS = ("code", "name", "agency", "time_limit", "time_unit")


async def index(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
    return await _index(request, {}, {})


async def _index(request: Request, errors: dict[str, str], values: dict[str, str], status: int = 200) -> Response:
    rows = await design.overview()
    labels = {r.procedure.code: time_label(request, r.procedure) for r in rows}
    return render(request, "designer/index.html", status=status, rows=rows, labels=labels, errors=errors,
                  values=values, units=TIME_UNITS, unit_labels=UNIT_LABELS, fmt=fmt,
                  message=request.query_params.get("msg", ""))


async def create(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
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


async def duplicate(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
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
async def procedure_page(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
    code = request.path_params["code"]
    procedure = await procedures.get(code)
    draft = await drafts.open_draft(code, actor=user.username, now=now_of(request))
    rows = await design.overview(code)
    en = language(request) == "en"
    roles = [{"code": r.code, "name": (r.name_en if en and r.name_en else r.name)}
             for r in await Role.all().order_by("code")]
    tr = gettext_for(language(request))
    forms = form_list(draft)
    return render(request, "designer/procedure.html", p=procedure, draft=draft, row=rows[0], fmt=fmt,
                  time_label=time_label(request, procedure), forms=forms,
                  audit=await design.audit_log(code), audit_labels=audit_labels(tr.gettext),
                  message=request.query_params.get("msg", ""),
                  data={"code": code, "revision": draft.revision, "xml": draft.bpmn_xml, "roles": roles,
                        "forms": catalogue(forms), "autosave_ms": AUTOSAVE_MS})


@dataclass(frozen=True)
class FormLine:
    ref: str
    name: str
    exists: bool  # False: the model names it, but the draft has no such form yet
    used: bool  # a step or the start event uses it


def form_list(draft: ProcedureDraft) -> list[FormLine]:
    """Forms of the draft, then refs the model uses that have no form yet."""
    used = drafts.form_refs(draft.bpmn_xml)
    forms = draft.forms or {}
    listed = [FormLine(ref, drafts.form_title(forms[ref], ref), True, ref in used) for ref in sorted(forms)]
    return listed + [FormLine(ref, ref, False, True) for ref in used if ref not in forms]


def catalogue(forms: list[FormLine]) -> list[dict[str, str]]:
    """The modeler's form choices (motcuaCatalogue.setForms)."""
    return [{"ref": f.ref, "name": f.name} for f in forms if f.exists]


def audit_labels(gettext: Any) -> dict[str, str]:
    return {
        "created": gettext("tạo thủ tục"), "imported": gettext("nhập mô hình từ tệp"),
        "duplicated": gettext("sao chép từ thủ tục khác"), "draft_opened": gettext("mở bản nháp"),
        "edited": gettext("sửa sơ đồ"), "form_saved": gettext("lưu biểu mẫu"), "form_deleted": gettext("xóa biểu mẫu"),
        "checked": gettext("kiểm tra"), "published": gettext("xuất bản"),
        "publish_unchanged": gettext("xuất bản (không có thay đổi)"), "publish_refused": gettext("xuất bản bị từ chối"),
    }


async def save_draft(request: Request) -> Response:
    user = await admin_json(request)
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


async def check(request: Request) -> Response:
    user = await admin_json(request)
    code = request.path_params["code"]
    problems = await drafts.check(code, actor=user.username, now=now_of(request))
    draft = await design.get_draft(code)
    return problems_response(request, code, problems, draft.bpmn_xml, revision=draft.revision)


async def publish(request: Request) -> Response:
    user = await admin_json(request)
    code = request.path_params["code"]
    body = await json_body(request)
    try:
        version, created = await drafts.publish(code, revision_of(body), actor=user.username, now=now_of(request))
    except ModelInvalid as exc:  # refused with reasons: an answer, not a failure (status 200)
        draft = await design.get_draft(code)
        return problems_response(request, code, exc.problems, draft.bpmn_xml, published=False)
    return JSONResponse({"published": True, "version": version.number, "created": created},
                        status_code=201 if created else 200)


async def export(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
    name, xml = await design.export(request.path_params["code"], request.query_params.get("v", "draft"))
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def import_model(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
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
async def diff_page(request: Request) -> Response:
    user = await admin_page(request)
    if isinstance(user, Response):
        return user
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
        changes = diff.compare(xml_a, forms_a, xml_b, forms_b)
    return render(request, "designer/diff.html", p=procedure, numbers=numbers, start=start, to=to,
                  changes=changes, has_draft=default_to == "draft")


def routes() -> list[BaseRoute]:
    from web import designer_forms, designer_migrate, designer_simulate

    return [
        Route("/", index),
        Route("/", create, methods=["POST"]),
        Route("/{code}", procedure_page),
        Route("/{code}/duplicate", duplicate, methods=["POST"]),
        Route("/{code}/draft", save_draft, methods=["POST"]),
        Route("/{code}/check", check, methods=["POST"]),
        Route("/{code}/publish", publish, methods=["POST"]),
        Route("/{code}/export.bpmn", export),
        Route("/{code}/import", import_model, methods=["POST"]),
        Route("/{code}/diff", diff_page),
        *designer_forms.routes(),
        *designer_simulate.routes(),
        *designer_migrate.routes(),
    ]
