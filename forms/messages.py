"""The forms catalogue: error codes and UI strings -> Vietnamese (default) and English text.

Wording follows CITIZEN_UX.md P5/§4: short imperatives, no "Vui lòng", no "không hợp lệ", the
field named in the label's own words. ``{name}`` is the field's noun (``properties["motcua:errorName"]``
or its label), lower-cased at the start; ``{Name}`` is the same, capitalised.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("vi", "en")

CATALOGUE: dict[str, dict[str, str]] = {
    "required.text": {"vi": "Nhập {name}", "en": "Enter {name}"},
    "required.choice": {"vi": "Chọn {name}", "en": "Select {name}"},
    "required.multi": {"vi": "Chọn ít nhất một {name}", "en": "Select at least one {name}"},
    "required.checkbox": {"vi": "Đánh dấu vào ô {name} để tiếp tục", "en": "Tick ‘{name}’ to continue"},
    "required.file": {"vi": "Tải lên {name}", "en": "Upload {name}"},
    "min_length": {"vi": "{Name} phải có ít nhất {n} ký tự", "en": "{Name} must be {n} characters or more"},
    "max_length": {"vi": "{Name} phải có tối đa {n} ký tự", "en": "{Name} must be {n} characters or fewer"},
    "pattern": {"vi": "{Name} chưa đúng định dạng yêu cầu", "en": "{Name} is not in the required format"},
    "email": {"vi": "Nhập địa chỉ thư điện tử đúng định dạng, như ten@vidu.vn",
              "en": "Enter an email address in the correct format, like name@example.com"},
    "phone": {"vi": "Nhập số điện thoại di động gồm 10 chữ số, như 0912 345 678",
              "en": "Enter a 10-digit mobile number, like 0912 345 678"},
    "number": {"vi": "{Name} phải là một số", "en": "{Name} must be a number"},
    "integer": {"vi": "{Name} phải là số nguyên", "en": "{Name} must be a whole number"},
    "decimal_digits": {"vi": "{Name} chỉ được có tối đa {n} chữ số sau dấu phẩy",
                       "en": "{Name} can have at most {n} decimal places"},
    "increment": {"vi": "{Name} phải là bội số của {step}, như {below} hoặc {above}",
                  "en": "{Name} must be a multiple of {step}, like {below} or {above}"},
    "min": {"vi": "{Name} phải lớn hơn hoặc bằng {min}", "en": "{Name} must be {min} or more"},
    "max": {"vi": "{Name} phải nhỏ hơn hoặc bằng {max}", "en": "{Name} must be {max} or less"},
    "range": {"vi": "{Name} phải từ {min} đến {max}", "en": "{Name} must be between {min} and {max}"},
    "choice": {"vi": "Chọn {name} trong danh sách", "en": "Select {name} from the list"},
    "type": {"vi": "{Name} có kiểu dữ liệu không đúng", "en": "{Name} has the wrong type of value"},
    "date.day": {"vi": "{Name} phải có ngày", "en": "{Name} must include a day"},
    "date.month": {"vi": "{Name} phải có tháng", "en": "{Name} must include a month"},
    "date.year": {"vi": "{Name} phải có năm", "en": "{Name} must include a year"},
    "date.year4": {"vi": "Năm phải gồm 4 chữ số", "en": "Year must include 4 numbers"},
    "date.real": {"vi": "{Name} phải là ngày có thật", "en": "{Name} must be a real date"},
    "date.format": {"vi": "Nhập {name} theo dạng ngày/tháng/năm, như 27/03/2007",
                    "en": "Enter {name} as day/month/year, like 27/03/2007"},
    "time": {"vi": "Nhập {name} theo dạng giờ:phút, như 16:00", "en": "Enter {name} as hours:minutes, like 16:00"},
    "datetime": {"vi": "Nhập {name} gồm ngày và giờ", "en": "Enter {name} with a date and a time"},
    "future": {"vi": "{Name} không được sau ngày hôm nay", "en": "{Name} must be today or in the past"},
    "past": {"vi": "{Name} phải là hôm nay hoặc sau hôm nay", "en": "{Name} must be today or in the future"},
    "cccd": {"vi": "{Name} phải có đủ 12 chữ số", "en": "{Name} must be 12 digits"},
    "cmnd": {"vi": "Số chứng minh nhân dân 9 số không còn dùng được. Nhập số định danh cá nhân gồm 12 chữ số "
                   "in trên thẻ căn cước",
             "en": "9-digit identity card (CMND) numbers can no longer be used. Enter the 12-digit personal "
                   "identification number printed on the citizen ID card"},
    "tax_code": {"vi": "{Name} phải gồm 10 hoặc 13 chữ số (như 0123456789-001), hoặc là số định danh cá nhân "
                       "12 chữ số",
                 "en": "{Name} must be 10 or 13 digits (like 0123456789-001), or a 12-digit personal ID number"},
    "file_type": {"vi": "Tệp đã chọn phải có định dạng {accept}", "en": "The selected file must be {accept}"},
    "file_too_large": {"vi": "Tệp quá lớn (tối đa {mb} MB)", "en": "The file is too large (at most {mb} MB)"},
    "file_content": {"vi": "Loại tệp không được chấp nhận (chỉ PDF, JPG, PNG)",
                     "en": "This type of file is not accepted (only PDF, JPG, PNG)"},
    "empty_file": {"vi": "Tệp đã chọn bị trống", "en": "The selected file is empty"},
    "storage_full": {"vi": "Hệ thống tạm thời hết chỗ lưu tệp nên chưa nhận được tệp này; hồ sơ chưa được nộp, "
                           "thông tin đã nhập được giữ lại. Vui lòng thử lại sau",
                     "en": "The system has run out of space for files, so this file was not received; the "
                           "application was not submitted and what you entered is kept. Please try again later"},
    "min_rows": {"vi": "{Name} cần có ít nhất {n} dòng", "en": "{Name} needs at least {n} rows"},
    "file_count": {"vi": "Chỉ chọn một tệp cho {name}", "en": "Select only one file for {name}"},
    "rows": {"vi": "{Name} có tối đa {n} dòng", "en": "{Name} can have at most {n} rows"},
    # a notification channel ticked on the apply page without its address (web/citizen/apply.py)
    "notify_email": {"vi": "Nhập {name} để nhận thông báo qua thư điện tử, hoặc bỏ chọn nhận thông báo qua thư",
                     "en": "Enter {name} to get notifications by e-mail, or untick e-mail notifications"},
    "notify_sms": {"vi": "Nhập {name} để nhận thông báo qua tin nhắn, hoặc bỏ chọn nhận thông báo qua tin nhắn",
                   "en": "Enter {name} to get notifications by text message, or untick text messages"},
    # interface
    "ui.summary": {"vi": "Có thông tin cần sửa", "en": "There is a problem"},
    "ui.error_prefix": {"vi": "Lỗi:", "en": "Error:"},
    "ui.optional": {"vi": "(không bắt buộc)", "en": "(optional)"},
    "ui.day": {"vi": "Ngày", "en": "Day"},
    "ui.month": {"vi": "Tháng", "en": "Month"},
    "ui.year": {"vi": "Năm", "en": "Year"},
    "ui.time": {"vi": "Giờ", "en": "Time"},
    "ui.date_hint": {"vi": "Ví dụ: 27 3 2007", "en": "For example, 27 3 2007"},
    "ui.dmy_hint": {"vi": "Nhập theo dạng ngày/tháng/năm, ví dụ 27/03/2007",
                    "en": "Enter as day/month/year, for example 27/03/2007"},
    "ui.time_hint": {"vi": "Ví dụ: 16:00", "en": "For example, 16:00"},
    "ui.select": {"vi": "Chọn", "en": "Select"},
    "ui.submit": {"vi": "Tiếp tục", "en": "Continue"},
    "ui.add_row": {"vi": "Thêm dòng", "en": "Add another row"},
    "ui.remove_row": {"vi": "Xoá dòng {n}", "en": "Remove row {n}"},
    "ui.row": {"vi": "Dòng {n}", "en": "Row {n}"},
    "ui.accept": {"vi": "Định dạng nhận: {accept}", "en": "Accepted formats: {accept}"},
    "ui.current_file": {"vi": "Đã tải lên: {name}", "en": "Already uploaded: {name}"},
    "ui.replace_file": {"vi": "Chọn tệp khác nếu muốn thay thế; bỏ trống để giữ tệp đã tải lên.",
                        "en": "Choose another file to replace it; leave empty to keep the uploaded file."},
}

_REQUIRED_VARIANT = {"choice": "choice", "multi": "multi", "bool": "checkbox", "file": "file"}


class _Params(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def text(key: str, lang: str = "vi", **params: Any) -> str:
    """A catalogue string with its placeholders filled; unknown keys come back as themselves."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["vi"]
    return template.format_map(_Params(params))


def noun(label: str, error_name: str = "") -> str:
    """The field as a noun inside a sentence: "Họ và tên" -> "họ và tên" (acronyms kept)."""
    name = (error_name or label or "").strip().rstrip(":").strip()
    if len(name) > 1 and name[0].isupper() and not name[1].isupper():
        name = name[0].lower() + name[1:]
    return name


def message(code: str, params: dict[str, Any], *, kind: str, label: str, error_name: str = "",
            lang: str = "vi") -> str:
    """Text for one problem ``(code, params)`` of a field of value kind ``kind``."""
    if code in ("pattern", "refused") and params.get("message"):  # refused: found outside the form, its text given
        return str(params["message"])
    name = noun(label, error_name) or ("trường này" if lang == "vi" else "this field")
    key = code
    if code == "required":
        key = "required." + _REQUIRED_VARIANT.get(kind, "text")
    elif code == "date":
        key = f"date.{params.get('problem', 'real')}"
    elif code in ("min", "max") and params.get("min") not in (None, "") and params.get("max") not in (None, ""):
        key = "range"
    return text(key, lang, **{**params, "name": name, "Name": name[:1].upper() + name[1:]})
