"""engine/design.py and designer/drafts.py on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from designer import drafts, starter
from engine import design, dossiers
from engine.errors import Conflict, InvalidData, ModelInvalid, NotFound
from engine.models import DesignAudit, HumanTask, ProcedureDraft, ProcedureVersion
from engine.settings import Settings
from tests.conftest import shared_path
from tests.factories import PROCEDURES, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FIELDS = {"name": "Thủ tục thử", "agency": "UBND xã", "time_limit": 5, "time_unit": "working_days"}


def without_lane(xml: str) -> str:
    """The starter model with its lane set removed: the user task belongs to no lane."""
    start, end = xml.index("<bpmn:laneSet"), xml.index("</bpmn:laneSet>") + len("</bpmn:laneSet>")
    return xml[:start] + xml[end:]


async def test_new_procedure_starts_from_a_template_that_publishes_as_is(db: Settings) -> None:
    draft = await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    assert draft.revision == 0 and set(draft.forms) == {"application", "intake", "return_result"}
    assert drafts.form_refs(draft.bpmn_xml) == ["application", "intake", "return_result"]
    assert await drafts.check("T.001", actor="admin", now=NOW) == []
    version, created = await drafts.publish("T.001", 0, actor="admin", now=NOW)
    assert created and version.number == 1 and version.process_id == "Process_T_001"
    assert version.lanes == {"Bộ phận một cửa": "one_stop"}
    assert [a.action for a in await design.audit_log("T.001")] == ["published", "checked", "created"]


async def test_a_second_procedure_with_the_same_code_is_refused(db: Settings) -> None:
    await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    with pytest.raises(Conflict):
        await drafts.create("T.001", FIELDS, actor="admin", now=NOW)


async def test_saving_an_old_revision_is_a_conflict_that_names_the_winner(db: Settings) -> None:
    draft = await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    saved = await design.save_xml("T.001", draft.bpmn_xml.replace("Tiếp nhận hồ sơ", "Tiếp nhận"), 0,
                                  actor="alice", now=NOW)
    assert saved.revision == 1 and "Tiếp nhận" in saved.bpmn_xml and saved.updated_by == "alice"
    with pytest.raises(Conflict) as caught:
        await design.save_xml("T.001", draft.bpmn_xml, 0, actor="bob", now=NOW)
    assert caught.value.params["revision"] == 1 and caught.value.params["updated_by"] == "alice"
    assert (await design.get_draft("T.001")).bpmn_xml == saved.bpmn_xml  # bob changed nothing
    with pytest.raises(Conflict):
        await design.save_form("T.001", "intake", starter.INTAKE_FORM, 0, actor="bob", now=NOW)


async def test_autosaves_of_one_sitting_share_one_audit_row(db: Settings) -> None:
    draft = await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    for i in range(3):
        draft = await design.save_xml("T.001", draft.bpmn_xml, draft.revision, actor="admin",
                                      now=NOW + timedelta(minutes=i))
    await design.save_xml("T.001", draft.bpmn_xml, draft.revision, actor="admin", now=NOW + timedelta(hours=2))
    edits = await DesignAudit.filter(action="edited").order_by("id")
    assert [(e.details["saves"], e.revision) for e in edits] == [(3, 3), (1, 4)]


async def test_save_refuses_what_is_not_bpmn(db: Settings) -> None:
    await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    with pytest.raises(ModelInvalid) as caught:
        await design.save_xml("T.001", "<html/>", 0, actor="admin", now=NOW)
    assert caught.value.problems[0].code == "not_bpmn"
    with pytest.raises(ModelInvalid):
        await design.save_xml("T.001", "<bpmn:definitions", 0, actor="admin", now=NOW)
    with pytest.raises(InvalidData):
        await design.save_form("T.001", "Bad Ref", starter.INTAKE_FORM, 0, actor="admin", now=NOW)


async def test_check_lists_a_user_task_without_a_lane_and_a_missing_form(db: Settings) -> None:
    draft = await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    await design.save_xml("T.001", without_lane(draft.bpmn_xml), 0, actor="admin", now=NOW)
    await design.delete_form("T.001", "intake", 1, actor="admin", now=NOW)
    problems = await drafts.check("T.001", actor="admin", now=NOW)
    assert {(p.code, p.element_id) for p in problems} == {
        ("task_without_lane", "intake"), ("task_without_lane", "return_result"), ("form_missing", "intake"),
        ("lifecycle_accept_not_one_stop", "intake")}
    with pytest.raises(ModelInvalid):
        await drafts.publish("T.001", 2, actor="admin", now=NOW)
    assert not await ProcedureVersion.exists()
    audit = [(a.action, a.details.get("problems")) for a in await design.audit_log("T.001")]
    assert audit[:2] == [("publish_refused", 4), ("checked", 4)]


async def test_form_the_renderer_cannot_show_is_saved_with_its_problems_and_reported_by_check(db: Settings) -> None:
    await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    table = {"type": "default", "components": [{"id": "Table_1", "type": "table", "label": "Bảng"}]}
    draft, found = await drafts.save_form("T.001", "intake", table, 0, actor="admin", now=NOW)
    assert [(p.form, p.component) for p in found] == [("intake", "Table_1")]
    assert draft.revision == 1 and draft.forms["intake"]["components"] == table["components"]
    assert drafts.form_problems(await design.get_draft("T.001"), "intake") == found  # found again on reload
    problems = await drafts.check("T.001", actor="admin", now=NOW)
    assert [(p.code, p.form, p.component) for p in problems] == [("form_unsupported", "intake", "Table_1")]


async def test_publish_needs_the_revision_the_admin_saw_and_keeps_running_dossiers_on_their_version(
        db: Settings) -> None:
    await publish_shipped("household-business")
    officer = await _officer()
    running = await dossiers.submit(rt(), "2.000720", _application(), now=NOW, user=None)
    draft = await drafts.open_draft("2.000720", actor="admin", now=NOW)
    assert draft.based_on == 1 and "appraisal" in draft.forms
    draft = await design.save_xml("2.000720", draft.bpmn_xml.replace("Thẩm định hồ sơ", "Thẩm định"),
                                  draft.revision, actor="admin", now=NOW)
    with pytest.raises(Conflict):
        await drafts.publish("2.000720", draft.revision - 1, actor="admin", now=NOW)
    version, created = await drafts.publish("2.000720", draft.revision, actor="admin", now=NOW)
    assert created and version.number == 2
    again, created = await drafts.publish("2.000720", draft.revision, actor="admin", now=NOW)
    assert not created and again.number == 2
    rows = {r.procedure.code: r for r in await design.overview()}
    assert [(v.number, v.running) for v in rows["2.000720"].versions] == [(1, 1), (2, 0)]
    assert rows["2.000720"].draft_based_on == 2
    [only] = await design.overview("2.000720")
    assert [(v.number, v.running) for v in only.versions] == [(1, 1), (2, 0)] and only.draft_revision == 1
    task = await HumanTask.get(dossier_id=running.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, officer, NOW)
    assert (await ProcedureVersion.get(id=running.procedure_version_id)).number == 1


async def test_a_draft_opened_from_a_version_republishes_as_a_no_op(db: Settings) -> None:
    await publish_shipped("birth-registration")
    xml = starter.model("1.001193", "x").replace('<motcua:form ref="intake" />', "")  # intake gets a generated form
    opened = await drafts.open_draft("1.001193", actor="admin", now=NOW)
    await design.replace_model("1.001193", xml.encode(), opened.revision, actor="admin", now=NOW)
    version, created = await drafts.publish("1.001193", 1, actor="admin", now=NOW)
    assert created and version.number == 2 and "auto-intake" in version.forms
    await ProcedureDraft.all().delete()  # as if nobody had opened the designer since
    draft = await drafts.open_draft("1.001193", actor="admin", now=NOW)
    assert "auto-intake" not in draft.forms and draft.based_on == 2
    again, created = await drafts.publish("1.001193", 0, actor="admin", now=NOW)
    assert not created and again.number == 2


async def test_duplicate_copies_fields_and_draft(db: Settings) -> None:
    await publish_shipped("birth-registration")
    copy = await drafts.duplicate("1.001193", "1.001193-HN", "Đăng ký khai sinh (Hà Nội)", actor="admin", now=NOW)
    source = await design.ensure_draft("1.001193", None, actor="admin", now=NOW)
    assert copy.bpmn_xml == source.bpmn_xml and copy.forms == source.forms
    procedure = await copy.procedure
    assert procedure.name == "Đăng ký khai sinh (Hà Nội)" and procedure.time_unit == "same_day"
    assert [a.details for a in await design.audit_log("1.001193-HN")] == [{"source": "1.001193"}]
    with pytest.raises(NotFound):
        await drafts.duplicate("9.999", "X", "Y", actor="admin", now=NOW)


async def test_import_replaces_the_model_and_keeps_the_forms(db: Settings) -> None:
    await drafts.create("T.001", FIELDS, actor="admin", now=NOW)
    data = (PROCEDURES / "birth-registration" / "model.bpmn").read_bytes()
    draft = await design.replace_model("T.001", data, 0, actor="admin", now=NOW, filename="model.bpmn")
    assert "birth_registration" in draft.bpmn_xml and set(draft.forms) == {"application", "intake", "return_result"}
    name, xml = await design.export("T.001", "draft")
    assert name == "T.001-draft.bpmn" and xml == draft.bpmn_xml


async def test_camunda_and_latin1_models_import_as_utf8_text(db: Settings) -> None:
    reference, camunda = _miwg("Reference/A.1.0.bpmn"), _miwg("bpmn.io (Camunda Modeler) 18.6.1/C.1.0-roundtrip.bpmn")
    assert b"ISO-8859-1" in reference[:100]
    draft = await drafts.create("MIWG.A1", {"name": "A.1.0"}, actor="admin", now=NOW, upload=reference,
                                filename="A.1.0.bpmn")
    assert draft.bpmn_xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "Task 1" in draft.bpmn_xml and draft.forms == {}
    draft = await design.replace_model("MIWG.A1", camunda, 0, actor="admin", now=NOW)
    problems = await drafts.check("MIWG.A1", actor="admin", now=NOW)
    assert problems and all(p.message for p in problems)


def _miwg(path: str) -> bytes:
    return Path(shared_path("conformance", "bpmn-miwg-test-suite"), path).read_bytes()


async def _officer():  # type: ignore[no-untyped-def]
    from engine import accounts

    return await accounts.create_user("officer", "correct-horse-battery", "staff", roles=["one_stop"])


def _application() -> dict[str, object]:
    from tests.factories import APPLICATIONS

    return dict(APPLICATIONS["household-business"])


async def test_a_starter_procedure_knows_its_applicant_so_receipt_search_and_tracking_by_phone_work(
        db: Settings) -> None:
    """Found by the issue-9 journey: the starter's applicant name was mapped nowhere (empty receipt)."""
    await drafts.create("T.009", FIELDS, actor="admin", now=NOW)
    version, _ = await drafts.publish("T.009", 0, actor="admin", now=NOW)
    assert version.applicant == {"name": "applicant_name", "phone": "applicant_phone"}
    assert float(version.metadata["time_limit"]) == 5 and version.metadata["agency"] == "UBND xã"
    dossier = await dossiers.submit(rt(), "T.009", {"applicant_name": "Lê Thị Hạnh", "applicant_phone": "0987 654 321"},
                                    now=NOW)
    assert (dossier.applicant_name, dossier.applicant_phone) == ("Lê Thị Hạnh", "0987654321")
