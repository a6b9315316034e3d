"""A procedure's published facts (engine/metadata.py): checked, versioned with the model, and the
applicant/contact mapping chosen in the designer (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from designer import drafts
from engine import design, dossiers, metadata, tracking
from engine.errors import ModelInvalid, NotFound
from engine.models import Procedure, ProcedureVersion
from engine.settings import Settings
from engine.versions import current_version_info
from tests.factories import publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
FIELDS = {"name": "Thủ tục thử", "agency": "UBND xã", "time_limit": 5, "time_unit": "working_days"}
#: an application form whose phone field has a key and a type nothing could guess
APPLICATION = {"type": "default", "id": "application", "schemaVersion": 19, "components": [
    {"id": "F1", "type": "textfield", "key": "ho_ten_nguoi_nop", "label": "Họ tên"},
    {"id": "F2", "type": "textfield", "key": "so_lien_lac", "label": "Số liên lạc"},
    {"id": "F3", "type": "filepicker", "key": "ban_ve", "label": "Bản vẽ"},
]}


def meta(**changes: Any) -> dict[str, Any]:
    base = {**metadata.blank(), "name": "Thủ tục thử", "agency": "UBND xã", "time_limit": "5",
            "time_unit": "working_days", "online_level": "full",
            "components": [{"name": "Bản vẽ thiết kế", "required": True, "quantity": "2", "kind": "certified_copy",
                            "field": "ban_ve"}],
            "fees": [{"name": "Lệ phí cấp phép", "amount": "25.000", "note": ""}],
            "legal_basis": ["Luật Xây dựng 2025"], "reception_points": [{"code": "TN01", "name": "Quầy số 1"}],
            "delivery": ["counter", "post"]}
    return {**base, **changes}


async def _procedure(code: str = "T.001") -> None:
    await drafts.create(code, FIELDS, actor="admin", now=NOW)
    draft = await design.get_draft(code)
    await design.save_form(code, "application", APPLICATION, draft.revision, actor="admin", now=NOW)


async def _save(code: str, m: dict[str, Any]) -> int:
    draft = await design.get_draft(code)
    return (await design.save_metadata(code, m, draft.revision, actor="admin", now=NOW)).revision


def test_check_names_each_wrong_field() -> None:
    raw = meta(name="", time_limit="ba ngày", components=[{"name": "", "quantity": "0", "field": "khong_co"}],
               fees=[{"name": "Lệ phí", "amount": "abc"}], applicant={"phone": "khong_co"})
    _clean, problems = metadata.check(raw, APPLICATION, "T.001")
    found = {(p.code, p.component) for p in problems}
    assert found == {("metadata_required", "name"), ("metadata_number", "time_limit"),
                     ("metadata_required", "components.1.name"), ("metadata_number", "components.1.quantity"),
                     ("metadata_unknown_field", "components.1.field"), ("metadata_number", "fees.1.amount"),
                     ("applicant_mapping", "applicant.phone")}


def test_a_form_with_files_needs_a_component_and_same_day_needs_no_number() -> None:
    _clean, problems = metadata.check(meta(components=[]), APPLICATION, "T.001")
    assert [(p.code, p.component) for p in problems] == [("metadata_required", "components")]
    clean, problems = metadata.check(meta(time_limit="", time_unit="same_day"), APPLICATION, "T.001")
    assert problems == [] and clean["time_limit"] == 1 and clean["fees"][0]["amount"] == 25000


async def test_shipped_procedures_carry_their_published_facts(db: Settings) -> None:
    await publish_shipped("birth-registration")
    await publish_shipped("household-business")
    birth = (await current_version_info("1.001193")).metadata
    assert birth["time_unit"] == "same_day" and birth["online_level"] == "full"
    assert birth["fees"][0]["amount"] == 0 and "Miễn lệ phí" in birth["fees"][0]["note"]
    assert any(c.get("held_by_state") for c in birth["components"])
    assert any(c.get("field") == "birth_certificate" for c in birth["components"])
    assert "Luật Hộ tịch số 60/2014/QH13, Điều 16" in birth["legal_basis"]
    business = await current_version_info("2.000720")
    fee = business.metadata["fees"][0]
    assert fee["amount"] is None and "Hội đồng nhân dân" in fee["note"]
    assert float(business.limit.value) == 3 and business.limit.unit == "working_days"
    assert business.applicant["phone"] == "business_phone"


async def test_publish_snapshots_the_facts_and_an_edit_makes_a_new_version(db: Settings) -> None:
    await _procedure()
    revision = await _save("T.001", meta())
    v1, created = await drafts.publish("T.001", revision, actor="admin", now=NOW)
    assert created and v1.metadata is not None and v1.metadata["fees"][0]["amount"] == 25000
    assert float(v1.time_limit) == 5
    row = await Procedure.get(code="T.001")
    assert "25000" in row.fee and row.online_level == "full"
    revision = await _save("T.001", meta(time_limit="7", fees=[{"name": "Lệ phí cấp phép", "amount": "0"}]))
    v2, created = await drafts.publish("T.001", revision, actor="admin", now=NOW)
    assert created and v2.number == 2 and float(v2.time_limit) == 7
    await v1.refresh_from_db()
    assert v1.metadata is not None and v1.metadata["fees"][0]["amount"] == 25000  # the old version keeps its facts
    assert (await current_version_info("T.001")).metadata["fees"][0]["amount"] == 0
    _same, created = await drafts.publish("T.001", revision, actor="admin", now=NOW)
    assert not created


async def test_publish_refuses_missing_facts_and_a_mapping_to_no_field(db: Settings) -> None:
    await _procedure()
    revision = await _save("T.001", meta(time_limit="", components=[], applicant={"phone": "khong_co"}))
    with pytest.raises(ModelInvalid) as refused:
        await drafts.publish("T.001", revision, actor="admin", now=NOW)
    codes = {(p.code, p.component) for p in refused.value.problems}
    assert {("metadata_required", "time_limit"), ("metadata_required", "components"),
            ("applicant_mapping", "applicant.phone")} <= codes
    assert await ProcedureVersion.filter(procedure__code="T.001").count() == 0
    kept = await design.get_draft("T.001")
    assert kept.metadata is not None and kept.metadata["applicant"] == {"phone": "khong_co"}  # kept as typed


async def test_tracking_by_phone_works_once_the_unusual_phone_field_is_mapped(db: Settings) -> None:
    await _procedure()
    data = {"ho_ten_nguoi_nop": "Trần Thị Bình", "so_lien_lac": "0912345678"}
    revision = await _save("T.001", meta())
    await drafts.publish("T.001", revision, actor="admin", now=NOW)
    before = await dossiers.submit(rt(), "T.001", data, now=NOW)
    with pytest.raises(NotFound):
        await tracking.find(rt(), before.code, "0912345678")  # nothing says which field is the phone
    revision = await _save("T.001", meta(applicant={"name": "ho_ten_nguoi_nop", "phone": "so_lien_lac"}))
    version, _created = await drafts.publish("T.001", revision, actor="admin", now=NOW)
    assert version.applicant == {"name": "ho_ten_nguoi_nop", "phone": "so_lien_lac"}
    after = await dossiers.submit(rt(), "T.001", data, now=NOW)
    found = await tracking.find(rt(), after.code, "+84 912 345 678")
    assert found.code == after.code and found.applicant_name == "Trần Thị Bình"


async def test_a_draft_opened_from_a_version_starts_from_its_facts_and_mapping(db: Settings) -> None:
    await publish_shipped("household-business")
    draft = await drafts.open_draft("2.000720", actor="admin", now=NOW)
    assert draft.metadata is None
    m = await metadata.of_draft(draft)
    assert m["applicant"]["phone"] == "business_phone" and m["fees"] and m["delivery"] == ["counter", "post", "online"]
    _version, created = await drafts.publish("2.000720", draft.revision, actor="admin", now=NOW)
    assert not created  # unchanged draft, unchanged facts: no new version


def test_an_older_procedure_toml_fee_text_becomes_a_fee_row() -> None:
    m = metadata.from_toml({"name": "X", "time_limit": 2, "time_unit": "working_days", "fee": "50.000 đồng"})
    assert m["fees"] == [{"name": "Phí, lệ phí", "amount": None, "note": "50.000 đồng"}] and m["time_limit"] == "2"
