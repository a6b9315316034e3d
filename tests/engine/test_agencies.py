"""Agencies: where a dossier belongs, and staff who see and work on their own agency's dossiers only
(every read and command answers another agency's dossier like a missing one). Both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import accounts, agencies, dossiers
from engine.dossier_lifecycle import Step
from engine.errors import AuthenticationFailed, InvalidData, NotFound
from engine.models import ApiToken, HumanTask, User
from tests.factories import APPLICATIONS, PASSWORD, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CODE = "1.001193"


async def _seed() -> None:
    await agencies.save_agency({"code": "T01", "name": "UBND tỉnh", "tier": "province", "kind": "province_committee"})
    await agencies.save_agency({"code": "T01.TTHC", "name": "Trung tâm PVHCC", "tier": "province", "kind": "centre",
                                "parent_code": "T01"})
    await agencies.save_agency({"code": "T01.SYT", "name": "Sở Y tế", "tier": "province", "kind": "department",
                                "parent_code": "T01"})
    for code, kind in (("X.A", "xa"), ("X.B", "phuong")):
        await agencies.save_agency({"code": code, "name": f"UBND {code}", "tier": "commune",
                                    "kind": "commune_committee", "commune_type": kind, "parent_code": "T01"})
        await agencies.save_point({"code": f"{code}-Q1", "name": f"Quầy {code}", "agency_code": code})


async def _staff(name: str, agency: str, *roles: str, kind: str = "staff") -> User:
    return await accounts.create_user(name, PASSWORD, kind, roles=list(roles) or ["one_stop"], agency=agency)


async def _received_at(point: str, users: dict) -> dossiers.DossierRow:
    return await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=users["officer"],
                                 channel="counter", reception_point=point)


async def test_visible_agencies_follow_tier_kind_and_account(users: dict) -> None:
    await _seed()
    assert await agencies.visible_agencies(users["admin"]) == frozenset()  # designers: no dossiers (issue 10)
    assert await agencies.visible_agencies(users["officer"]) is None  # placed in no agency: province-wide
    assert await agencies.visible_agencies(users["citizen"]) == frozenset()
    assert await agencies.visible_agencies(await _staff("a", "X.A")) == {"X.A"}
    assert await agencies.visible_agencies(await _staff("m", "X.A", kind="manager")) == {"X.A"}
    assert await agencies.visible_agencies(await _staff("pm", "T01.SYT", kind="manager")) is None
    assert await agencies.visible_agencies(await _staff("d", "T01.SYT")) == {"T01.SYT"}
    centre = await agencies.visible_agencies(await _staff("c", "T01.TTHC"))
    assert centre == {"T01", "T01.TTHC", "T01.SYT", ""}  # what it receives: the province's bodies, and unplaced


async def test_a_dossier_belongs_to_its_reception_point_then_its_procedure_then_the_officer(users: dict) -> None:
    await _seed()
    await publish_shipped("birth-registration")
    assert (await _received_at("X.B-Q1", users)).agency_code == "X.B"
    assert (await _received_at("quay-khong-ro", users)).agency_code == ""
    officer_a = await _staff("a", "X.A")
    row = await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=officer_a,
                                channel="counter")
    assert row.agency_code == "X.A"
    await agencies.save_agency({"code": "X.C", "name": "Ủy ban nhân dân cấp xã", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa"})  # the procedure's agency name
    row = await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=officer_a,
                                channel="counter")
    assert row.agency_code == "X.C"


async def test_a_dossier_code_carries_its_agencys_code_and_each_agency_numbers_its_own_day(users: dict) -> None:
    """ND118 art. 28: the receiving agency's identifier + the day of receipt + the sequence within that day
    (MOTCUA_AGENCY_CODE only for a dossier that belongs to no agency)."""
    await _seed()
    await publish_shipped("birth-registration")
    codes = [(await _received_at(point, users)).code for point in ("X.A-Q1", "X.B-Q1", "X.A-Q1", "quay-khong-ro")]
    assert codes == ["X.A-260302-0001", "X.B-260302-0001", "X.A-260302-0002", "000.00.00.H00-260302-0001"]
    evening = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    late = await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=evening, user=users["officer"],
                                 channel="counter", reception_point="X.A-Q1")
    assert late.code == "X.A-260303-0001"  # 01:00 on 03/03 in Hà Nội: the next day's first


async def test_an_applicant_sends_a_dossier_of_a_level_named_procedure_to_one_agency_of_that_level(
        users: dict) -> None:
    """The birth registration names "Ủy ban nhân dân cấp xã": every commune handles it. An online
    applicant chooses among the active communes; another tier, an inactive or unknown agency is refused."""
    await _seed()
    await agencies.save_agency({"code": "X.Z", "name": "UBND X.Z (đã sáp nhập)", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa", "parent_code": "T01"})
    await agencies.set_agency_active("X.Z", False)
    await publish_shipped("birth-registration")
    assert agencies.named_tier("ỦY BAN NHÂN DÂN CẤP XÃ") == "commune" and agencies.named_tier("Sở Y tế") is None
    assert await agencies.receiving_choices(CODE) == [("X.A", "UBND X.A"), ("X.B", "UBND X.B")]

    async def online(agency: str) -> dossiers.DossierRow:
        return await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"],
                                     agency=agency)

    row = await online("X.B")
    assert (row.agency_code, row.code) == ("X.B", "X.B-260302-0001")
    assert (await online("")).agency_code == ""  # none chosen: the provincial centre's, as before
    for wrong in ("T01.SYT", "X.Z", "nowhere", "x" * 40):
        with pytest.raises(InvalidData) as refused:
            await online(wrong)
        assert "agency" in refused.value.params["fields"], wrong
    officer_a = await _staff("a", "X.A")  # an officer of commune A cannot send one to commune B
    with pytest.raises(InvalidData):
        await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=officer_a,
                              channel="counter", agency="X.B")
    await agencies.save_agency({"code": "X.C", "name": "Ủy ban nhân dân cấp xã", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa"})  # now names one agency
    assert await agencies.receiving_choices(CODE) == []
    assert (await online("X.C")).agency_code == "X.C" and (await online("")).agency_code == "X.C"


async def test_staff_of_commune_a_neither_see_nor_work_on_commune_b_dossiers(users: dict) -> None:
    await _seed()
    await publish_shipped("birth-registration")
    mine, theirs = await _received_at("X.A-Q1", users), await _received_at("X.B-Q1", users)
    officer_a = await _staff("a", "X.A")
    inbox = await dossiers.inbox(rt(), officer_a, NOW)
    assert [r.dossier_code for r in inbox.rows] == [mine.code]
    assert {r.dossier_code for r in (await dossiers.inbox(rt(), users["officer"], NOW)).rows} == {mine.code,
                                                                                                  theirs.code}
    task_b = await HumanTask.get(dossier_id=theirs.id, state="ready")
    for attempt in (lambda: dossiers.view(rt(), theirs.code, officer_a),
                    lambda: dossiers.get_for(theirs.code, officer_a),
                    lambda: dossiers.task_view(rt(), task_b.id, officer_a),
                    lambda: dossiers.claim(rt(), task_b.id, officer_a, NOW),
                    lambda: dossiers.complete_task(rt(), task_b.id, {"intake_decision": "accept"}, officer_a, NOW),
                    lambda: dossiers.step(rt(), theirs.code, Step("withdraw"), officer_a, NOW)):
        with pytest.raises(NotFound):
            await attempt()
    assert (await HumanTask.get(id=task_b.id)).state == "ready"  # nothing happened to it
    assert (await dossiers.view(rt(), mine.code, officer_a)).dossier.code == mine.code
    task_a = await HumanTask.get(dossier_id=mine.id, state="ready")
    done = await dossiers.complete_task(rt(), task_a.id, {"intake_decision": "accept"}, officer_a, NOW)
    assert done.lifecycle_status == 4


async def test_agency_rules_are_checked_and_every_problem_reported(users: dict) -> None:
    await _seed()
    with pytest.raises(InvalidData) as caught:
        await agencies.save_agency({"code": "X.A", "name": "", "tier": "commune", "kind": "centre"})
    assert set(caught.value.params["fields"]) == {"code", "name", "kind", "commune_type"}
    with pytest.raises(InvalidData) as caught:
        await agencies.save_point({"code": "P 1", "name": "Quầy", "agency_code": "NOPE"})
    assert set(caught.value.params["fields"]) == {"code", "agency_code"}
    await agencies.set_agency_active("X.A", False)
    assert [p.code for p in await agencies.reception_points_for(None)] == ["X.B-Q1"]


async def test_deactivating_a_user_ends_their_tokens_and_sign_in(users: dict) -> None:
    officer = users["officer"]
    await accounts.issue_token(officer, NOW, 1)
    await accounts.deactivate_user(officer.id)
    assert not await ApiToken.filter(user_id=officer.id).exists()
    with pytest.raises(AuthenticationFailed):
        await accounts.authenticate("officer", PASSWORD)
    with pytest.raises(NotFound):
        await accounts.deactivate_user(99999)


async def test_an_officer_receives_only_at_their_agencys_counters(users: dict) -> None:
    await _seed()
    await publish_shipped("birth-registration")
    with pytest.raises(InvalidData) as caught:
        await dossiers.submit(rt(), CODE, APPLICATIONS["birth-registration"], now=NOW, user=await _staff("a", "X.A"),
                              channel="counter", reception_point="X.B-Q1")
    assert set(caught.value.params["fields"]) == {"reception_point"}


async def test_dossiers_received_before_their_agency_existed_are_placed_afterwards(users: dict) -> None:
    await publish_shipped("birth-registration")
    early = await _received_at("LATER-Q1", users)
    assert early.agency_code == ""
    await agencies.save_agency({"code": "X.L", "name": "UBND xã Sau", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa"})
    await agencies.save_point({"code": "LATER-Q1", "name": "Quầy", "agency_code": "X.L"})
    assert await agencies.place_unplaced() == 1
    assert (await dossiers.view(rt(), early.code, users["officer"])).dossier.agency_code == "X.L"
