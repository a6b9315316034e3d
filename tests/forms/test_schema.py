"""check_schema: what the server renderer cannot honour is refused, naming the component."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from forms import SchemaInvalid, build, check_schema
from forms.components import ComponentType, get, names, register
from forms.schema import digest
from tests.forms.factories import comp, form, options


def _messages(schema: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in check_schema(schema):
        out.setdefault(problem["component"], []).append(problem["message"])
    return out


def test_a_schema_with_every_supported_component_has_no_problems() -> None:
    schema = form(
        comp("text", text="# Title\n\nSome *text*."),
        comp("textfield", "name", validate={"required": True, "minLength": 2, "maxLength": 10,
                                            "pattern": "^[A-Z]", "patternErrorMessage": "Capital first"}),
        comp("textarea", "note", validate={"maxLength": 100}),
        comp("number", "n", decimalDigits=2, increment=0.5, validate={"min": 0, "max": "100"},
             appearance={"suffixAdorner": "đồng"}),
        comp("checkbox", "ok"),
        comp("checklist", "many", values=options("a", "b")),
        comp("taglist", "tags", values=options("a", "b")),
        comp("radio", "one", values=options("a", "b"), defaultValue="a"),
        comp("select", "pick", values=options("a", "b"), searchable=True),
        comp("datetime", "d", subtype="date", dateLabel="Ngày", disallowPassedDates=True),
        comp("datetime", "t", subtype="time", timeSerializingFormat="no_timezone", use24h=True),
        comp("datetime", "dt", subtype="datetime"),
        comp("filepicker", "file", accept=".pdf,image/*", multiple=True),
        comp("group", label="G", path="g", components=[comp("textfield", "inner")], showOutline=False),
        comp("dynamiclist", label="Rows", path="rows", isRepeating=True, defaultRepetitions=2, allowAddRemove=True,
             nonCollapsedItems=5, components=[comp("textfield", "cell")]),
        comp("separator"), comp("spacer", height=40), comp("button", label="Gửi", action="submit"),
        comp("textfield", "hidden_one", conditional={"hide": "=ok = false"}, readonly="=n > 10",
             layout={"row": "Row_1", "columns": 8}, properties={"motcua:type": "cccd", "other": "x"}),
    )
    assert check_schema(schema) == []


@pytest.mark.parametrize(("component", "fragment"), [
    (comp("html", content="<b>x</b>"), "raw HTML"),
    (comp("image", source="https://example.com/a.png"), "images are not supported"),
    (comp("iframe", url="https://example.com"), "iframe"),
    (comp("table", dataSource="=rows"), "tables are not supported"),
    (comp("expression", "total", expression="=a + b"), "computed values"),
    (comp("documentPreview"), "document previews"),
    (comp("carousel"), "unknown component type 'carousel'"),
    (comp("select", "s", valuesKey="options"), "valuesKey"),
    (comp("radio", "r", valuesExpression="=opts"), "valuesExpression"),
    (comp("textfield", "a", label="=upper(name)"), "FEEL in 'label'"),
    (comp("textfield", "a", label="Xin chào {{name}}"), "templates"),
    (comp("textfield", "a", description="=x"), "FEEL in 'description'"),
    (comp("text", text="Hello {{ name }}"), "templates"),
    (comp("number", "n", validate={"min": "=lower"}), "FEEL in validate.min"),
    (comp("textfield", "a", validate={"maxLength": "=m"}), "FEEL in validate.maxLength"),
    (comp("textfield", "a", conditional={"hide": "=a in [1,2]"}), "hide rule"),
    (comp("textfield", "a", conditional={"hide": "a = 1"}), "starting with '='"),
    (comp("textfield", "a", validate={"pattern": "(?i)abc", "patternErrorMessage": "x"}), "validate.pattern"),
    (comp("textfield", "a", validate={"pattern": "^\\d+$"}), "patternErrorMessage"),
    (comp("textarea", "a", validate={"pattern": "x", "patternErrorMessage": "x"}), "validate.pattern is not supported"),
    (comp("number", "n", validate={"minLength": 2}), "validate.minLength is not supported"),
    (comp("textfield", "a", validate={"validationType": "iban"}), "validationType"),
    (comp("textfield", "a", decimalDigits=2), "'decimalDigits' is not supported on a textfield"),
    (comp("textfield", "a", disabled="=x"), "'disabled' must be true or false"),
    (comp("textfield", "a", label=""), "needs a label"),
    (comp("textfield", "bad key"), "must be names"),
    (comp("textfield", "a..b"), "must be names"),
    (comp("textfield", "and"), "not FEEL keywords"),
    (comp("textfield"), "a key is required"),
    (comp("radio", "r"), "options listed in 'values'"),
    (comp("select", "s", values=[{"label": "A", "value": "a"}, {"label": "B", "value": "a"}]), "listed twice"),
    (comp("number", "n", decimalDigits=-1), "decimalDigits"),
    (comp("number", "n", increment=0), "increment"),
    (comp("number", "n", defaultValue="many"), "defaultValue"),
    (comp("select", "s", values=options("a"), defaultValue="b"), "defaultValue"),
    (comp("datetime", "d", subtype="week"), "subtype"),
    (comp("datetime", "d", timeSerializingFormat="local"), "timeSerializingFormat"),
    (comp("filepicker", "f", multiple="=many"), "'multiple'"),
    (comp("filepicker", "f", accept="=types"), "'accept'"),
    (comp("dynamiclist", label="L", components=[]), "a path is required"),
    (comp("dynamiclist", label="L", path="l", defaultRepetitions=500, components=[]), "defaultRepetitions"),
    (comp("button", label="Xoá", action="reset"), "reset button"),
    (comp("textfield", "a", properties={"motcua:type": "passport"}), "motcua:type 'passport' is unknown"),
    (comp("number", "n", properties={"motcua:type": "cccd"}), "fits a textfield"),
    (comp("textfield", "a", appearance={"prefixAdorner": "={{x}}"}), "appearance.prefixAdorner"),
    (comp("textfield", "a", conditional={"show": "=x"}), "may only hold a 'hide' rule"),
])
def test_check_schema_refuses_what_the_renderer_cannot_honour(component: dict[str, Any], fragment: str) -> None:
    problems = _messages(form(component))
    assert component["id"] in problems, problems
    assert any(fragment in m for m in problems[component["id"]]), problems


def test_problems_inside_groups_and_lists_name_the_nested_component() -> None:
    inner = comp("textfield", "x", conditional={"hide": "=if a then b else c"})
    schema = form(comp("group", label="G", components=[
        comp("dynamiclist", label="L", path="rows", components=[inner])]))
    assert [p["component"] for p in check_schema(schema)] == [inner["id"]]


def test_duplicate_ids_and_colliding_keys_are_refused() -> None:
    a, b = comp("textfield", "person.name", id="Same"), comp("textfield", "other", id="Same")
    c = comp("textfield", "person")
    d = comp("group", label="G", path="person", components=[comp("textfield", "name", id="Inner")])
    problems = _messages(form(a, b, c, d))
    assert any("used twice" in m for m in problems["Same"])
    assert any("collides" in m for m in problems[c["id"]])
    assert any("collides" in m for m in problems["Inner"])


def test_the_same_key_in_two_rows_of_a_list_and_at_the_top_does_not_collide() -> None:
    schema = form(comp("textfield", "name"),
                  comp("dynamiclist", label="L", path="rows", components=[comp("textfield", "name")]))
    assert check_schema(schema) == []


@pytest.mark.parametrize(("schema", "fragment"), [
    ([], "JSON object"),
    ({"type": "default"}, "'components' list"),
    ({"type": "other", "components": []}, "'default'"),
    ({"type": "default", "schemaVersion": 20, "components": []}, "schemaVersion 20"),
    ({"type": "default", "components": ["x"]}, "not an object"),
])
def test_malformed_schemas_are_refused_at_form_level(schema: Any, fragment: str) -> None:
    assert any(fragment in p["message"] for p in check_schema(schema))


def test_build_raises_schema_invalid_with_the_same_problems() -> None:
    schema = form(comp("html", content="x"))
    with pytest.raises(SchemaInvalid) as caught:
        build(schema)
    assert caught.value.problems == check_schema(schema)
    assert caught.value.code == "schema_invalid"


def test_build_is_cached_by_the_digest_of_canonical_json() -> None:
    schema = form(comp("textfield", "a"))
    reordered = {k: schema[k] for k in reversed(list(schema))}
    assert digest(schema) == digest(reordered)
    assert build(schema) is build(copy.deepcopy(reordered))
    changed = copy.deepcopy(schema)
    changed["components"][0]["label"] = "Other"
    assert build(changed) is not build(schema)


def test_component_types_come_from_a_registry_that_can_grow() -> None:
    assert {"textfield", "dynamiclist", "filepicker"} <= set(names("input")) | set(names("container"))
    register(ComponentType("signature_test", "unsupported", reason="signatures are not supported yet"))
    try:
        assert any("signatures" in p["message"] for p in check_schema(form(comp("signature_test"))))
    finally:
        from forms import components
        components._REGISTRY.pop("signature_test")
    assert get("signature_test") is None
