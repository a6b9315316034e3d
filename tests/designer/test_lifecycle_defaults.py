"""designer/lifecycle_defaults.py: one click gives a draft the default Decree 118 lifecycle, and
nothing else of the draft changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

from designer import diff, lifecycle_defaults, starter
from engine import lifecycle_check
from engine.errors import ModelInvalid, Problem
from engine.workflow.parser import parse_model

SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "procedures"
ROLES = ["one_stop", "specialist", "leader"]


def without_rules(xml: str) -> str:
    return re.sub(r"<motcua:lifecycle [^>]*/>", "", xml)


def problems(xml: str, forms: dict) -> list[Problem]:
    try:
        parse_model(xml.encode(), forms, ROLES)
    except ModelInvalid as exc:
        return exc.problems
    return lifecycle_check.check(xml, forms)


def test_the_starter_without_rules_gets_them_back_and_publishes() -> None:
    xml, forms = starter.starter("1.1", "Thử")
    bare = without_rules(xml)
    assert {p.code for p in lifecycle_check.check(bare, forms)} >= {"lifecycle_never_accepts"}
    proposal = lifecycle_defaults.propose(bare, forms)
    assert proposal is not None and proposal.intake == "intake"
    assert problems(proposal.xml, proposal.forms) == []
    assert proposal.forms == forms  # the starter's forms already hold the fields


def test_a_shipped_model_without_rules_gets_a_legal_lifecycle_and_keeps_everything_else() -> None:
    folder = SHIPPED / "birth-registration"
    forms = {f.name.removesuffix(".form.json"): json.loads(f.read_text("utf-8")) for f in (folder / "forms").iterdir()}
    bare = without_rules((folder / "model.bpmn").read_text("utf-8")).replace(
        "<bpmn:userTask id=\"appraisal\"", "<!-- kept: the admin's note -->\n<bpmn:userTask id=\"appraisal\"")
    proposal = lifecycle_defaults.propose(bare, forms)
    assert proposal is not None and problems(proposal.xml, proposal.forms) == []
    assert "<!-- kept: the admin's note -->" in proposal.xml
    changes = {(c.kind, c.what, c.id, c.aspect) for c in diff.compare(bare, forms, proposal.xml, proposal.forms)}
    assert changes == {("changed", "element", "intake", "lifecycle"), ("changed", "element", "approval", "lifecycle"),
                       ("changed", "element", "return_result", "lifecycle")}
    rules = re.findall(r'<motcua:lifecycle command="(\w+)"(?: when="([^"]*)")?', proposal.xml)
    assert ("refuse", "(not (approval_decision == &quot;sign&quot;))") in rules  # the end "Từ chối giải quyết"
    assert [c for c, _w in rules].count("return_result") == 1


def test_a_designed_form_gets_the_fields_the_rules_read() -> None:
    xml, forms = starter.starter("1.1", "Thử")
    forms["intake"] = {**forms["intake"], "components": []}
    forms["return_result"] = {**forms["return_result"], "components": []}
    proposal = lifecycle_defaults.propose(without_rules(xml), forms)
    assert proposal is not None
    intake = {c["key"]: c for c in proposal.forms["intake"]["components"]}
    assert [v["value"] for v in intake["intake_decision"]["values"]] == ["accept", "supplement", "refuse"]
    assert intake["intake_note"]["type"] == "textarea"
    assert [c["key"] for c in proposal.forms["return_result"]["components"]] == ["returned_via"]
    assert problems(proposal.xml, proposal.forms) == []


def test_a_draft_with_the_default_lifecycle_gets_no_change_and_no_model_no_proposal() -> None:
    xml, forms = starter.starter("1.1", "Thử")
    proposal = lifecycle_defaults.propose(xml, forms)
    assert proposal is not None and diff.compare(xml, forms, proposal.xml, proposal.forms) == []
    assert lifecycle_defaults.propose("<html/>", {}) is None
