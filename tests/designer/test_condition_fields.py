"""designer.fields: the keys a guided condition can read, from a draft's form-js schemas."""

from __future__ import annotations

from designer.fields import condition_fields


def test_condition_fields_list_inputs_with_nested_keys_and_options_once() -> None:
    forms = {
        "intake": {"components": [
            {"type": "radio", "key": "decision", "label": "Kết quả",
             "values": [{"value": "accept", "label": "Tiếp nhận"}, {"value": "refuse", "label": "Từ chối"}]},
            {"type": "group", "path": "dia_chi", "components": [
                {"type": "textfield", "key": "tinh", "label": "Tỉnh"}]},
            {"type": "dynamiclist", "path": "members", "components": [{"type": "textfield", "key": "name"}]},
            {"type": "text", "text": "x"},
            {"type": "filepicker", "key": "scan", "label": "Bản quét"},
        ]},
        "application": {"components": [{"type": "number", "key": "decision", "label": "later form, same key"}]},
    }
    fields = condition_fields(forms)
    assert [(f["key"], f["type"], f["form"]) for f in fields] == [
        ("decision", "number", "application"), ("dia_chi.tinh", "textfield", "intake")]
    forms.pop("application")
    [decision, _] = condition_fields(forms)
    assert decision["options"] == [{"value": "accept", "label": "Tiếp nhận"}, {"value": "refuse", "label": "Từ chối"}]


def test_condition_fields_ignore_what_is_not_a_schema() -> None:
    assert condition_fields({"broken": "x", "empty": {"components": None}}) == []
