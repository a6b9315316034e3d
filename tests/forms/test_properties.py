"""Property tests: random valid schemas x random input never raise; valid data validates (by
JSON and by form post, to the same clean data); breaking one visible field always reports it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import build, check_schema, render, validate_data
from forms.evaluate import put
from forms.tree import DynamicList, Field, Group, Node
from tests.forms.factories import TODAY
from tests.forms.samples import posted

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LETTERS = "abcdeghiklmnopqrstuvxyăâđêôơưáàảãạếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ"
PATTERNS: dict[str, Any] = {
    "^\\d{12}$": st.from_regex(r"\A[0-9]{12}\Z"),
    "^[A-Z]{2}-\\d+$": st.from_regex(r"\A[A-Z]{2}-[0-9]{1,5}\Z"),
    "so\\s?\\d": st.from_regex(r"\Aso ?[0-9]\Z"),
    "^0(3|5|7|8|9)\\d{8}$": st.from_regex(r"\A0[35789][0-9]{8}\Z"),
}
VN_VALUES: dict[str, Any] = {
    "cccd": st.from_regex(r"\A[0-9]{3} ?[0-9]{3} ?[0-9]{6}\Z"),
    "phone": st.sampled_from(["0912345678", "+84 912 345 678", "84 987 654 321", "039.123.4567"]),
    "tax_code": st.sampled_from(["0123456789", "0123456789-001", "0123456789001", "001195012345"]),
    "date_dmy": st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(lambda d: f"{d.day}/{d.month}/{d.year}"),
    "date_of_birth": st.dates(date(1900, 1, 1), TODAY).map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
}


@st.composite
def field_component(draw: st.DrawFn, key: str, hide: str | None) -> dict[str, Any]:
    kind = draw(st.sampled_from(["textfield", "textarea", "number", "checkbox", "checklist", "taglist", "radio",
                                 "select", "date", "time", "datetime", "vn"]))
    c: dict[str, Any] = {"id": f"F_{key}", "key": key, "label": f"Nhãn {key}"}
    validate: dict[str, Any] = {"required": draw(st.booleans())}
    if kind in ("textfield", "textarea"):
        c["type"] = kind
        choice = draw(st.sampled_from(["plain", "pattern", "email"] if kind == "textfield" else ["plain"]))
        if choice == "pattern":
            validate["pattern"] = draw(st.sampled_from(sorted(PATTERNS)))
            validate["patternErrorMessage"] = "Sai định dạng"
        elif choice == "email":
            validate["validationType"] = "email"
        else:
            low = draw(st.integers(0, 3))
            validate.update(minLength=low, maxLength=draw(st.integers(max(low, 1), 20)))
    elif kind == "vn":
        c.update(type="textfield", properties={"motcua:type": draw(st.sampled_from(sorted(VN_VALUES)))})
    elif kind == "number":
        c["type"] = "number"
        digits = draw(st.sampled_from([None, 0, 1, 2]))
        if digits is not None:
            c["decimalDigits"] = digits
        c["increment"] = draw(st.sampled_from([None, 1, 5] + (["0.5"] if digits != 0 else [])))
        if c["increment"] is None:
            del c["increment"]
        if draw(st.booleans()):
            low = draw(st.integers(-100, 100))
            validate.update(min=low, max=low + draw(st.integers(10, 1000)))
    elif kind == "checkbox":
        c["type"] = "checkbox"
    elif kind in ("checklist", "taglist", "radio", "select"):
        c["type"] = kind
        values = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=5, unique=True))
        c["values"] = [{"label": v.upper(), "value": v} for v in values]
    elif kind == "date":
        c.update(type="datetime", subtype="date", disallowPassedDates=draw(st.booleans()))
    else:
        c.update(type="datetime", subtype=kind, timeSerializingFormat=draw(st.sampled_from(
            ["utc_offset", "utc_normalized", "no_timezone"])))
    c["validate"] = validate
    if hide:
        c["conditional"] = {"hide": hide}
    return c


@st.composite
def schemas(draw: st.DrawFn) -> dict[str, Any]:
    comps: list[dict[str, Any]] = [{"id": "F_flag", "key": "flag", "label": "Cờ", "type": "checkbox"},
                                   {"id": "F_level", "key": "level", "label": "Mức", "type": "number"}]
    rules = [None, None, "=flag = true", "=not(flag)", "=level < 50", "=level = null or level > 10"]
    for i in range(draw(st.integers(1, 6))):
        shape = draw(st.sampled_from(["field", "field", "group", "list"]))
        if shape == "field":
            comps.append(draw(field_component(f"k{i}", draw(st.sampled_from(rules)))))
        else:
            children = [draw(field_component(f"c{j}", None)) for j in range(draw(st.integers(1, 3)))]
            for child in children:
                child["id"] += f"_{i}"
            container: dict[str, Any] = {"id": f"C_{i}", "label": f"Nhóm {i}", "components": children,
                                         "type": "group" if shape == "group" else "dynamiclist", "path": f"p{i}"}
            if shape == "list":
                container.update(isRepeating=True, defaultRepetitions=1, allowAddRemove=True)
            hide = draw(st.sampled_from(rules))
            if hide:
                container["conditional"] = {"hide": hide}
            comps.append(container)
    return {"type": "default", "id": "Form_random", "schemaVersion": 19, "components": comps}


def valid_value(draw: st.DrawFn, f: Field) -> Any:
    if f.kind == "text":
        if f.vn_type:
            return draw(VN_VALUES[f.vn_type])
        if f.pattern is not None:
            return draw(PATTERNS[f.rules["pattern"]])
        if f.rules.get("validationType") == "email":
            return draw(st.from_regex(r"\A[a-z]{1,8}@[a-z]{1,8}\.vn\Z"))
        low = max(int(f.rules.get("minLength", 0)), 1 if f.required else 0)
        return draw(st.text(LETTERS, min_size=low, max_size=int(f.rules.get("maxLength", 20))))
    if f.kind == "number":
        step = Decimal(str(f.increment)) if f.increment else (Decimal("0.01") if f.decimal_digits != 0 else
                                                              Decimal(1))
        if f.decimal_digits == 1 and not f.increment:
            step = Decimal("0.1")
        low = Decimal(f.rules.get("min", -1000))
        high = Decimal(f.rules.get("max", 1000))
        first = (low / step).to_integral_value(rounding=ROUND_CEILING) * step
        count = int((high - first) // step)
        value = first + step * draw(st.integers(0, max(count, 0)))
        return int(value) if value == value.to_integral_value() else float(value)
    if f.kind == "bool":
        return True if f.required else draw(st.booleans())
    if f.kind == "choice":
        return draw(st.sampled_from([o.value for o in f.options]))
    if f.kind == "multi":
        return draw(st.lists(st.sampled_from([o.value for o in f.options]), min_size=1, unique=True))
    if f.subtype == "time":
        return draw(st.times()).strftime("%H:%M")
    low = TODAY if f.disallow_past else date(1900, 1, 1)
    day = draw(st.dates(low, date(2100, 12, 31))).isoformat()
    return day + draw(st.times()).strftime("T%H:%M") if f.subtype == "datetime" else day


def data_for(draw: st.DrawFn, nodes: tuple[Node, ...], out: dict[str, Any] | None = None) -> dict[str, Any]:
    out = {} if out is None else out
    for node in nodes:
        if isinstance(node, Group):
            data_for(draw, node.children, out)        # children's paths already hold the group's path
        elif isinstance(node, DynamicList):
            put(out, node.path, [data_for(draw, node.children) for _ in range(draw(st.integers(0, 3)))])
        elif isinstance(node, Field):
            put(out, node.path, valid_value(draw, node))
    return out


@SETTINGS
@given(st.data())
def test_valid_data_generated_from_a_random_schema_validates_by_json_and_by_form_post(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    assert check_schema(schema) == []
    spec = build(schema)
    sample = data_for(data.draw, spec.tree.nodes)
    clean, errors = validate_data(schema, sample, today=TODAY)
    assert errors == {}, (sample, errors)
    json.dumps(clean)  # the clean data is JSON
    bound = spec.bind(posted(spec.tree, sample), None, today=TODAY)
    assert bound.validate(), (sample, bound.errors)
    assert bound.data == clean
    render(bound)


def _breakable(nodes: tuple[Node, ...]) -> list[Field]:
    """Top-level fields that are always visible."""
    return [n for n in nodes if isinstance(n, Field) and n.hide is None and not n.disabled]


def broken_value(f: Field) -> Any:
    if f.kind == "number":
        return "không phải số" if "max" not in f.rules else f.rules["max"] + 1
    if f.kind in ("choice",):
        return "zzz"
    if f.kind == "multi":
        return ["zzz"]
    if f.kind == "bool":
        return "maybe"
    if f.kind == "date":
        return {"date": "31/02/2025", "time": "25:99", "datetime": "2025-02-31T10:00"}[f.subtype]
    if f.vn_type or f.pattern is not None or f.rules.get("validationType"):
        return "?"
    return "x" * (int(f.rules.get("maxLength", 20)) + 1)


@SETTINGS
@given(st.data())
def test_breaking_one_visible_field_always_reports_an_error_on_that_field(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    spec = build(schema)
    sample = data_for(data.draw, spec.tree.nodes)
    target = data.draw(st.sampled_from(_breakable(spec.tree.nodes)))
    sample[target.key] = broken_value(target)
    _, errors = validate_data(schema, sample, today=TODAY)
    assert target.key in errors and errors[target.key][0]
    if target.required:
        sample[target.key] = None
        assert target.key in validate_data(schema, sample, today=TODAY)[1]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
                    max_leaves=12)


@SETTINGS
@given(st.data())
def test_random_posted_forms_and_random_json_never_raise(data: st.DataObject) -> None:
    schema = data.draw(schemas())
    spec = build(schema)
    names = sorted(posted(spec.tree, data_for(data.draw, spec.tree.nodes)))
    garbage = ["_action", "p0-0-_row", "p1-999-c0", "k0-day", "flag", "x"]
    formdata = data.draw(st.dictionaries(st.sampled_from(names + garbage),
                                         st.text(max_size=12) | st.lists(st.text(max_size=6), max_size=3)))
    bound = spec.bind(formdata, data.draw(st.none() | st.dictionaries(st.text(max_size=4), JSON, max_size=3)),
                      lang=data.draw(st.sampled_from(["vi", "en"])), today=TODAY)
    bound.validate()
    assert all(isinstance(m, str) and m for messages in bound.errors.values() for m in messages)
    render(bound)
    keys = [n.path[0] for n in spec.tree.nodes if isinstance(n, Field | Group | DynamicList) and n.path]
    raw = data.draw(st.dictionaries(st.sampled_from(keys + ["zz"]), JSON, max_size=6))
    clean, errors = validate_data(schema, raw, lang="en", today=TODAY - timedelta(days=1))
    json.dumps(clean)
