"""A model's or form's problems in the admin's language, naming elements by their names."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from designer import diff
from engine.errors import Problem
from web.designer.metadata import problem_text
from web.i18n import gettext_for
from web.pages import language


def N_(text: str) -> str:
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
        if p.code.startswith("metadata_") or p.code == "applicant_mapping":  # the procedure's facts
            line = problem_text(tr.gettext, p)
            views.append(ProblemView(line.text, p.message, p.code, None, None, p.component,
                                     f"/designer/{code}/metadata#{line.anchor}"))
            continue
        name = names.get(p.element_id) or p.element_id if p.element_id else tr.gettext("mô hình")
        text = tr.gettext(PROBLEM_TEXTS.get(p.code, OTHER_PROBLEM)) % {"name": name, "form": p.form or ""}
        href = f"/designer/{code}/forms/{p.form}" if p.form and p.code != "form_missing" else None
        if p.line and not p.element_id:
            text += " " + tr.gettext("(dòng %(line)s)") % {"line": p.line}
        views.append(ProblemView(text, p.message, p.code, p.element_id, p.form, p.component, href))
    return views


def problems_response(request: Request, code: str, problems: list[Problem], xml: str, status: int = 200,
                      **extra: Any) -> JSONResponse:
    views = problem_views(request, code, problems, diff.element_names(xml))
    return JSONResponse({"problems": [v.as_dict() for v in views], **extra}, status_code=status)
