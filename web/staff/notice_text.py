"""The wording of staff notices (engine/staff_notices.py stores text keys and params, never text):
one sentence per key, in the page's language, for the notices page, the API and the e-mail digest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.models import Role
from engine.notice_digest import Phrase
from engine.staff_notices import Notice
from web.documents import fmt_due
from web.i18n import current_language, gettext_for


def N_(message: str) -> str:
    return message


TEXTS = {
    "task_opened": N_("Việc mới “%(name)s” của hồ sơ %(code)s đã đến hộp việc của vai trò %(role)s."),
    "supplement_arrived": N_("Công dân đã gửi giấy tờ bổ sung cho hồ sơ %(code)s (%(files)s): cần kiểm tra và "
                             "xác nhận đã nhận hồ sơ bổ sung."),
    "task_resumed": N_("Hồ sơ %(code)s đã được bổ sung: việc “%(name)s” (vai trò %(role)s) tiếp tục xử lý."),
    "due_soon": N_("Hồ sơ %(code)s sắp đến hạn giải quyết (%(due)s); bước đang chờ: “%(name)s”."),
    "overdue": N_("Hồ sơ %(code)s đã quá hạn giải quyết (%(due)s); bước đang chờ: “%(name)s”."),
    "escalation_overdue": N_("Báo cáo Trưởng Bộ phận Một cửa: hồ sơ %(code)s đã quá hạn giải quyết (%(due)s)."),
    "escalation_step_late": N_("Báo cáo Trưởng Bộ phận Một cửa: bước “%(name)s” của hồ sơ %(code)s (vai trò "
                               "%(role)s) chưa xong dù đã quá thời hạn của bước (%(due)s)."),
    "escalation_step_answered_late": N_("Báo cáo Trưởng Bộ phận Một cửa: bước “%(name)s” của hồ sơ %(code)s "
                                        "(vai trò %(role)s) hoàn thành chậm so với thời hạn của bước (%(due)s)."),
    "digest_subject": N_("Motcua: %(count)s thông báo mới"),
    "digest_greeting": N_("Kính gửi %(name)s, các thông báo mới chưa đọc của anh/chị:"),
    "digest_more": N_("… và %(count)s thông báo khác: xem trang Thông báo."),
}
KINDS = {"task_opened": N_("Việc mới"), "due_soon": N_("Sắp đến hạn"), "overdue": N_("Đã quá hạn"),
         "supplement": N_("Hồ sơ bổ sung"), "task_resumed": N_("Tiếp tục xử lý"),
         "escalation": N_("Báo cáo vượt cấp")}


async def role_names() -> dict[str, tuple[str, str]]:
    return {r.code: (r.name, r.name_en or r.name) for r in await Role.all()}


def phrase_for(lang: str, roles: Mapping[str, tuple[str, str]]) -> Phrase:
    """phrase(text_key, params) -> the sentence in `lang` (dates dd/mm/yyyy, Vietnam time)."""
    tr = gettext_for(lang)

    def phrase(key: str, params: Mapping[str, Any]) -> str:
        token = current_language.set(lang)  # fmt_due's words follow the sentence's language
        try:
            role = str(params.get("role") or "")
            values = {**params, "due": fmt_due(params.get("due")) if params.get("due") else "—",
                      "role": (roles[role][1 if lang == "en" else 0] if role in roles else role) or "—"}
        finally:
            current_language.reset(token)
        template = TEXTS.get(key)
        if template is None:
            return key
        return tr.gettext(template) % {k: values.get(k, "") for k in ("code", "name", "role", "due", "count", "files")}

    return phrase


def link(notice: Notice) -> str:
    """Where a notice leads: a new task to its page, anything else to the dossier."""
    if notice.text_key == "task_opened" and notice.task_id:
        return f"/can-bo/viec/{notice.task_id}"
    return f"/can-bo/ho-so/{notice.dossier_code}"
