"""designer/diff.py: what changed between two models, element by element, and in their forms."""

from __future__ import annotations

import copy
import re

from designer import diff, starter
from tests.factories import PROCEDURES

MODEL = (PROCEDURES / "household-business" / "model.bpmn").read_text(encoding="utf-8")


def changes(after: str, forms_after: dict | None = None, forms_before: dict | None = None) -> set[tuple[str, ...]]:
    found = diff.compare(MODEL, forms_before or {}, after, forms_after or {})
    return {(c.kind, c.id, c.aspect, c.before, c.after) for c in found}


def test_moving_shapes_on_the_diagram_is_no_change() -> None:
    moved = re.sub(r'x="(\d+)"', lambda m: f'x="{int(m.group(1)) + 40}"', MODEL)
    assert moved != MODEL and diff.compare(MODEL, {}, moved, {}) == []


def test_rename_role_budget_and_condition_are_reported_with_before_and_after() -> None:
    after = (MODEL.replace('name="Thẩm định hồ sơ"', 'name="Thẩm định"')
             .replace('<motcua:role code="leader" />', '<motcua:role code="specialist" />')
             .replace('value="4" unit="working_hours"', 'value="1" unit="working_days"', 1)
             .replace('intake_decision == "refuse"</bpmn:conditionExpression>',
                      'intake_decision != "accept"</bpmn:conditionExpression>'))
    assert changes(after) == {
        ("changed", "appraisal", "name", "Thẩm định hồ sơ", "Thẩm định"),
        ("changed", "Lane_leader", "role", "leader", "specialist"),
        ("changed", "intake", "budget", "4 working_hours", "1 working_days"),
        ("changed", "Flow_gw_intake_refuse", "condition", 'intake_decision == "refuse"',
         'intake_decision != "accept"'),
    }


def test_a_step_moved_to_another_lane_and_a_step_removed() -> None:
    after = MODEL.replace("<bpmn:flowNodeRef>appraisal</bpmn:flowNodeRef>", "")
    after = after.replace("<bpmn:flowNodeRef>approval</bpmn:flowNodeRef>",
                          "<bpmn:flowNodeRef>approval</bpmn:flowNodeRef><bpmn:flowNodeRef>appraisal</bpmn:flowNodeRef>")
    assert changes(after) == {("changed", "appraisal", "lane", "Chuyên viên xử lý", "Lãnh đạo")}
    template = starter.model("X", "X")
    replaced = template.replace('<bpmn:endEvent id="EndEvent_done" name="Hoàn thành">',
                                '<bpmn:endEvent id="EndEvent_other" name="Xong">')
    replaced = replaced.replace('targetRef="EndEvent_done"', 'targetRef="EndEvent_other"')
    removed = diff.compare(template, {}, replaced, {})
    assert {(c.kind, c.id, c.name) for c in removed if c.aspect == ""} == {
        ("added", "EndEvent_other", "Xong"), ("removed", "EndEvent_done", "Hoàn thành")}
    flows = [c for c in removed if c.aspect == "flow"]
    assert [(c.id, c.before, c.after) for c in flows] == [
        ("Flow_result_to_end", "Trả kết quả → Hoàn thành", "Trả kết quả → Xong")]


def test_form_fields_added_removed_and_changed() -> None:
    before = {"intake": copy.deepcopy(starter.INTAKE_FORM), "application": starter.APPLICATION_FORM}
    after = copy.deepcopy(before)
    after["intake"]["components"][0]["label"] = "Ghi chú"
    after["intake"]["components"].append({"id": "f2", "type": "checkbox", "key": "complete", "label": "Đủ hồ sơ",
                                          "validate": {"required": True}})
    after["application"] = {**starter.APPLICATION_FORM, "components": starter.APPLICATION_FORM["components"][:1]}
    after["extra"] = starter.empty_form("extra")
    found = {(c.kind, c.what, c.form or c.id, c.id, c.aspect, c.before, c.after)
             for c in diff.compare(MODEL, before, MODEL, after)}
    assert found == {
        ("changed", "field", "intake", "intake_note", "label", "Ghi chú tiếp nhận", "Ghi chú"),
        ("added", "field", "intake", "complete", "", "", ""),
        ("removed", "field", "application", "applicant_phone", "", "", ""),
        ("added", "form", "extra", "extra", "", "", ""),
    }
    layout_only = copy.deepcopy(before)
    layout_only["intake"]["components"][0]["layout"] = {"columns": 8}
    assert [(c.what, c.aspect) for c in diff.compare(MODEL, before, MODEL, layout_only)] == [("form", "details")]


def test_procedure_facts_compare_a_version_snapshot_with_a_typed_draft_without_false_changes() -> None:
    version = {"name": "Cấp phép", "time_limit": 3.0, "time_unit": "working_days",
               "components": [{"name": "Đơn", "required": True, "quantity": 1, "kind": "original"}],
               "fees": [{"name": "Lệ phí", "amount": 75000, "note": ""}]}
    typed = {"name": " Cấp  phép ", "time_limit": "3", "time_unit": "working_days",
             "components": [{"name": "Đơn", "required": True, "quantity": "1", "kind": "original"}],
             "fees": [{"name": "Lệ phí", "amount": "75.000", "note": ""}]}
    assert diff.metadata_changes(version, typed) == []
    assert diff.metadata_changes(version, None) == []
    later = {**typed, "time_limit": "3,5", "fees": [], "components": [*typed["components"], {"name": "Bản vẽ"}]}
    assert [(c.kind, c.type, c.name, c.aspect, c.before, c.after) for c in diff.metadata_changes(version, later)] == [
        ("changed", "procedure", "", "time_limit", "3 working_days", "3.5 working_days"),
        ("added", "component", "Bản vẽ", "", "", ""), ("removed", "fee", "Lệ phí", "", "", "")]
