"""The managers' dossier search (engine/dossiers/search.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from engine import dossiers
from engine.dossiers import search as ds
from engine.errors import InvalidData
from engine.models import HumanTask
from tests.factories import APPLICATIONS, CODES, HAPPY_PATH, publish_shipped, rt

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


async def _submit(users: dict[str, Any], slug: str, name: str, at: datetime) -> dossiers.DossierRow:
    data = dict(APPLICATIONS[slug])
    data["requester_full_name" if slug == "birth-registration" else "owner_full_name"] = name
    return await dossiers.submit(rt(), CODES[slug], data, now=at, user=users["citizen"])


async def _walk(users: dict[str, Any], code: str, steps: int, at: datetime) -> None:
    for element_id, who, data in HAPPY_PATH[:steps]:
        task = await HumanTask.get(dossier__code=code, state="ready", element_id=element_id)
        await dossiers.complete_task(rt(), task.id, data, users[who], at)


@pytest.fixture
async def spread(users: dict[str, Any]) -> dict[str, str]:
    """Five dossiers, one a day: names with and without accents, two procedures, statuses 1, 4, 10."""
    await publish_shipped("birth-registration")
    await publish_shipped("household-business")
    made = {}
    for i, (key, slug, name) in enumerate([
        ("hoa", "birth-registration", "Trần Thị Hoa"), ("nam", "household-business", "Lê Văn Nam"),
        ("dung", "household-business", "Đặng Quốc Dũng"), ("hoa2", "birth-registration", "TRẦN THỊ HOÀ"),
        ("binh", "birth-registration", "Phạm Bình"),
    ]):
        made[key] = (await _submit(users, slug, name, T0 + timedelta(days=i, minutes=i))).code
    await _walk(users, made["nam"], 1, T0 + timedelta(days=1, hours=1))  # accepted: due 3 working days later
    await _walk(users, made["dung"], 4, T0 + timedelta(days=2, hours=1))  # returned within the time limit
    return made


def _codes(page: ds.SearchPage) -> list[str]:
    return [r.code for r in page.rows]


async def test_search_lists_newest_first_and_filters_by_name_without_accents_or_case(
        db: Any, spread: dict[str, str]) -> None:
    now = T0 + timedelta(days=6)
    every = await ds.search(ds.SearchFilters(), now)
    assert _codes(every) == [spread[k] for k in ("binh", "hoa2", "dung", "nam", "hoa")]
    assert every.next_cursor is None
    for query in ("tran thi hoa", "TRẦN THỊ HÒA", "thi hoa", "hoa"):
        found = await ds.search(ds.SearchFilters(name=query), now)
        assert _codes(found) == [spread["hoa2"], spread["hoa"]], query
    assert _codes(await ds.search(ds.SearchFilters(name="dang quoc"), now)) == [spread["dung"]]
    assert _codes(await ds.search(ds.SearchFilters(name="100%"), now)) == []


async def test_search_filters_by_code_prefix_procedure_status_and_local_dates(db: Any, spread: dict[str, str]) -> None:
    now = T0 + timedelta(days=6)
    code = spread["nam"]
    assert _codes(await ds.search(ds.SearchFilters(code=code[:-2].lower()), now)) == [code]
    assert _codes(await ds.search(ds.SearchFilters(procedure=CODES["household-business"]), now)) == [
        spread["dung"], spread["nam"]]
    assert _codes(await ds.search(ds.SearchFilters(status=10), now)) == [spread["dung"]]
    assert _codes(await ds.search(ds.SearchFilters(status=4), now)) == [spread["nam"]]
    # received on 03/11 and 04/11 (local days), both ends included
    found = await ds.search(ds.SearchFilters(received_from=date(2026, 11, 3), received_to=date(2026, 11, 4)), now)
    assert _codes(found) == [spread["dung"], spread["nam"]]
    found = await ds.search(ds.SearchFilters(accepted_from=date(2026, 11, 4), accepted_to=date(2026, 11, 4)), now)
    assert _codes(found) == [spread["dung"]]
    assert found.rows[0].procedure_name and found.rows[0].agency


async def test_overdue_means_due_passed_while_running_or_finished_late(db: Any, users: dict[str, Any],
                                                                      spread: dict[str, str]) -> None:
    early = T0 + timedelta(days=2)
    assert _codes(await ds.search(ds.SearchFilters(overdue=True), early)) == []
    late = T0 + timedelta(days=14)
    found = await ds.search(ds.SearchFilters(overdue=True), late)
    assert _codes(found) == [spread["nam"]]
    assert found.rows[0].overdue and found.rows[0].due_at is not None
    # finishing it late keeps it in the list (finished late), now with its finish instant
    await _walk_rest(users, spread["nam"], late)
    found = await ds.search(ds.SearchFilters(overdue=True), late + timedelta(days=1))
    assert _codes(found) == [spread["nam"]]
    assert found.rows[0].finished_at == late and found.rows[0].lifecycle_status == 10


async def _walk_rest(users: dict[str, Any], code: str, at: datetime) -> None:
    for element_id, who, data in HAPPY_PATH[1:]:
        task = await HumanTask.get(dossier__code=code, state="ready", element_id=element_id)
        await dossiers.complete_task(rt(), task.id, data, users[who], at)


async def test_keyset_pages_neither_skip_nor_repeat_when_new_dossiers_arrive(db: Any, users: dict[str, Any],
                                                                             spread: dict[str, str]) -> None:
    now = T0 + timedelta(days=6)
    first = await ds.search(ds.SearchFilters(), now, limit=2)
    assert _codes(first) == [spread["binh"], spread["hoa2"]] and first.next_cursor
    await _submit(users, "birth-registration", "Người Mới", T0 + timedelta(days=5))  # newer than page 1
    second = await ds.search(ds.SearchFilters(), now, limit=2, cursor=first.next_cursor)
    assert _codes(second) == [spread["dung"], spread["nam"]]
    third = await ds.search(ds.SearchFilters(), now, limit=2, cursor=second.next_cursor)
    assert _codes(third) == [spread["hoa"]] and third.next_cursor is None
    everything = [r async for r in ds.export(ds.SearchFilters(name="hoa"), now, batch=1)]
    assert [r.code for r in everything] == [spread["hoa2"], spread["hoa"]]


async def test_agencies_scope_the_search(db: Any, spread: dict[str, str]) -> None:
    from engine.models import Dossier

    now = T0 + timedelta(days=6)  # the scope is where each dossier was placed (dossier.agency_code)
    await Dossier.filter(code__in=[spread["binh"], spread["hoa2"], spread["hoa"]]).update(agency_code="H01.02")
    await Dossier.exclude(code__in=[spread["binh"], spread["hoa2"], spread["hoa"]]).update(agency_code="H01.09")
    assert _codes(await ds.search(ds.SearchFilters(), now, agencies={"H01.02"})) == [
        spread["binh"], spread["hoa2"], spread["hoa"]]
    assert _codes(await ds.search(ds.SearchFilters(), now, agencies=[])) == []
    assert len((await ds.search(ds.SearchFilters(), now, agencies=None)).rows) == 5


@pytest.mark.parametrize("cursor", ["nonsense", "bzE=", "a3Rlc3R8MQ"])
async def test_a_forged_cursor_is_invalid_data(db: Any, cursor: str) -> None:
    with pytest.raises(InvalidData):
        await ds.search(ds.SearchFilters(), T0, cursor=cursor)
