"""The shipped notification templates (Jinja text, rendered in a sandbox by web/notify_templates.py).

Per event kind and language: the e-mail subject and the message line; the e-mail body wraps the
line in a greeting and a signature, the SMS is the line alone. Administrators override any of them
at /quan-tri/thong-bao (engine.notifications: notification_template)."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # marks a string for the catalogue; translated in the template
    return message


KIND_LABELS = {"submitted": N_("Đã nộp hồ sơ"), "accepted": N_("Hồ sơ được tiếp nhận"),
               "supplement_requested": N_("Yêu cầu bổ sung hồ sơ"),
               "financial_obligation_requested": N_("Yêu cầu thực hiện nghĩa vụ tài chính"),
               "reappointed": N_("Hẹn lại ngày trả kết quả"), "result_ready": N_("Đã có kết quả"),
               "refused": N_("Hồ sơ bị từ chối"), "returned": N_("Đã trả kết quả")}
CHANNEL_LABELS = {"email": N_("Thư điện tử"), "sms": N_("Tin nhắn SMS")}
STATUS_LABELS = {"queued": N_("Đang gửi"), "sent": N_("Đã gửi"), "delivered": N_("Đã đến máy người nhận"),
                 "failed": N_("Gửi lỗi, sẽ thử lại")}

#: kind -> language -> (subject, line)
MESSAGES: dict[str, dict[str, tuple[str, str]]] = {
    "submitted": {
        "vi": ("Hồ sơ {{ code }} đã được nộp",
               "Hồ sơ {{ procedure }} của ông/bà đã được nộp, mã hồ sơ {{ code }}. Tra cứu: {{ link }}"),
        "en": ("Dossier {{ code }} submitted",
               "Your application ({{ procedure }}) was submitted, dossier code {{ code }}. Track it: {{ link }}"),
    },
    "accepted": {
        "vi": ("Hồ sơ {{ code }} đã được tiếp nhận",
               "Hồ sơ {{ code }} đã được tiếp nhận. Ngày hẹn trả kết quả: {{ due }}. Tra cứu: {{ link }}"),
        "en": ("Dossier {{ code }} accepted",
               "Dossier {{ code }} was accepted. Result expected on {{ due }}. Track it: {{ link }}"),
    },
    "supplement_requested": {
        "vi": ("Hồ sơ {{ code }} cần bổ sung",
               "Hồ sơ {{ code }} cần bổ sung: {{ what|join('; ') }}.{% if deadline %} Hạn bổ sung: {{ deadline }}."
               "{% endif %} Nộp bổ sung tại: {{ link }}"),
        "en": ("Dossier {{ code }}: documents missing",
               "Dossier {{ code }} needs: {{ what|join('; ') }}.{% if deadline %} Deadline: {{ deadline }}."
               "{% endif %} Upload them at: {{ link }}"),
    },
    "financial_obligation_requested": {
        "vi": ("Hồ sơ {{ code }}: thực hiện nghĩa vụ tài chính",
               "Hồ sơ {{ code }}: đề nghị ông/bà thực hiện nghĩa vụ tài chính{% if note %} ({{ note }}){% endif %}."
               " Chi tiết: {{ link }}"),
        "en": ("Dossier {{ code }}: fees and taxes to pay",
               "Dossier {{ code }}: please pay the fees and taxes{% if note %} ({{ note }}){% endif %}."
               " Details: {{ link }}"),
    },
    "reappointed": {
        "vi": ("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {{ code }}",
               "Chúng tôi xin lỗi ông/bà: hồ sơ {{ code }} chưa thể trả kết quả đúng hẹn"
               "{% if reason %} ({{ reason }}){% endif %}. Ngày hẹn mới: {{ due }}. Tra cứu: {{ link }}"),
        "en": ("Apology and new date for dossier {{ code }}",
               "We apologise: dossier {{ code }} cannot be finished on time{% if reason %} ({{ reason }}){% endif %}."
               " New date: {{ due }}. Track it: {{ link }}"),
    },
    "result_ready": {
        "vi": ("Hồ sơ {{ code }} đã có kết quả",
               "Hồ sơ {{ code }} đã có kết quả. {% if result_channel == 'electronic' %}Nhận kết quả điện tử tại: "
               "{{ link }}{% else %}Mời ông/bà đến bộ phận một cửa nhận kết quả, mang theo giấy tiếp nhận hồ sơ"
               "{% if result_channel == 'both' %}; bản điện tử tại: {{ link }}{% endif %}.{% endif %}"),
        "en": ("Dossier {{ code }}: result ready",
               "The result of dossier {{ code }} is ready. {% if result_channel == 'electronic' %}Get it online: "
               "{{ link }}{% else %}Collect it at the one-stop desk with your receipt"
               "{% if result_channel == 'both' %}; electronic copy: {{ link }}{% endif %}.{% endif %}"),
    },
    "refused": {
        "vi": ("Hồ sơ {{ code }} không được giải quyết",
               "Hồ sơ {{ code }} không được giải quyết. Lý do: {{ reasons|join('; ') }}. Chi tiết: {{ link }}"),
        "en": ("Dossier {{ code }} refused",
               "Dossier {{ code }} was refused. Reasons: {{ reasons|join('; ') }}. Details: {{ link }}"),
    },
    "returned": {
        "vi": ("Hồ sơ {{ code }} đã trả kết quả",
               "Hồ sơ {{ code }} đã được trả kết quả. Mời ông/bà đánh giá mức độ hài lòng tại: {{ link }}"),
        "en": ("Dossier {{ code }}: result handed over",
               "The result of dossier {{ code }} was handed over. Please rate our service: {{ link }}"),
    },
}

#: the e-mail body around the line
EMAIL_BODY = {
    "vi": "Kính gửi ông/bà {{ name }},\n\n{{ line }}\n\nTrân trọng,\nBộ phận tiếp nhận và trả kết quả",
    "en": "Dear {{ name }},\n\n{{ line }}\n\nKind regards,\nThe one-stop desk",
}

#: the sample dossier of the admins' preview
SAMPLE: dict[str, Any] = {
          "code": "000.00.00.H00-260302-0001", "name": "Nguyễn Văn An", "procedure": "Đăng ký hộ kinh doanh",
          "link": "https://motcua.example.gov.vn/tra-cuu?ma=000.00.00.H00-260302-0001", "due": "09/03/2026",
          "original_due": "05/03/2026", "deadline": "20/03/2026", "what": ["Bản sao CCCD", "Hợp đồng thuê nhà"],
          "reasons": ["Ngành nghề kinh doanh có điều kiện"], "reason": "cần xác minh thêm",
          "note": "Lệ phí 100.000 đồng", "result_channel": "paper"}


def default(kind: str, channel: str, language: str) -> tuple[str, str]:
    """(subject, body) shipped for the kind, channel and language."""
    subject, line = MESSAGES[kind][language]
    if channel == "sms":
        return "", line
    return subject, EMAIL_BODY[language].replace("{{ line }}", line)
