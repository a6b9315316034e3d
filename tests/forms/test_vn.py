"""Vietnamese field types (RULES.md §6.0): citizen ID, phone, tax code, dates, date of birth."""

from __future__ import annotations

from datetime import date

import pytest

from forms import build, validate_data
from forms.vn import citizen_id, from_parts, mobile_phone, parse_date, parse_date_boxes, tax_code
from tests.forms.factories import TODAY, comp, form


@pytest.mark.parametrize(("typed", "clean"), [
    ("001195012345", "001195012345"),
    ("001 195 012 345", "001195012345"),
    ("001.195.012.345", "001195012345"),
])
def test_citizen_id_is_twelve_digits_with_spaces_and_dots_ignored(typed: str, clean: str) -> None:
    assert citizen_id(typed) == (clean, None)


def test_nine_digit_cmnd_is_refused_with_its_own_code() -> None:
    assert citizen_id("123456789") == (None, "cmnd")
    assert citizen_id("123 456 789") == (None, "cmnd")


@pytest.mark.parametrize("typed", ["12345678901", "1234567890123", "00119501234a", "", "١٢٣٤٥٦٧٨٩٠١٢"])
def test_citizen_id_of_any_other_shape_is_refused(typed: str) -> None:
    assert citizen_id(typed) == (None, "cccd")


@pytest.mark.parametrize(("typed", "clean"), [
    ("0912345678", "0912345678"),
    ("+84912345678", "0912345678"),
    ("+84 912 345 678", "0912345678"),
    ("84912345678", "0912345678"),
    ("0084912345678", "0912345678"),
    ("091.234.5678", "0912345678"),
    ("(091) 234-5678", "0912345678"),
    ("0312345678", "0312345678"),
    ("0512345678", "0512345678"),
    ("0712345678", "0712345678"),
    ("0812345678", "0812345678"),
])
def test_mobile_phone_is_normalised_to_a_leading_zero(typed: str, clean: str) -> None:
    assert mobile_phone(typed) == (clean, None)


@pytest.mark.parametrize("typed", ["0212345678", "0112345678", "091234567", "09123456789", "+1 912 345 678",
                                   "0612345678", "phone"])
def test_non_mobile_numbers_are_refused(typed: str) -> None:
    assert mobile_phone(typed) == (None, "phone")


@pytest.mark.parametrize(("typed", "clean"), [
    ("0123456789", "0123456789"),
    ("0123456789-001", "0123456789-001"),
    ("0123456789001", "0123456789-001"),
    ("0123 456 789", "0123456789"),
    ("001195012345", "001195012345"),      # an individual's personal ID since 1 Jul 2025
])
def test_tax_code_accepts_ten_thirteen_or_a_twelve_digit_personal_id(typed: str, clean: str) -> None:
    assert tax_code(typed) == (clean, None)


@pytest.mark.parametrize("typed", ["012345678", "01234567890", "0123456789-01", "0123456789-0011", "ABC"])
def test_tax_code_of_other_lengths_is_refused(typed: str) -> None:
    assert tax_code(typed) == (None, "tax_code")


@pytest.mark.parametrize(("typed", "day"), [
    ("27/03/2007", date(2007, 3, 27)),
    ("7/3/2007", date(2007, 3, 7)),
    ("27-03-2007", date(2007, 3, 27)),
    ("27.03.2007", date(2007, 3, 27)),
    ("27 3 2007", date(2007, 3, 27)),
    ("2007-03-27", date(2007, 3, 27)),
    ("29/02/2024", date(2024, 2, 29)),
])
def test_dates_are_read_day_month_year_or_iso(typed: str, day: date) -> None:
    assert parse_date(typed) == (day, None)


@pytest.mark.parametrize(("typed", "code"), [
    ("31/02/2025", "real"), ("29/02/2025", "real"), ("12/13/2025", "real"), ("00/01/2025", "real"),
    ("03/27/07", "format"), ("2007/03/27", "format"), ("hôm qua", "format"), ("2025-02-30", "real"),
])
def test_impossible_or_malformed_dates_are_refused(typed: str, code: str) -> None:
    assert parse_date(typed) == (None, code)


@pytest.mark.parametrize(("boxes", "result"), [
    (("27", "3", "2007"), (date(2007, 3, 27), None)),
    (("27", "tháng 3", "2007"), (date(2007, 3, 27), None)),
    (("27", "th3", "2007"), (date(2007, 3, 27), None)),
    (("", "3", "2007"), (None, "day")),
    (("27", "", "2007"), (None, "month")),
    (("27", "3", ""), (None, "year")),
    (("27", "3", "07"), (None, "year4")),
    (("31", "4", "2007"), (None, "real")),
])
def test_three_box_dates_report_the_worst_problem_first(boxes: tuple[str, str, str],
                                                        result: tuple[date | None, str | None]) -> None:
    assert parse_date_boxes(*boxes) == result


def test_year_zero_is_not_a_real_date() -> None:
    assert from_parts(1, 1, 0) == (None, "real")


def _typed_form(vn_type: str, **extra: object) -> dict[str, object]:
    return form(comp("textfield", "x", "Giá trị", properties={"motcua:type": vn_type}, **extra))


def test_cccd_field_cleans_and_refuses_cmnd_with_the_official_wording() -> None:
    schema = _typed_form("cccd")
    assert validate_data(schema, {"x": "001 195 012 345"}, today=TODAY) == ({"x": "001195012345"}, {})
    _, errors = validate_data(schema, {"x": "123456789"}, today=TODAY)
    assert errors["x"][0].startswith("Số chứng minh nhân dân 9 số không còn dùng được")
    _, errors = validate_data(schema, {"x": "12345"}, lang="en", today=TODAY)
    assert errors == {"x": ["Giá trị must be 12 digits"]}


def test_phone_field_stores_the_normalised_number() -> None:
    assert validate_data(_typed_form("phone"), {"x": "+84 912 345 678"}, today=TODAY)[0] == {"x": "0912345678"}


def test_tax_code_field_stores_the_dashed_form() -> None:
    assert validate_data(_typed_form("tax_code"), {"x": "0123456789001"}, today=TODAY)[0] == {"x": "0123456789-001"}


def test_date_dmy_field_is_entered_day_first_and_stored_iso() -> None:
    spec = build(_typed_form("date_dmy"))
    bound = spec.bind({"x": "27/03/2007"}, None, today=TODAY)
    assert bound.validate() and bound.data == {"x": "2007-03-27"}


def test_date_of_birth_may_be_today_but_not_tomorrow() -> None:
    schema = _typed_form("date_of_birth")
    assert validate_data(schema, {"x": "25/11/2026"}, today=TODAY) == ({"x": "2026-11-25"}, {})
    _, errors = validate_data(schema, {"x": "26/11/2026"}, today=TODAY)
    assert errors == {"x": ["Giá trị không được sau ngày hôm nay"]}


def test_date_of_birth_on_a_datetime_component_uses_today_too() -> None:
    schema = form(comp("datetime", "dob", "Ngày sinh", subtype="date", properties={"motcua:type": "date_of_birth"}))
    bound = build(schema).bind({"dob-day": "26", "dob-month": "11", "dob-year": "2026"}, None, today=TODAY)
    assert not bound.validate() and bound.problems == {"dob": [("future", {})]}
    bound = build(schema).bind({"dob-day": "24", "dob-month": "11", "dob-year": "2026"}, None, today=TODAY)
    assert bound.validate() and bound.data == {"dob": "2026-11-24"}
