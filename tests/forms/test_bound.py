"""Bound forms: hide rules on posted data, row buttons, languages, the JSON and legacy APIs."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from forms import build, check_data, validate_data
from forms.validation import validate
from tests.forms.factories import TODAY, comp, form, options

KIND = comp("radio", "kind", "Loại", values=options("person", "company"), validate={"required": True})
COMPANY = comp("textfield", "company_name", "Tên doanh nghiệp", validate={"required": True},
               conditional={"hide": "=kind != \"company\""})
AREA = comp("number", "area", "Diện tích", conditional={"hide": "=floor < 100"}, validate={"required": True})


def test_hidden_fields_are_neither_validated_nor_submitted() -> None:
    schema = form(KIND, COMPANY)
    bound = build(schema).bind({"kind": "person", "company_name": "ignored"}, None, today=TODAY)
    assert bound.validate()
    assert bound.data == {"kind": "person"}
    assert not bound.visible(COMPANY["id"]) and bound.visible(KIND["id"])


def test_a_field_shown_by_the_posted_answer_is_validated() -> None:
    schema = form(KIND, COMPANY)
    bound = build(schema).bind({"kind": "company", "company_name": ""}, None, today=TODAY)
    assert not bound.validate()
    assert bound.errors == {"company_name": ["Nhập tên doanh nghiệp"]}
    assert bound.visible(COMPANY["id"])


def test_hide_rule_on_an_empty_value_hides_like_form_js() -> None:
    schema = form(comp("number", "floor"), AREA)
    assert build(schema).bind({"floor": ""}, None, today=TODAY).data == {"floor": None}    # null < 100 -> hidden
    bound = build(schema).bind({"floor": "150"}, None, today=TODAY)
    assert not bound.validate() and bound.problems == {"area": [("required", {})]}


def test_hidden_groups_hide_their_children_and_data() -> None:
    schema = form(comp("checkbox", "has_father"),
                  comp("group", label="Cha", path="father", conditional={"hide": "=has_father = false"},
                       components=[comp("textfield", "name", validate={"required": True})]))
    assert validate_data(schema, {"has_father": False, "father": {"name": ""}}, today=TODAY) == \
        ({"has_father": False}, {})
    assert validate_data(schema, {"has_father": True}, today=TODAY)[1] == {"father.name": ["Nhập name"]}


def test_hide_rules_read_initial_data_such_as_process_variables() -> None:
    schema = form(comp("textfield", "note", conditional={"hide": "=status != \"supplement\""},
                       validate={"required": True}))
    assert build(schema).bind({}, {"status": "new"}, today=TODAY).validate()
    assert not build(schema).bind({}, {"status": "supplement"}, today=TODAY).validate()


def test_rows_see_their_own_values_through_this() -> None:
    schema = form(comp("dynamiclist", label="Con", path="kids", components=[
        comp("number", "age"),
        comp("textfield", "school", conditional={"hide": "=this.age >= 18"}, validate={"required": True})]))
    data = {"kids": [{"age": 20}, {"age": 10}]}
    assert check_data(schema, data, TODAY).errors == {"kids[1].school": [("required", {})]}
    bound = build(schema).bind(None, data, today=TODAY)
    assert not bound.visible(schema["components"][0]["components"][1]["id"], (0,))
    assert bound.visible(schema["components"][0]["components"][1]["id"], (1,))


def test_add_row_button_adds_an_empty_row_without_showing_errors() -> None:
    schema = form(comp("dynamiclist", label="Thành viên", path="members", components=[
        comp("textfield", "name", validate={"required": True})]))
    bound = build(schema).bind({"members-0-_row": "1", "members-0-name": "", "_action": "add:members"}, None,
                               today=TODAY)
    assert bound.validate() is False
    assert bound.row_action == "add:members" and not bound.shows_errors
    assert len(bound.raw["members"]) == 2


def test_remove_row_button_removes_that_row() -> None:
    schema = form(comp("dynamiclist", label="Thành viên", path="members", components=[comp("textfield", "name")]))
    bound = build(schema).bind({"members-0-_row": "1", "members-0-name": "A", "members-1-_row": "1",
                                "members-1-name": "B", "_action": "remove:members-0"}, None, today=TODAY)
    assert bound.validate() is False
    assert bound.data == {"members": [{"name": "B"}]}


def test_rows_cannot_be_added_past_the_limit_or_when_add_remove_is_off() -> None:
    schema = form(comp("dynamiclist", label="L", path="rows", allowAddRemove=False,
                       components=[comp("textfield", "x")]))
    bound = build(schema).bind({"rows-0-_row": "1", "_action": "add:rows"}, None, today=TODAY)
    assert len(bound.raw["rows"]) == 1


def test_starlette_form_data_is_accepted_as_posted() -> None:
    schema = form(comp("checklist", "langs", values=options("vi", "en")), comp("textfield", "name"))
    bound = build(schema).bind(FormData([("langs", "vi"), ("langs", "en"), ("name", "An")]), None, today=TODAY)
    assert bound.validate() and bound.data == {"langs": ["vi", "en"], "name": "An"}


def test_english_messages_come_from_the_same_catalogue() -> None:
    schema = form(comp("textfield", "name", "Full name", validate={"required": True}))
    assert validate_data(schema, {}, lang="en", today=TODAY)[1] == {"name": ["Enter full name"]}
    assert validate_data(schema, {}, lang="xx", today=TODAY)[1] == {"name": ["Nhập full name"]}


def test_error_name_property_replaces_the_label_in_messages() -> None:
    schema = form(comp("textfield", "n", "Ông/bà tên là gì?", validate={"required": True},
                       properties={"motcua:errorName": "họ và tên"}))
    assert validate_data(schema, {}, today=TODAY)[1] == {"n": ["Nhập họ và tên"]}


def test_wtforms_fields_carry_the_messages_after_validate() -> None:
    schema = form(comp("textfield", "name", "Tên", validate={"required": True}))
    bound = build(schema).bind({"name": ""}, None, today=TODAY)
    bound.validate()
    assert bound.wtform is not None and bound.wtform["name"].errors == ["Nhập tên"]


def test_initial_data_without_a_post_is_validated_as_json() -> None:
    schema = form(comp("number", "n", validate={"min": 5}))
    bound = build(schema).bind(None, {"n": 3}, today=TODAY)
    assert not bound.validate() and bound.problems == {"n": [("min", {"min": 5, "max": None})]}


def test_legacy_validate_returns_codes_by_key_path() -> None:
    schema = form(comp("textfield", "id_number", validate={"required": True, "pattern": "^\\d{12}$",
                                                          "patternErrorMessage": "12 chữ số"}),
                  comp("group", label="G", path="mother", components=[comp("number", "birth_year",
                                                                            validate={"min": 1900})]))
    assert validate(schema, {"id_number": "123", "mother": {"birth_year": 1800}}, TODAY) == \
        {"id_number": ["pattern"], "mother.birth_year": ["min"]}
    assert validate(schema, {"id_number": "001195012345"}, TODAY) == {}


def test_garbage_json_never_raises() -> None:
    schema = form(comp("textfield", "a"), comp("dynamiclist", label="L", path="l", components=[comp("number", "n")]),
                  comp("group", label="G", path="g", components=[comp("checkbox", "c")]))
    weird: list[Any] = [None, 1, "x", [], [1, "x", None], {"n": {"deep": 1}}]
    for value in weird:
        for data in ({"a": value}, {"l": value}, {"g": value}, {"l": [value]}):
            check_data(schema, data, TODAY)
    assert check_data(schema, [], TODAY).errors == {}  # type: ignore[arg-type]


def test_hide_rules_see_default_values_like_form_js() -> None:
    schema = form(comp("select", "nat", values=options("vn", "other"), defaultValue="vn"),
                  comp("textfield", "passport", conditional={"hide": "=nat = \"vn\""}, validate={"required": True}))
    assert validate_data(schema, {}, today=TODAY) == ({"nat": "vn"}, {})
    assert validate_data(schema, {"nat": "other"}, today=TODAY)[1] == {"passport": ["Nhập passport"]}


def test_hide_rules_on_a_posted_form_read_disabled_and_readonly_values_from_the_initial_data() -> None:
    schema = form(comp("textfield", "status", disabled=True), comp("textfield", "channel", readonly=True),
                  comp("textfield", "reason", conditional={"hide": "=status != \"refused\" or channel = \"x\""},
                       validate={"required": True}))
    initial = {"status": "refused", "channel": "online"}
    bound = build(schema).bind({"status": "ok", "channel": "x", "reason": ""}, initial, today=TODAY)
    assert not bound.validate() and set(bound.errors) == {"reason"}


def test_failed_rules_name_field_and_rule_once_without_rows_or_values() -> None:
    schema = form(comp("textfield", "phone", validate={"minLength": 10}), comp("dynamiclist", label="Con", path="kids",
                  components=[comp("textfield", "school", validate={"required": True})]))
    bound = build(schema).bind(None, {"phone": "0912", "kids": [{"school": ""}, {"school": ""}]}, today=TODAY)
    assert not bound.validate()
    assert bound.failed_rules() == [("kids.school", "required"), ("phone", "min_length")]


def test_a_problem_found_outside_the_form_shows_on_its_field_in_the_callers_words() -> None:
    bound = build(form(KIND, COMPANY)).bind({"kind": "person"}, None, today=TODAY)
    assert bound.validate()
    bound.refuse({"kind": [("refused", {"message": "Từ chối phải ghi rõ lý do"})]})
    assert not bound.validate()
    assert bound.errors == {"kind": ["Từ chối phải ghi rõ lý do"]}
    assert bound.fields["kind"].errors == ["Từ chối phải ghi rõ lý do"]
