"""Every component type and rule, through posted HTML forms and through JSON."""

from __future__ import annotations

from typing import Any

import pytest

from forms import build, check_data, validate_data
from forms.wtf import BoundForm
from tests.forms.factories import TODAY, comp, form, options


def post(schema: dict[str, Any], formdata: dict[str, Any], data: dict[str, Any] | None = None,
         lang: str = "vi") -> BoundForm:
    bound = build(schema).bind(formdata, data, lang=lang, today=TODAY)
    bound.validate()
    return bound


def codes(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    return {k: [c for c, _ in v] for k, v in check_data(schema, data, TODAY).errors.items()}


# text -------------------------------------------------------------------------------------------

def test_required_text_fails_when_empty_or_only_spaces() -> None:
    schema = form(comp("textfield", "name", "Họ và tên", validate={"required": True}))
    assert post(schema, {"name": "   "}).errors == {"name": ["Nhập họ và tên"]}
    assert post(schema, {"name": "   "}, lang="en").errors == {"name": ["Enter họ và tên"]}
    assert post(schema, {"name": " Lan "}).data == {"name": "Lan"}


def test_lengths_are_measured_after_trim_and_nfc() -> None:
    schema = form(comp("textfield", "name", validate={"minLength": 2, "maxLength": 4}))
    assert codes(schema, {"name": " a "}) == {"name": ["min_length"]}
    assert codes(schema, {"name": "Nghe\u0323\u0302"}) == {}      # NFD "Nghệ" is 6 code points, 4 in NFC
    assert validate_data(schema, {"name": "Nghe\u0323\u0302"}, today=TODAY)[0] == {"name": "Nghệ"}
    assert codes(schema, {"name": "abcde"}) == {"name": ["max_length"]}


def test_textfield_newlines_become_spaces_but_textarea_keeps_them() -> None:
    schema = form(comp("textfield", "a"), comp("textarea", "b"))
    assert post(schema, {"a": "x\r\ny", "b": "x\r\ny"}).data == {"a": "x y", "b": "x\r\ny"}


def test_pattern_searches_and_shows_the_admins_message() -> None:
    schema = form(comp("textfield", "code", validate={"pattern": "\\d{3}", "patternErrorMessage": "Ba chữ số"}))
    assert codes(schema, {"code": "ab123cd"}) == {}             # search, not match
    assert post(schema, {"code": "ab12"}).errors == {"code": ["Ba chữ số"]}


def test_pattern_is_not_checked_on_an_empty_optional_field() -> None:
    schema = form(comp("textfield", "code", validate={"pattern": "^\\d{3}$", "patternErrorMessage": "x"}))
    assert codes(schema, {"code": ""}) == {}


@pytest.mark.parametrize(("value", "ok"), [("a@b.vn", True), ("ten.ho+1@vi-du.com.vn", True), ("a@b", True),
                                           ("a b@c.vn", False), ("@b.vn", False), ("a@", False)])
def test_email_uses_form_js_pattern(value: str, ok: bool) -> None:
    schema = form(comp("textfield", "mail", validate={"validationType": "email"}))
    assert (codes(schema, {"mail": value}) == {}) is ok


def test_validation_type_phone_means_a_vietnamese_mobile_normalised() -> None:
    schema = form(comp("textfield", "tel", validate={"validationType": "phone"}))
    assert validate_data(schema, {"tel": "+84 912 345 678"}, today=TODAY)[0] == {"tel": "0912345678"}
    assert codes(schema, {"tel": "0212345678"}) == {"tel": ["phone"]}


def test_json_text_must_be_a_string() -> None:
    assert codes(form(comp("textfield", "a")), {"a": 12}) == {"a": ["type"]}


# numbers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "value"), [
    ("100000", 100000), ("100.000", 100000), ("100,000", 100000), ("1.000.000", 1000000), ("1 000 000", 1000000),
    ("1,5", 1.5), ("1.5", 1.5), ("1.234.567,5", 1234567.5), ("1,234,567.5", 1234567.5), ("-3", -3), ("0,25", 0.25),
])
def test_numbers_accept_vietnamese_and_english_separators(typed: str, value: float) -> None:
    schema = form(comp("number", "n"))
    assert post(schema, {"n": typed}).data == {"n": value}


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "1,2,3", "1e5", "12ab", "1.000,000,5", "--1", "5."])
def test_things_that_are_not_numbers_are_refused(typed: str) -> None:
    bound = post(form(comp("number", "n", "Số tiền")), {"n": typed})
    assert bound.errors == {"n": ["Số tiền phải là một số"]}


def test_three_decimals_are_decimals_when_the_field_allows_them() -> None:
    assert post(form(comp("number", "n", decimalDigits=3)), {"n": "1,125"}).data == {"n": 1.125}
    assert post(form(comp("number", "n")), {"n": "1,125"}).data == {"n": 1125}


def test_decimal_digits_zero_requires_a_whole_number() -> None:
    schema = form(comp("number", "n", "Năm sinh", decimalDigits=0))
    assert post(schema, {"n": "1990,5"}).errors == {"n": ["Năm sinh phải là số nguyên"]}
    assert codes(schema, {"n": 1990.0}) == {}
    assert codes(form(comp("number", "n", decimalDigits=1)), {"n": 1.25}) == {"n": ["decimal_digits"]}


def test_increment_names_the_two_nearest_valid_values() -> None:
    schema = form(comp("number", "n", "Số lượng", increment=5))
    bound = post(schema, {"n": "12"})
    assert bound.problems["n"][0][0] == "increment"
    assert bound.errors == {"n": ["Số lượng phải là bội số của 5, như 10 hoặc 15"]}
    assert codes(schema, {"n": 15}) == {}
    assert codes(form(comp("number", "n", increment="0.5")), {"n": -1.5}) == {}


def test_min_and_max_give_a_range_message_when_both_are_set() -> None:
    schema = form(comp("number", "n", "Số bản", validate={"min": 0, "max": 50}))
    assert post(schema, {"n": "51"}).errors == {"n": ["Số bản phải từ 0 đến 50"]}
    assert codes(schema, {"n": -1}) == {"n": ["min"]}
    only_min = form(comp("number", "n", "Vốn", validate={"min": 1}))
    assert post(only_min, {"n": "0"}, lang="en").errors == {"n": ["Vốn must be 1 or more"]}


def test_serialize_to_string_submits_the_number_as_text() -> None:
    assert post(form(comp("number", "n", serializeToString=True)), {"n": "1.000,50"}).data == {"n": "1000.5"}


def test_json_numbers_refuse_bools_and_accept_numeric_strings() -> None:
    schema = form(comp("number", "n"))
    assert codes(schema, {"n": True}) == {"n": ["type"]}
    assert validate_data(schema, {"n": "1.000"}, today=TODAY)[0] == {"n": 1000}
    assert validate_data(schema, {"n": None}, today=TODAY)[0] == {"n": None}


# choices ----------------------------------------------------------------------------------------

def test_checkbox_is_false_when_not_posted_and_required_means_ticked() -> None:
    schema = form(comp("checkbox", "agree", "Cam đoan", validate={"required": True}))
    assert post(schema, {}).errors == {"agree": ["Đánh dấu vào ô cam đoan để tiếp tục"]}
    assert post(schema, {"agree": "true"}).data == {"agree": True}
    assert post(form(comp("checkbox", "x")), {}).data == {"x": False}
    assert codes(schema, {"agree": "yes"}) == {"agree": ["type"]}


@pytest.mark.parametrize("type_", ["radio", "select"])
def test_single_choice_maps_the_posted_token_back_to_the_option_value(type_: str) -> None:
    values = [{"label": "Một", "value": 1}, {"label": "Hai", "value": "2"}]
    schema = form(comp(type_, "pick", "Giới tính", values=values, validate={"required": True}))
    assert post(schema, {"pick": "1"}).data == {"pick": 1}
    assert post(schema, {"pick": "2"}).data == {"pick": "2"}
    assert post(schema, {"pick": ""}).errors == {"pick": ["Chọn giới tính"]}
    assert post(schema, {"pick": "3"}).errors == {"pick": ["Chọn giới tính trong danh sách"]}
    assert codes(schema, {"pick": "1"}) == {"pick": ["choice"]}     # JSON: the value's type matters
    assert codes(schema, {"pick": 1}) == {}


@pytest.mark.parametrize("type_", ["checklist", "taglist"])
def test_multiple_choice_collects_a_list_of_values(type_: str) -> None:
    schema = form(comp(type_, "langs", "Ngôn ngữ", values=options("vi", "en", "fr"), validate={"required": True}))
    bound = build(schema).bind(MultiDict([("langs", "vi"), ("langs", "fr"), ("langs", "vi")]), None, today=TODAY)
    assert bound.validate() and bound.data == {"langs": ["vi", "fr"]}
    assert post(schema, {}).errors == {"langs": ["Chọn ít nhất một ngôn ngữ"]}
    assert post(schema, {"langs": ["vi", "de"]}).problems == {"langs": [("choice", {})]}
    assert codes(schema, {"langs": "vi"}) == {"langs": ["type"]}
    assert codes(schema, {"langs": []}) == {"langs": ["required"]}


class MultiDict:
    """The werkzeug/Starlette shape: keys may repeat."""

    def __init__(self, items: list[tuple[str, Any]]) -> None:
        self.items = items

    def __iter__(self) -> Any:
        return iter(dict.fromkeys(k for k, _ in self.items))

    def __contains__(self, key: object) -> bool:
        return any(k == key for k, _ in self.items)

    def getlist(self, key: str) -> list[Any]:
        return [v for k, v in self.items if k == key]

    def get(self, key: str, default: Any = None) -> Any:
        found = self.getlist(key)
        return found[-1] if found else default


# dates and times --------------------------------------------------------------------------------

def test_date_boxes_store_iso_and_report_the_missing_part() -> None:
    schema = form(comp("datetime", "d", "Ngày cấp", subtype="date", validate={"required": True}))
    assert post(schema, {"d-day": "7", "d-month": "3", "d-year": "2007"}).data == {"d": "2007-03-07"}
    assert post(schema, {"d-day": "7", "d-month": "", "d-year": "2007"}).errors == {"d": ["Ngày cấp phải có tháng"]}
    assert post(schema, {"d-day": "", "d-month": "", "d-year": ""}).errors == {"d": ["Nhập ngày cấp"]}
    assert post(schema, {"d-day": "30", "d-month": "2", "d-year": "2007"}).errors == \
        {"d": ["Ngày cấp phải là ngày có thật"]}
    assert post(schema, {"d": "27/03/2007"}).data == {"d": "2007-03-27"}     # one box works too


def test_json_dates_accept_iso_and_day_first() -> None:
    schema = form(comp("datetime", "d", subtype="date"))
    assert validate_data(schema, {"d": "2007-03-27"}, today=TODAY)[0] == {"d": "2007-03-27"}
    assert validate_data(schema, {"d": "27/03/2007"}, today=TODAY)[0] == {"d": "2007-03-27"}
    assert codes(schema, {"d": "2007-02-30"}) == {"d": ["date"]}
    assert codes(schema, {"d": 20070327}) == {"d": ["type"]}


def test_disallow_passed_dates_accepts_today() -> None:
    schema = form(comp("datetime", "d", "Ngày hẹn", subtype="date", disallowPassedDates=True))
    assert codes(schema, {"d": TODAY.isoformat()}) == {}
    assert post(schema, {"d": "24/11/2026"}).errors == {"d": ["Ngày hẹn phải là hôm nay hoặc sau hôm nay"]}


@pytest.mark.parametrize(("typed", "fmt", "stored"), [
    ("16:00", "utc_offset", "16:00+07:00"), ("16h00", "no_timezone", "16:00"), ("7h", "no_timezone", "07:00"),
    ("7.30", "no_timezone", "07:30"), ("16:00", "utc_normalized", "09:00Z"),
])
def test_times_are_24_hour_and_serialised_like_form_js(typed: str, fmt: str, stored: str) -> None:
    schema = form(comp("datetime", "t", subtype="time", timeSerializingFormat=fmt))
    assert post(schema, {"t": typed}).data == {"t": stored}


def test_bad_times_are_refused() -> None:
    schema = form(comp("datetime", "t", "Giờ hẹn", subtype="time"))
    assert post(schema, {"t": "25:00"}).errors == {"t": ["Nhập giờ hẹn theo dạng giờ:phút, như 16:00"]}
    assert codes(schema, {"t": "09:00Z"}) == {}
    assert validate_data(schema, {"t": "02:00Z"}, today=TODAY)[0] == {"t": "09:00+07:00"}


def test_datetime_combines_date_boxes_and_a_time() -> None:
    schema = form(comp("datetime", "at", "Thời điểm", subtype="datetime", timeSerializingFormat="no_timezone"))
    bound = post(schema, {"at-day": "1", "at-month": "12", "at-year": "2026", "at-time": "08:30"})
    assert bound.data == {"at": "2026-12-01T08:30"}
    assert post(schema, {"at-day": "1", "at-month": "12", "at-year": "2026", "at-time": ""}).problems == \
        {"at": [("time", {})]}
    assert post(schema, {"at-time": "08:30"}).problems == {"at": [("date", {"problem": "day"})]}
    assert validate_data(schema, {"at": "2026-12-01T01:30Z"}, today=TODAY)[0] == {"at": "2026-12-01T08:30"}
    assert codes(schema, {"at": "2026-12-01"}) == {"at": ["datetime"]}


# files ------------------------------------------------------------------------------------------

class Upload:
    def __init__(self, filename: str, content_type: str = "application/octet-stream") -> None:
        self.filename = filename
        self.content_type = content_type


def test_filepicker_uploads_are_returned_apart_from_the_data() -> None:
    schema = form(comp("filepicker", "scan", "Bản chụp", accept=".pdf,image/*", validate={"required": True}))
    upload = Upload("giay-to.PDF")
    bound = post(schema, {"scan": upload})
    assert bound.validate() and bound.files == {"scan": [upload]} and bound.data == {"scan": None}
    assert post(schema, {"scan": Upload("photo.jpeg")}).errors == {}
    assert post(schema, {"scan": Upload("run.exe")}).errors == {"scan": ["Tệp đã chọn phải có định dạng .pdf,image/*"]}
    assert post(schema, {"scan": Upload("")}).errors == {"scan": ["Tải lên bản chụp"]}


def test_a_file_already_uploaded_satisfies_required_and_is_kept() -> None:
    schema = form(comp("filepicker", "scan", validate={"required": True}))
    bound = post(schema, {"other": "x"}, data={"scan": "att-123"})
    assert bound.errors == {} and bound.data == {"scan": "att-123"}


def test_one_file_only_unless_multiple() -> None:
    single = form(comp("filepicker", "f", "Tệp"))
    assert post(single, {"f": [Upload("a.pdf"), Upload("b.pdf")]}).errors == {"f": ["Chỉ chọn một tệp cho tệp"]}
    many = form(comp("filepicker", "f", multiple=True))
    assert len(post(many, {"f": [Upload("a.pdf"), Upload("b.pdf")]}).files["f"]) == 2


def test_json_files_are_references_strings_or_objects() -> None:
    ref = {"name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 1024, "sha256": "0" * 64}
    single, many = form(comp("filepicker", "f")), form(comp("filepicker", "f", multiple=True))
    assert codes(single, {"f": "files::att-1"}) == {}
    assert codes(single, {"f": [ref]}) == {}
    assert codes(single, {"f": [ref, ref]}) == {"f": ["file_count"]}
    assert codes(many, {"f": ["att-1", ref]}) == {}
    assert codes(single, {"f": [""]}) == {"f": ["type"]}
    assert codes(single, {"f": 12}) == {"f": ["type"]}
    assert codes(form(comp("filepicker", "f", validate={"required": True})), {"f": []}) == {"f": ["required"]}


def test_stored_file_references_are_put_back_at_their_keys_rows_included() -> None:
    schema = form(comp("filepicker", "top"), comp("dynamiclist", label="L", path="rows", components=[
        comp("filepicker", "scan")]))
    bound = post(schema, {"top": Upload("a.pdf"), "rows-0-_row": "1", "rows-0-scan": Upload("b.pdf")})
    assert set(bound.files) == {"top", "rows[0].scan"}
    refs = {"top": [{"name": "a.pdf"}], "rows[0].scan": [{"name": "b.pdf"}]}
    assert bound.with_files(refs) == {"top": [{"name": "a.pdf"}], "rows": [{"scan": [{"name": "b.pdf"}]}]}
    assert bound.data == {"top": None, "rows": [{"scan": None}]}


# structure --------------------------------------------------------------------------------------

def test_dotted_keys_and_group_paths_nest_the_data() -> None:
    schema = form(comp("textfield", "applicant.name"),
                  comp("group", label="Mẹ", path="parents.mother", components=[comp("textfield", "name"),
                                                                              comp("textfield", "id.number")]),
                  comp("group", label="No path", components=[comp("textfield", "flat")]))
    bound = post(schema, {"applicant.name": "A", "parents.mother.name": "B", "parents.mother.id.number": "1",
                          "flat": "C"})
    assert bound.data == {"applicant": {"name": "A"}, "parents": {"mother": {"name": "B", "id": {"number": "1"}}},
                          "flat": "C"}
    assert validate_data(schema, bound.data, today=TODAY) == (bound.data, {})


def test_dynamic_list_rows_become_a_list_of_dicts_with_row_error_keys() -> None:
    schema = form(comp("dynamiclist", label="Thành viên", path="members", components=[
        comp("textfield", "name", "Họ tên", validate={"required": True}), comp("checkbox", "adult")]))
    bound = post(schema, {"members-0-_row": "1", "members-0-name": "An", "members-0-adult": "true",
                          "members-1-_row": "1", "members-1-name": ""})
    assert bound.errors == {"members[1].name": ["Nhập họ tên"]}
    assert bound.data == {"members": [{"name": "An", "adult": True}, {"adult": False}]}  # the bad value is left out
    assert codes(schema, {"members": [{"name": "An", "adult": False}, {"name": ""}]}) == \
        {"members[1].name": ["required"]}
    assert codes(schema, {"members": {"name": "An"}}) == {"members": ["type"]}


def test_a_list_with_more_than_fifty_rows_is_refused() -> None:
    schema = form(comp("dynamiclist", label="L", path="rows", components=[comp("textfield", "x")]))
    assert codes(schema, {"rows": [{"x": "a"}] * 51}) == {"rows": ["rows"]}


def test_nested_dynamic_lists_key_errors_by_both_indexes() -> None:
    schema = form(comp("dynamiclist", label="A", path="a", components=[
        comp("dynamiclist", label="B", path="b", components=[comp("number", "n", validate={"required": True})])]))
    bound = post(schema, {"a-0-_row": "1", "a-0-b-0-_row": "1", "a-0-b-0-n": "1", "a-0-b-1-_row": "1",
                          "a-0-b-1-n": ""})
    assert bound.problems == {"a[0].b[1].n": [("required", {})]}
    assert codes(schema, {"a": [{"b": [{"n": 1}]}]}) == {}


def test_default_values_fill_missing_json_keys_but_not_explicit_empties() -> None:
    schema = form(comp("select", "nat", values=options("vn", "other"), defaultValue="vn"),
                  comp("number", "copies", defaultValue=0))
    assert validate_data(schema, {}, today=TODAY)[0] == {"nat": "vn", "copies": 0}
    assert validate_data(schema, {"nat": None}, today=TODAY)[0] == {"nat": None, "copies": 0}


def test_disabled_fields_are_neither_validated_nor_submitted() -> None:
    schema = form(comp("textfield", "locked", disabled=True, validate={"required": True}), comp("textfield", "b"))
    assert post(schema, {"locked": "", "b": "x"}).data == {"b": "x"}
    assert codes(schema, {}) == {}


def test_readonly_fields_keep_their_initial_value_when_the_form_is_posted() -> None:
    schema = form(comp("textfield", "code", readonly=True), comp("textfield", "note"))
    bound = post(schema, {"code": "tampered", "note": "n"}, data={"code": "HS-001"})
    assert bound.data == {"code": "HS-001", "note": "n"}


def test_readonly_feel_expression_is_evaluated_on_the_data() -> None:
    schema = form(comp("checkbox", "lock"), comp("textfield", "code", readonly="=lock"))
    assert post(schema, {"lock": "true", "code": "new"}, data={"code": "old"}).data["code"] == "old"
    assert post(schema, {"code": "new"}, data={"code": "old"}).data["code"] == "new"


def test_layout_components_carry_no_data() -> None:
    schema = form(comp("text", text="Hi"), comp("separator"), comp("spacer"), comp("button", label="Gửi"),
                  comp("textfield", "a"))
    assert post(schema, {"a": "x"}).data == {"a": "x"}
