"""The procedure's facts editor (admins), /designer/{code}/metadata: general, time limit, dossier
components, fees, legal basis, reception points, result delivery and the applicant/contact mapping.

A plain HTML form (no JavaScript): "add a row" buttons are submit buttons that save and show one
more empty row. Every save keeps what was typed, problems and all (engine.design.save_metadata);
the problems are listed in words naming the field, and publishing refuses until they are fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from designer import drafts
from engine import design, metadata, procedures
from engine.errors import Conflict, Problem
from engine.models import User
from engine.models.procedure import TIME_UNITS
from web.auth import requires
from web.designer.common import now_of
from web.i18n import gettext_for
from web.pages import checked_form, language, render
from web.permissions import DESIGN


def N_(text: str) -> str:
    return text


ROWS = ("components", "fees", "legal_basis", "reception_points")
ROW_FIELDS = {"components": ("name", "required", "quantity", "kind", "held_by_state", "field"),
              "fees": ("name", "amount", "note"), "legal_basis": ("text",), "reception_points": ("code", "name")}
TEXTS = ("name", "name_en", "agency_code", "agency", "sector", "online_level", "time_limit", "time_unit",
         "retention_years")
LABELS = {
    "code": N_("Mã thủ tục"), "name": N_("Tên thủ tục"), "name_en": N_("Tên tiếng Anh"),
    "agency_code": N_("Mã cơ quan giải quyết"), "agency": N_("Cơ quan giải quyết"), "sector": N_("Lĩnh vực"),
    "online_level": N_("Mức độ dịch vụ công trực tuyến"), "time_limit": N_("Thời hạn giải quyết"),
    "time_unit": N_("Đơn vị thời hạn"), "components": N_("Thành phần hồ sơ"), "fees": N_("Phí, lệ phí"),
    "legal_basis": N_("Căn cứ pháp lý"), "reception_points": N_("Nơi tiếp nhận"),
    "delivery": N_("Cách trả kết quả"), "retention_years": N_("Thời hạn lưu dữ liệu cá nhân (năm)"),
}
ROW_LABELS = {"components": N_("Thành phần hồ sơ số %(n)s"), "fees": N_("Khoản phí, lệ phí số %(n)s"),
              "legal_basis": N_("Căn cứ pháp lý số %(n)s"), "reception_points": N_("Nơi tiếp nhận số %(n)s")}
FIELD_LABELS = {"name": N_("tên"), "quantity": N_("số lượng"), "kind": N_("loại bản"), "field": N_("trường tệp"),
                "amount": N_("số tiền"), "note": N_("ghi chú"), "text": N_("văn bản"), "code": N_("mã")}
ROLE_LABELS = {"name": N_("Họ và tên người nộp"), "id_number": N_("Số định danh cá nhân (CCCD)"),
               "phone": N_("Số điện thoại"), "email": N_("Thư điện tử"), "address": N_("Địa chỉ")}
UNIT_LABELS = {"working_days": N_("ngày làm việc"), "working_hours": N_("giờ làm việc"),
               "calendar_days": N_("ngày (kể cả ngày nghỉ)"), "same_day": N_("trong ngày")}
LEVEL_LABELS = {"partial": N_("Một phần"), "full": N_("Toàn trình")}
KIND_LABELS = {"original": N_("Bản chính"), "copy": N_("Bản sao"), "certified_copy": N_("Bản sao có chứng thực"),
               "e-copy": N_("Bản điện tử")}
DELIVERY_LABELS = {"counter": N_("Tại Bộ phận một cửa"), "post": N_("Qua dịch vụ bưu chính công ích"),
                   "online": N_("Trực tuyến")}
MESSAGES = {
    "metadata_required": N_("%(field)s: chưa nhập"),
    "metadata_too_long": N_("%(field)s: quá dài"),
    "metadata_choice": N_("%(field)s: lựa chọn không hợp lệ"),
    "metadata_rows": N_("%(field)s: tối đa 50 dòng"),
    "metadata_unknown_field": N_("%(field)s: tờ khai không có trường tải tệp này"),
    "applicant_mapping": N_("%(field)s: tờ khai không có trường này"),
}
NUMBER_MESSAGES = {
    "time_limit": N_("%(field)s: nhập một số lớn hơn 0, ví dụ 3 hoặc 1,5"),
    "quantity": N_("%(field)s: nhập số nguyên từ 1 đến 99"),
    "retention_years": N_("%(field)s: nhập số năm nguyên từ 1 đến 100, hoặc để trống"),
    "amount": N_("%(field)s: nhập số tiền bằng đồng, chỉ gồm chữ số (0 là miễn phí)"),
}
FILES_NEED_COMPONENT = N_("Thành phần hồ sơ: tờ khai có trường tải tệp nên cần khai ít nhất một thành phần hồ sơ")
FORM_ITSELF = N_("Chính tờ khai (biểu mẫu nộp hồ sơ)")


@dataclass(frozen=True)
class ProblemLine:
    text: str
    anchor: str  # the input's id, for the error summary's links


def problem_text(gettext: Any, p: Problem) -> ProblemLine:
    """A metadata problem in words naming the field ("Thành phần hồ sơ số 2, số lượng: …")."""
    path = (p.component or "").split(".")
    if p.code == "metadata_required" and path == ["components"]:
        return ProblemLine(gettext(FILES_NEED_COMPONENT), "add-components")
    if path[0] == "applicant" and len(path) > 1:
        field, anchor = gettext(ROLE_LABELS.get(path[1], path[1])), f"applicant-{path[1]}"
    elif path[0] in ROW_LABELS and len(path) == 3:
        field = gettext(ROW_LABELS[path[0]]) % {"n": path[1]} + ", " + gettext(FIELD_LABELS.get(path[2], path[2]))
        anchor = f"{path[0]}-{int(path[1]) - 1}-{path[2]}"
    else:
        field, anchor = gettext(LABELS.get(path[0], path[0])), path[0]
    template = NUMBER_MESSAGES.get(path[-1]) if p.code == "metadata_number" else MESSAGES.get(p.code)
    return ProblemLine(gettext(template or MESSAGES["metadata_choice"]) % {"field": field}, anchor)


def parse(form: FormData) -> tuple[dict[str, Any], str]:
    """The posted form as draft metadata (text as typed) and the button pressed."""
    meta: dict[str, Any] = {k: str(form.get(k, ""))[:1000] for k in TEXTS}
    for rows in ROWS:
        found: dict[int, dict[str, Any]] = {}
        for key in form:
            m = re.fullmatch(rf"{rows}-(\d{{1,2}})-(\w+)", key)
            if m and m.group(2) in ROW_FIELDS[rows] + ("remove",):
                found.setdefault(int(m.group(1)), {})[m.group(2)] = str(form.get(key, ""))[:1000]
        kept = [row for _i, row in sorted(found.items()) if not row.pop("remove", "")]
        kept = [row for row in kept if any(str(row.get(f, "")).strip() for f in ("name", "text", "amount", "note"))]
        if rows == "legal_basis":
            meta[rows] = [str(row.get("text", "")) for row in kept]
            continue
        if rows == "components":  # unticked boxes are not posted at all
            kept = [{**row, "required": bool(row.get("required")), "held_by_state": bool(row.get("held_by_state"))}
                    for row in kept]
        meta[rows] = kept
    meta["delivery"] = [str(d) for d in form.getlist("delivery")][:5]
    meta["applicant"] = {role: str(form.get(f"applicant-{role}", ""))[:200] for role in metadata.APPLICANT_ROLES
                         if form.get(f"applicant-{role}")}
    return meta, str(form.get("action", "save"))


@requires(DESIGN)
async def page(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    draft = await drafts.open_draft(code, actor=user.username, now=now_of(request))
    meta = await metadata.of_draft(draft)
    saved = request.query_params.get("msg") == "saved"
    return await _render(request, code, meta, draft.revision, show_problems=saved, message="saved" if saved else "")


@requires(DESIGN)
async def save(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    await drafts.open_draft(code, actor=user.username, now=now_of(request))
    form = await checked_form(request)
    meta, action = parse(form)
    revision = str(form.get("revision", ""))
    try:
        draft = await design.save_metadata(code, meta, int(revision) if revision.isdigit() else -1,
                                           actor=user.username, now=now_of(request))
    except Conflict:  # nothing saved; what was typed stays on the page
        current = await design.get_draft(code)
        return await _render(request, code, meta, current.revision, status=409, message="conflict")
    if action.startswith("add:") and action[4:] in ROWS:
        return await _render(request, code, meta, draft.revision, add=action[4:], message="saved_add")
    found = metadata.check(meta, design.start_form(draft), code)[1]
    if found:  # saved with its problems (200, like a re-rendered citizen form): publishing refuses until fixed
        return await _render(request, code, meta, draft.revision, show_problems=True)
    return RedirectResponse(f"/designer/{code}/metadata?msg=saved", status_code=303)


def _options(start_form: dict[str, Any] | None, role: str) -> list[tuple[str, str]]:
    types = metadata.ROLE_TYPES[role]
    return [(k, f"{c.get('label') or k} ({k})") for k, c in metadata.form_fields(start_form) if c.get("type") in types]


async def _render(request: Request, code: str, meta: dict[str, Any], revision: int, *, status: int = 200,
                  add: str = "", show_problems: bool = False, message: str = "") -> Response:
    tr = gettext_for(language(request)).gettext
    procedure = await procedures.get(code)
    draft = await design.get_draft(code)
    start = design.start_form(draft)
    problems = [problem_text(tr, p) for p in metadata.check(meta, start, code)[1]] if show_problems else []
    rows = {k: [dict(r) if isinstance(r, dict) else {"text": r} for r in meta.get(k) or []] for k in ROWS}
    for k in ROWS:
        if add == k or not rows[k]:
            rows[k].append({"quantity": "1", "kind": "original", "required": True} if k == "components" else {})
    for row in rows["components"]:
        row.setdefault("field", metadata.FORM_ITSELF if row.get("form") else "")
    files = [(metadata.FORM_ITSELF, tr(FORM_ITSELF))] + metadata.file_fields(start)
    mapping = {role: (meta.get("applicant") or {}).get(role, "") for role in metadata.APPLICANT_ROLES}
    options = {role: _options(start, role) for role in metadata.APPLICANT_ROLES}
    auto = metadata.applicant_mapping(None, start)[0]
    return render(request, "designer/metadata.html", status=status, p=procedure, meta=meta, rows=rows,
                  revision=revision, problems=problems, message=message, add=add, units=TIME_UNITS,
                  unit_labels=UNIT_LABELS, levels=LEVEL_LABELS, kinds=KIND_LABELS, delivery=DELIVERY_LABELS,
                  files=files, roles=ROLE_LABELS, mapping=mapping, options=options, auto=auto,
                  has_form=start is not None)
