"""Moving running dossiers to a new version of their procedure (dry run first)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from engine import dossiers, migration, procedures
from engine.models import Dossier, HumanTask
from tests.factories import APPLICATIONS, CODES, PROCEDURES, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FORMS = {p.name.removesuffix(".form.json"): __import__("json").loads(p.read_text(encoding="utf-8"))
         for p in (PROCEDURES / "birth-registration" / "forms").glob("*.form.json")}


def with_review_step(xml: str) -> bytes:
    """Version 2: a leader's check of the signed result before it is returned (a new user task)."""
    xml = xml.replace('targetRef="return_result">', 'targetRef="review">', 1)
    xml = xml.replace('<bpmn:incoming>Flow_gw_approval_sign</bpmn:incoming>',
                      '<bpmn:incoming>Flow_review_to_return</bpmn:incoming>', 1)
    review = ('<bpmn:userTask id="review" name="Kiểm tra lại kết quả"><bpmn:incoming>Flow_gw_approval_sign'
              '</bpmn:incoming><bpmn:outgoing>Flow_review_to_return</bpmn:outgoing></bpmn:userTask>\n'
              '    <bpmn:sequenceFlow id="Flow_review_to_return" sourceRef="review" targetRef="return_result" />\n'
              '    <bpmn:userTask id="return_result"')
    xml = xml.replace('<bpmn:userTask id="return_result"', review, 1)
    return re.sub(r"(<bpmn:flowNodeRef>approval</bpmn:flowNodeRef>)", r"\1<bpmn:flowNodeRef>review</bpmn:flowNodeRef>",
                  xml, count=1).encode()


async def test_dry_run_then_migrate_moves_a_running_dossier_onto_the_new_step(users: dict) -> None:
    await publish_shipped("birth-registration")
    code = CODES["birth-registration"]
    waiting = await dossiers.submit(rt(), code, APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"])
    xml = (PROCEDURES / "birth-registration" / "model.bpmn").read_text(encoding="utf-8")
    v2 = await procedures.publish(code, with_review_step(xml), FORMS)
    assert v2.number == 2

    report = await migration.migrate(rt(), code, 1, 2, "admin", NOW, dry_run=True)
    assert (report["total"], report["movable"]) == (1, 1) and report["dossiers"][0]["ok"]
    assert (await Dossier.get(id=waiting.id)).procedure_version_id != v2.id  # a dry run changes nothing

    report = await migration.migrate(rt(), code, 1, 2, "admin", NOW, dry_run=False)
    stored = await Dossier.get(id=waiting.id)
    assert stored.procedure_version_id == v2.id and stored.revision == 2
    assert await dossiers.stored_projections(rt(), stored.code) == await dossiers.rebuild_projections(rt(), stored.code)
    path = []
    for staff, data in [("officer", {"intake_decision": "accept"}),
                        ("specialist", {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}),
                        ("leader", {"approval_decision": "sign"}), ("leader", {}),
                        ("officer", {"returned_via": "counter", "result_handed_over": True})]:
        task = await HumanTask.get(dossier_id=waiting.id, state="ready")
        path.append(task.element_id)
        done = await dossiers.complete_task(rt(), task.id, data, users[staff], NOW)
    assert path == ["intake", "appraisal", "approval", "review", "return_result"]
    assert done.status == "completed"


async def test_migration_through_the_api_is_for_admins_and_dry_by_default(client, users: dict) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import token

    await publish_shipped("birth-registration")
    code = CODES["birth-registration"]
    await dossiers.submit(rt(), code, APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"])
    xml = (PROCEDURES / "birth-registration" / "model.bpmn").read_text(encoding="utf-8")
    await procedures.publish(code, with_review_step(xml), FORMS)
    officer, admin = await token(client, "officer"), await token(client, "admin")
    assert (await client.post(f"/api/v1/procedures/{code}/migrate", headers=officer,
                              json={"from": 1, "to": 2})).status_code == 403
    r = await client.post(f"/api/v1/procedures/{code}/migrate", headers=admin, json={"from": 1, "to": 2})
    assert r.status_code == 200 and r.json()["dry_run"] is True and r.json()["movable"] == 1
    assert (await Dossier.get()).procedure_version_id == (await procedures.current_version(code)).id - 1


def without_intake(xml: str) -> bytes:
    """A version whose intake step is gone: dossiers waiting there cannot move."""
    xml = re.sub(r'<bpmn:userTask id="intake".*?</bpmn:userTask>', "", xml, count=1, flags=re.S)
    xml = re.sub(r'<bpmn:sequenceFlow id="Flow_intake_to_gw"[^>]*/>', "", xml, count=1)
    xml = re.sub(r'<bpmn:sequenceFlow id="Flow_gw_intake_supplement".*?</bpmn:sequenceFlow>', "", xml, count=1,
                 flags=re.S)  # the loop back to intake for a supplement goes with it
    xml = xml.replace("<bpmn:outgoing>Flow_gw_intake_supplement</bpmn:outgoing>", "")
    xml = re.sub(r'<bpmndi:BPMNEdge id="Flow_gw_intake_supplement_di".*?</bpmndi:BPMNEdge>', "", xml, flags=re.S)
    xml = xml.replace('sourceRef="StartEvent_submitted" targetRef="intake"',
                      'sourceRef="StartEvent_submitted" targetRef="Gateway_intake"')
    xml = xml.replace("<bpmn:incoming>Flow_intake_to_gw</bpmn:incoming>",
                      "<bpmn:incoming>Flow_start_to_intake</bpmn:incoming>")
    return xml.replace("<bpmn:flowNodeRef>intake</bpmn:flowNodeRef>", "").encode()


async def test_a_dossier_waiting_at_a_removed_step_is_not_moved(users: dict) -> None:
    await publish_shipped("birth-registration")
    code = CODES["birth-registration"]
    waiting = await dossiers.submit(rt(), code, APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"])
    xml = (PROCEDURES / "birth-registration" / "model.bpmn").read_text(encoding="utf-8")
    await procedures.publish(code, without_intake(xml), {k: v for k, v in FORMS.items() if k != "intake"})
    report = await migration.migrate(rt(), code, 1, 2, "admin", NOW, dry_run=False)
    assert report["movable"] == 0 and report["dossiers"][0]["blockers"] == ["intake"]
    stored = await Dossier.get(id=waiting.id)
    assert stored.revision == 1 and stored.procedure_version_id != (await procedures.current_version(code)).id
