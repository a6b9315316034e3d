"""A model's or form's problems in the admin's language, naming elements by their names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from designer import diff
from designer.legal import Legal
from engine.errors import Problem
from engine.lifecycle import Status
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
    "lifecycle_never_accepts": N_("Không có đường nào tiếp nhận hồ sơ: hồ sơ sẽ mãi ở trạng thái 1 “Mới đăng ký”, "
                                  "không có giấy tiếp nhận, không tính thời hạn. Thêm quy tắc tiếp nhận cho "
                                  "“%(name)s” (hoặc bấm “Đề xuất vòng đời mặc định”)"),
    "lifecycle_end_status": N_("Có đường tới kết thúc “%(name)s” khi hồ sơ còn ở trạng thái %(status)s "
                               "“%(status_name)s”: trước khi kết thúc, hồ sơ phải được từ chối, xử lý xong hoặc "
                               "trả kết quả"),
    "lifecycle_step_refused": N_("“%(name)s” %(command)s khi hồ sơ có thể đang ở trạng thái %(status)s "
                                 "“%(status_name)s”, trạng thái không cho phép bước này"),
    "lifecycle_accept_not_one_stop": N_("“%(name)s” tiếp nhận hồ sơ nhưng không thuộc làn của Bộ phận một cửa "
                                        "(vai trò one_stop): chỉ Bộ phận một cửa được tiếp nhận hồ sơ"),
    "parallel_write": N_("Hai nhánh song song cùng ghi trường “%(field)s”: “%(name)s” và “%(other)s”; "
                         "giá trị của nhánh xong sau sẽ đè lên nhánh kia"),
}
FORM_COMPONENT = N_("Biểu mẫu “%(form)s”, thành phần “%(component)s”: máy chủ không hiển thị được")
COMMAND_WORDS = {
    "accept": N_("tiếp nhận hồ sơ"), "refuse": N_("từ chối hồ sơ"),
    "request_supplement": N_("yêu cầu bổ sung hồ sơ"), "receive_supplement": N_("nhận hồ sơ bổ sung"),
    "route": N_("chuyển xử lý"), "finish": N_("ghi nhận đã xử lý xong"), "return_result": N_("trả kết quả"),
    "request_financial_obligation": N_("yêu cầu thực hiện nghĩa vụ tài chính"),
    "fulfil_financial_obligation": N_("ghi nhận đã thực hiện nghĩa vụ tài chính"),
    "withdraw": N_("rút hồ sơ"), "stop": N_("dừng xử lý"),
}
OTHER_PROBLEM = N_("Lỗi ở “%(name)s”")
STEP_WHEN = N_("Bước “%(name)s” %(command)s khi %(condition)s (trạng thái %(before)s → %(after)s)")
STEP_ALWAYS = N_("Bước “%(name)s” %(command)s mỗi khi hoàn thành (trạng thái %(before)s → %(after)s)")
END_LEGAL = N_("Kết thúc “%(name)s”: hồ sơ kết thúc ở trạng thái %(statuses)s")
END_ILLEGAL = N_("Kết thúc “%(name)s”: hồ sơ có thể kết thúc ở trạng thái %(statuses)s, chưa phải trạng thái "
                 "kết thúc hợp lệ")


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


def status_name(status: int, lang: str) -> str:
    try:
        found = Status(status)
    except ValueError:
        return str(status)
    return found.label_en if lang == "en" else found.label_vi


def component_label(forms: Mapping[str, Any], ref: str | None, component: str | None) -> str:
    """The label a form component shows (its Vietnamese label), else its key or id."""
    schema = forms.get(ref or "")
    stack = list(schema.get("components") or []) if isinstance(schema, dict) else []
    while stack:
        comp = stack.pop()
        if isinstance(comp, dict):
            if comp.get("id") == component or (component and comp.get("key") == component):
                return str(comp.get("label") or comp.get("text") or comp.get("key") or component)
            stack += comp.get("components") or []
    return component or ""


def _params(p: Problem, name: str, names: Mapping[str, str], lang: str, gettext: Any,
            forms: Mapping[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"name": name, "form": p.form or "", "status": "", "status_name": "", "command": "",
                              "field": "", "other": ""}
    raw = p.params or {}
    if "status" in raw:
        params["status"], params["status_name"] = raw["status"], status_name(int(raw["status"]), lang)
    if raw.get("command"):
        params["command"] = gettext(COMMAND_WORDS.get(str(raw["command"]), str(raw["command"])))
    if raw.get("other"):
        params["other"] = names.get(str(raw["other"])) or raw["other"]
    if raw.get("field"):
        params["field"] = raw.get("label") or raw["field"]
    if p.component:
        params["component"] = component_label(forms, p.form, p.component)
    return params


def problem_views(request: Request, code: str, problems: list[Problem], names: dict[str, str],
                  forms: Mapping[str, Any] | None = None) -> list[ProblemView]:
    """Each problem in the admin's language, naming the element by its name when it has one and a
    form component by its label."""
    lang = language(request)
    tr = gettext_for(lang)
    views = []
    for p in problems:
        if p.code.startswith("metadata_") or p.code == "applicant_mapping":  # the procedure's facts
            line = problem_text(tr.gettext, p)
            views.append(ProblemView(line.text, p.message, p.code, None, None, p.component,
                                     f"/designer/{code}/metadata#{line.anchor}"))
            continue
        name = names.get(p.element_id) or p.element_id if p.element_id else tr.gettext("mô hình")
        params = _params(p, name, names, lang, tr.gettext, forms or {})
        template = FORM_COMPONENT if p.code == "form_unsupported" and p.component else PROBLEM_TEXTS.get(
            p.code, OTHER_PROBLEM)
        text = tr.gettext(template) % params
        href = f"/designer/{code}/forms/{p.form}" if p.form and p.code != "form_missing" else None
        if p.line and not p.element_id:
            text += " " + tr.gettext("(dòng %(line)s)") % {"line": p.line}
        views.append(ProblemView(text, p.message, p.code, p.element_id, p.form, p.component, href))
    return views


def problems_response(request: Request, code: str, problems: list[Problem], xml: str, status: int = 200,
                      forms: Mapping[str, Any] | None = None, **extra: Any) -> JSONResponse:
    views = problem_views(request, code, problems, diff.element_names(xml), forms)
    return JSONResponse({"problems": [v.as_dict() for v in views], **extra}, status_code=status)


@dataclass(frozen=True)
class LegalSentence:
    element_id: str
    text: str
    legal: bool = True


def statuses_words(statuses: Iterable[int], lang: str) -> str:
    return ", ".join(f"{s} “{status_name(s, lang)}”" for s in statuses)


def legal_sentences(request: Request, legal: Legal | None) -> list[LegalSentence]:
    """Each element's Decree 118 step, then each end's statuses, in the admin's language."""
    if legal is None:
        return []
    lang = language(request)
    tr = gettext_for(lang)
    out = []
    for step in legal.steps:
        params = {"name": step.name, "command": tr.gettext(COMMAND_WORDS.get(step.command, step.command)),
                  "condition": step.condition, "before": statuses_words(step.before, lang),
                  "after": statuses_words(step.after, lang)}
        out.append(LegalSentence(step.element_id, tr.gettext(STEP_WHEN if step.condition else STEP_ALWAYS) % params))
    for end in legal.ends:
        params = {"name": end.name, "statuses": statuses_words(end.statuses, lang)}
        out.append(LegalSentence(end.element_id, tr.gettext(END_LEGAL if end.legal else END_ILLEGAL) % params,
                                 end.legal))
    return out
