"""engine/lifecycle_check.py: check time refuses a model whose dossiers cannot take a legal
Decree 118 lifecycle, or whose parallel branches write the same field (designer policy only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import lifecycle_check
from engine.errors import ModelInvalid, Problem
from engine.workflow.parser import parse_model

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "bpmn" / "procedures"
FIXTURES = Path(__file__).parent / "fixtures"
ROLES = ["one_stop", "specialist", "leader"]


def shipped(slug: str) -> tuple[str, dict[str, object]]:
    folder = SHIPPED / slug
    forms = {f.name.removesuffix(".form.json"): json.loads(f.read_text("utf-8")) for f in (folder / "forms").iterdir()}
    return (folder / "model.bpmn").read_text("utf-8"), forms


def problems(xml: str, forms: dict[str, object]) -> list[Problem]:
    """The parser's rules, then the designer's lifecycle rules, as engine/design.py runs them."""
    try:
        parse_model(xml.encode(), forms, ROLES)
    except ModelInvalid as exc:
        return exc.problems + lifecycle_check.check(xml, forms)
    return lifecycle_check.check(xml, forms)


@pytest.mark.parametrize("slug", ["birth-registration", "household-business"])
def test_shipped_procedures_have_a_complete_lifecycle(slug: str) -> None:
    assert problems(*shipped(slug)) == []


def test_a_model_that_never_accepts_is_refused_naming_the_intake_and_the_end_it_reaches_undecided() -> None:
    xml, forms = shipped("birth-registration")
    xml = xml.replace('<motcua:lifecycle command="accept" when="intake_decision == &quot;accept&quot;" />', "")
    found = {(p.code, p.element_id, (p.params or {}).get("status")) for p in problems(xml, forms)}
    assert ("lifecycle_never_accepts", "intake", None) in found
    # without a receipt the approval's finish is not allowed, and the result is "returned" from status 1
    assert ("lifecycle_step_refused", "approval", 4) not in found
    assert ("lifecycle_step_refused", "approval", 1) in found


def test_an_end_reached_while_the_dossier_is_in_process_is_named_with_the_status() -> None:
    xml, forms = shipped("birth-registration")
    xml = xml.replace('<motcua:lifecycle command="return_result" channel="returned_via" />', "")
    xml = xml.replace('<motcua:lifecycle command="finish" when="approval_decision == &quot;sign&quot;" />', "")
    found = [(p.code, p.element_id, (p.params or {}).get("status")) for p in problems(xml, forms)]
    assert found == [("lifecycle_end_status", "EndEvent_result_returned", 4)]


def test_acceptance_outside_the_one_stop_lane_is_refused() -> None:
    xml, forms = shipped("birth-registration")
    one_stop = xml.index('<motcua:role code="one_stop" />')
    xml = xml[:one_stop] + '<motcua:role code="specialist" />' + xml[one_stop + len('<motcua:role code="one_stop" />'):]
    codes = {(p.code, p.element_id) for p in problems(xml, forms)}
    assert ("lifecycle_accept_not_one_stop", "intake") in codes


def test_a_refusal_without_its_gateway_branch_reaches_the_result_end_refused() -> None:
    """The intake refuses, yet the gateway sends every answer on to appraisal: approval then meets
    status 3 and its steps are refused there, with the element named."""
    xml, forms = shipped("birth-registration")
    xml = xml.replace('intake_decision == "refuse"</bpmn:conditionExpression>',
                      'intake_decision == "never"</bpmn:conditionExpression>')
    found = {(p.code, p.element_id) for p in problems(xml, forms)}
    assert ("lifecycle_step_refused", "approval") in found


def test_parallel_branches_writing_the_same_field_are_named_both() -> None:
    xml = (FIXTURES / "parallel_write.bpmn").read_text("utf-8")
    field = {"id": "Field_kl", "type": "textfield", "key": "ket_luan", "label": "Kết luận"}
    forms = {ref: {"type": "default", "id": ref, "components": [field] if ref == "check_a" else []}
             for ref in ("intake", "check_a", "check_b", "return_result")}
    found = [(p.code, p.element_id, p.params) for p in problems(xml, forms)]
    assert found == [("parallel_write", "check_a", {"other": "fee", "field": "ket_luan", "label": "Kết luận"})]
    forms["check_b"] = {**forms["check_a"], "id": "check_b"}
    pairs = {(p.element_id, (p.params or {}).get("other")) for p in problems(xml, forms)}
    assert pairs == {("check_a", "fee"), ("check_a", "check_b")}
    forms["check_a"] = {**forms["intake"], "id": "check_a"}
    forms["check_b"] = {**forms["intake"], "id": "check_b"}
    assert problems(xml, forms) == []  # the script alone writes it


def test_what_is_not_a_bpmn_model_has_no_lifecycle_to_check() -> None:
    assert lifecycle_check.check("<html/>", {}) == [] and lifecycle_check.analyse("<x", {}) is None


async def test_the_simulation_takes_a_task_s_rules_through_the_dossier_plan(db: object) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from engine import simulation
    from engine.dossier_lifecycle import Limit
    from tests.factories import rt

    xml, forms = shipped("birth-registration")
    elements = parse_model(xml.encode(), forms, ROLES).extensions.elements
    calendar = await rt().fresh_calendar()
    monday = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    limit = Limit(Decimal(3), "working_days")
    facts, taken = simulation.lifecycle(rt(), elements, "intake", {"intake_decision": "accept"},
                                        {"lifecycle_status": 1}, monday, limit, calendar, workflow_open=True)
    assert [(t.command, t.status, t.error) for t in taken] == [("accept", 4, "")]
    assert taken[0].due_at == datetime(2026, 3, 5, 2, 0, tzinfo=UTC) and facts["accepted_at"] == monday.isoformat()
    _facts, refused = simulation.lifecycle(rt(), elements, "intake", {"intake_decision": "refuse"},
                                           {"lifecycle_status": 1}, monday, limit, calendar, workflow_open=True)
    assert refused[0].command == "refuse" and refused[0].status == 1 and "reason" in refused[0].error
    waiting, again = simulation.lifecycle(rt(), elements, "intake", {"intake_decision": "supplement",
                                                                    "intake_note": "Thiếu giấy chứng sinh"},
                                          {"lifecycle_status": 1}, monday, limit, calendar, workflow_open=True)
    assert [(t.command, t.status) for t in again] == [("request_supplement", 5)]
    _facts, answered = simulation.lifecycle(rt(), elements, "intake", {"intake_decision": "accept"}, waiting,
                                            monday, limit, calendar, workflow_open=True)
    assert [(t.command, t.status) for t in answered] == [("receive_supplement", 1), ("accept", 4)]
