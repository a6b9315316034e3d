"""The procedure facts editor and the citizen pages that show the published facts (httpx, real app)."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx

from engine.models import ProcedureDraft
from tests.designer.test_pages import create, login
from tests.factories import page_login, publish_shipped


def form(csrf: str, revision: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf, "revision": str(revision), "action": "save", "name": "Cấp phép thử",
        "name_en": "Test permit",
        "agency_code": "000.00.31.H22", "agency": "UBND xã Thử", "sector": "Xây dựng", "online_level": "partial",
        "time_limit": "3,5", "time_unit": "working_days",
        "components-0-name": "Đơn đề nghị", "components-0-required": "1", "components-0-quantity": "1",
        "components-0-kind": "original", "components-0-field": "@form",
        "components-1-name": "Bản vẽ mặt bằng", "components-1-quantity": "2", "components-1-kind": "certified_copy",
        "components-2-name": "Căn cước", "components-2-quantity": "1", "components-2-kind": "copy",
        "components-2-held_by_state": "1",
        "fees-0-name": "Lệ phí cấp phép", "fees-0-amount": "75.000", "fees-0-note": "Miễn cho hộ nghèo",
        "legal_basis-0-text": "Luật Xây dựng số 135/2025/QH15", "reception_points-0-code": "TN01",
        "reception_points-0-name": "Quầy tiếp nhận số 1", "delivery": ["counter", "online"],
        "applicant-phone": "applicant_phone",
    }
    data.update(changes)
    return data


async def revision_of(client: httpx.AsyncClient, code: str) -> int:
    page = (await client.get(f"/designer/{code}/metadata")).text
    found = re.search(r'name="revision" value="(\d+)"', page)
    assert found
    return int(found.group(1))


async def test_editor_round_trip_then_the_citizen_page_shows_the_published_facts(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    assert (await create(client, csrf)).status_code == 303
    page = (await client.get("/designer/T.001")).text
    assert 'href="/designer/T.001/metadata"' in page
    r = await client.post("/designer/T.001/metadata", data=form(csrf, await revision_of(client, "T.001")))
    assert r.status_code == 303 and r.headers["location"] == "/designer/T.001/metadata?msg=saved"
    page = (await client.get(r.headers["location"])).text
    assert 'id="no-problems"' in page and 'value="Bản vẽ mặt bằng"' in page and 'value="75.000"' in page
    assert re.search(r'<option value="applicant_phone" selected>', page)
    assert re.search(r'id="components-2-held_by_state"[^>]*checked', page)
    draft = await ProcedureDraft.get(procedure__code="T.001")
    r = await client.post("/designer/T.001/publish", json={"revision": draft.revision},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    text = html.unescape((await client.get("/thu-tuc/T.001")).text)
    for shown in ("Cấp phép thử", "3,5 ngày làm việc", "Trực tuyến một phần", "Lệ phí cấp phép", "75.000 đồng",
                  "Miễn cho hộ nghèo", "Bản sao có chứng thực: 2", "Nhà nước đã có, không phải nộp",
                  "Luật Xây dựng số 135/2025/QH15", "Quầy tiếp nhận số 1 (TN01)", "Nhận tại Bộ phận một cửa",
                  "Nhận bản điện tử trực tuyến", "Xây dựng"):
        assert shown in text, shown
    assert "Nhận qua dịch vụ bưu chính công ích" not in text
    listing = html.unescape((await client.get("/?q=cap phep")).text)
    assert "Lệ phí cấp phép: 75.000 đồng" in listing


async def test_a_refused_save_keeps_the_input_names_the_fields_and_publish_refuses(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    bad = form(csrf, await revision_of(client, "T.001"), name="", time_limit="ba ngày",
               **{"components-1-quantity": "hai", "fees-0-amount": "75k"})
    r = await client.post("/designer/T.001/metadata", data=bad)
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert text.count('class="mc-error-summary"') == 1 and "<title>Lỗi:" in text
    for message in ("Tên thủ tục: chưa nhập", "Thời hạn giải quyết: nhập một số lớn hơn 0",
                    "Thành phần hồ sơ số 2, số lượng: nhập số nguyên từ 1 đến 99",
                    "Khoản phí, lệ phí số 1, số tiền: nhập số tiền bằng đồng"):
        assert message in text, message
    assert 'value="ba ngày"' in text and 'value="hai"' in text and 'value="75k"' in text
    draft = await ProcedureDraft.get(procedure__code="T.001")
    assert draft.metadata is not None and draft.metadata["time_limit"] == "ba ngày"  # stored with its problems
    r = await client.post("/designer/T.001/publish", json={"revision": draft.revision},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(p["text"].startswith("Thời hạn giải quyết") and p["href"] == "/designer/T.001/metadata#time_limit"
               for p in problems)


async def test_add_row_buttons_save_and_show_an_empty_row(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    r = await client.post("/designer/T.001/metadata", data=form(csrf, await revision_of(client, "T.001"),
                                                                action="add:fees"))
    assert r.status_code == 200
    assert 'id="fees-1-name"' in r.text and 'value="Lệ phí cấp phép"' in r.text
    revision = await revision_of(client, "T.001")
    r = await client.post("/designer/T.001/metadata", data=form(csrf, revision, **{"fees-0-remove": "1"}))
    assert r.status_code == 303
    draft = await ProcedureDraft.get(procedure__code="T.001")
    assert draft.metadata is not None and draft.metadata["fees"] == []


async def test_a_stale_save_is_refused_with_the_input_kept(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    revision = await revision_of(client, "T.001")
    assert (await client.post("/designer/T.001/metadata", data=form(csrf, revision))).status_code == 303
    r = await client.post("/designer/T.001/metadata", data=form(csrf, revision, name="Tên mới chưa lưu"))
    assert r.status_code == 409 and 'id="conflict"' in r.text and 'value="Tên mới chưa lưu"' in r.text


async def test_citizen_pages_never_say_no_fee_when_none_is_published(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    await publish_shipped("household-business")
    birth = html.unescape((await client.get("/thu-tuc/1.001193")).text)
    assert "Miễn phí, lệ phí" in birth and "Trong ngày" in birth and "Trực tuyến toàn trình" in birth
    business = html.unescape((await client.get("/thu-tuc/2.000720")).text)
    assert "Theo mức do Hội đồng nhân dân cấp tỉnh quy định" in business and "3 ngày làm việc" in business
    csrf = await login(client)
    await create(client, csrf, code="T.009")
    draft = await ProcedureDraft.get(procedure__code="T.009")
    r = await client.post("/designer/T.009/publish", json={"revision": draft.revision},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    page = html.unescape((await client.get("/thu-tuc/T.009")).text)
    fees = re.search(r'<dd id="fees">(.*?)</dd>', page, re.S)
    assert fees and fees.group(1).strip() == "Chưa công bố"


async def test_the_apply_page_header_shows_the_published_facts(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    await page_login(client, "citizen")
    page = html.unescape((await client.get("/nop-ho-so/1.001193")).text)
    facts = re.search(r'<dl class="mc-summary" id="procedure-facts">(.*?)</dl>', page, re.S)
    assert facts and "Đăng ký khai sinh" in facts.group(1) and "Trực tuyến toàn trình" in facts.group(1)
    assert re.search(r'<dd id="apply-fees">Miễn phí, lệ phí</dd>', page)
    assert 'href="/thu-tuc/1.001193#components"' in page


async def test_the_version_diff_tells_the_procedure_facts_that_changed_in_words(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    assert (await create(client, csrf)).status_code == 303
    await client.post("/designer/T.001/metadata", data=form(csrf, await revision_of(client, "T.001")))
    draft = await ProcedureDraft.get(procedure__code="T.001")
    r = await client.post("/designer/T.001/publish", json={"revision": draft.revision},
                          headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    r = await client.post("/designer/T.001/metadata", data=form(
        csrf, await revision_of(client, "T.001"), name="Cấp phép thử nghiệm", time_limit="5", online_level="full",
        **{"components-1-name": "Tờ khai mới", "components-0-quantity": "2", "fees-0-amount": "100.000"}))
    assert r.status_code == 303
    page = (await client.get("/designer/T.001/diff")).text  # from version 1 to the draft
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())
    for said in ("Thông tin thủ tục: đổi tên thủ tục từ “Cấp phép thử” thành “Cấp phép thử nghiệm”",
                 "Thông tin thủ tục: đổi thời hạn giải quyết từ “3,5 ngày làm việc” thành “5 ngày làm việc”",
                 "Thông tin thủ tục: đổi mức độ trực tuyến từ “Một phần” thành “Toàn trình”",
                 "Thêm thành phần hồ sơ “Tờ khai mới”", "Bỏ thành phần hồ sơ “Bản vẽ mặt bằng”",
                 "Thành phần hồ sơ “Đơn đề nghị”: đổi số lượng từ “1” thành “2”",
                 "Phí, lệ phí “Lệ phí cấp phép”: đổi mức thu từ “75.000 đồng” thành “100.000 đồng”"):
        assert said in words, said
    assert "Thông tin thủ tục: đổi cơ quan thực hiện" not in words  # unchanged facts are not reported
    await client.post("/language", data={"csrf_token": csrf, "lang": "en", "next": "/"})
    english = " ".join(html.unescape(re.sub(r"<[^>]+>", "", (await client.get("/designer/T.001/diff")).text)).split())
    assert "Fee “Lệ phí cấp phép”: " in english and "Added dossier component “Tờ khai mới”" in english
