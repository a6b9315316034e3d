"""Catalogue search: with and without Vietnamese diacritics."""

from __future__ import annotations

from engine import catalogue
from tests.factories import publish_shipped


def test_fold_removes_diacritics_and_maps_d_with_stroke() -> None:
    assert catalogue.fold("  Đăng KÝ   khai sinh ") == "dang ky khai sinh"
    assert catalogue.fold("Hộ kinh doanh") == "ho kinh doanh"


async def test_citizen_finds_birth_registration_with_and_without_diacritics(users: dict) -> None:
    await publish_shipped("birth-registration")
    await publish_shipped("household-business")
    for query in ("khai sinh", "dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "1.001193", "birth"):
        assert [p.code for p in await catalogue.search(query)] == ["1.001193"], query
    assert [p.code for p in await catalogue.search("kinh doanh")] == ["2.000720"]
    assert len(await catalogue.search("")) == 2
    assert await catalogue.search("giấy phép lái xe") == []
