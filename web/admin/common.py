"""What the administrators' pages share: Vietnamese labels of the engine's vocabularies, the engine's
field problems in the reader's words, and dd/mm/yyyy dates read from forms."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from engine.errors import InvalidData

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def N_(message: str) -> str:
    """The gettext marker Babel extracts (a keyword it knows); templates translate the value."""
    return message


ROLE_LABELS = {"one_stop": N_("Cán bộ một cửa"), "specialist": N_("Chuyên viên xử lý"), "leader": N_("Lãnh đạo")}
KIND_LABELS = {"admin": N_("Quản trị viên"), "staff": N_("Cán bộ"), "manager": N_("Cán bộ quản lý"),
               "citizen": N_("Công dân")}
TIER_LABELS = {"province": N_("Cấp tỉnh"), "commune": N_("Cấp xã")}
AGENCY_KIND_LABELS = {"province_committee": N_("Ủy ban nhân dân tỉnh"),
                      "centre": N_("Trung tâm Phục vụ hành chính công tỉnh"),
                      "department": N_("Sở, ban, ngành"), "commune_committee": N_("Ủy ban nhân dân cấp xã")}
COMMUNE_TYPE_LABELS = {"xa": N_("Xã"), "phuong": N_("Phường"), "dac_khu": N_("Đặc khu")}
WEEKDAY_LABELS = [N_("Thứ hai"), N_("Thứ ba"), N_("Thứ tư"), N_("Thứ năm"), N_("Thứ sáu"), N_("Thứ bảy"),
                  N_("Chủ nhật")]
CHANNEL_LABELS = {"online": N_("Trực tuyến"), "counter": N_("Giấy, nộp tại quầy"), "post": N_("Giấy, qua bưu chính")}
EXCEPTION_LABELS = {"postal": N_("Hồ sơ gửi qua bưu chính"), "data_conflict": N_("Dữ liệu không khớp"),
                    "priority_citizen": N_("Người được ưu tiên"), "officer_assisted": N_("Cán bộ hỗ trợ nộp")}

#: the engine's field problems (English, stable) by their beginning -> the page's message
_PROBLEMS = [
    ("required", N_("Bắt buộc nhập.")),
    ("already", N_("Đã được dùng.")),
    ("letters, digits", N_("Chỉ gồm chữ, số và các dấu . - _")),
    ("at most", N_("Quá dài.")),
    ("at least 8", N_("Ít nhất 8 ký tự.")),
    ("an active agency", N_("Chọn một cơ quan đang hoạt động.")),
    ("a province-level agency", N_("Cơ quan cấp trên phải là một cơ quan cấp tỉnh khác.")),
    ("a commune-level agency", N_("Cơ quan cấp xã là Ủy ban nhân dân xã, phường hoặc đặc khu (và chỉ cơ quan đó).")),
    ("unknown role", N_("Vai trò không tồn tại.")),
    ("a date", N_("Nhập ngày theo dạng dd/mm/yyyy.")),
    ("on or after", N_("Không được trước ngày bắt đầu.")),
    ("a non-empty list", N_("Chọn ít nhất một kênh.")),
    ("one of", N_("Chọn một giá trị trong danh sách.")),
    ("an e-mail address", N_("Nhập địa chỉ thư điện tử đúng định dạng, như ten@vidu.vn, hoặc để trống.")),
]


def problems(exc: InvalidData) -> dict[str, str]:
    """field -> the message (a msgid the template translates)."""
    found: dict[str, str] = {}
    for key, messages in (exc.params.get("fields") or {}).items():
        text = str((messages or [""])[0])
        found[key] = next((vi for start, vi in _PROBLEMS if text.startswith(start)), N_("Giá trị không hợp lệ."))
    return found


def iso_date(text: object) -> str:
    """dd/mm/yyyy (or yyyy-mm-dd) -> yyyy-mm-dd; anything else comes back as typed (the engine refuses it)."""
    value = str(text or "").strip()
    parts = value.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
        except ValueError:
            return value
    return value


def vn_date(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()
