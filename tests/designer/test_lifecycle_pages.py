"""The legal layer on the designer's pages: the lifecycle in words, the draft's problems after a
reload, the one-click default lifecycle, the simulation's statuses (httpx, session login as admin)."""

from __future__ import annotations

import re

import httpx

from engine.models import ProcedureDraft
from tests.designer.test_pages import create, login, page_data

NEVER_ACCEPTS = '<motcua:lifecycle command="accept" when="intake_decision == &quot;accept&quot;" />'


def section(page: str, element_id: str) -> str:
    found = re.search(rf'<section id="{element_id}".*?</section>', page, re.S)
    assert found, element_id
    return re.sub(r"\s+", " ", found.group(0))


async def test_the_designer_page_tells_the_lifecycle_in_words(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    legal = section((await client.get("/designer/T.001")).text, "legal")
    assert ("Bước “Tiếp nhận hồ sơ” tiếp nhận hồ sơ khi “Kết quả kiểm tra hồ sơ” = “Tiếp nhận hồ sơ” "
            "(trạng thái 1 “Mới đăng ký” → 4 “Đang xử lý”)") in legal
    assert "Bước “Tiếp nhận hồ sơ” từ chối hồ sơ khi “Kết quả kiểm tra hồ sơ” = “Từ chối tiếp nhận (Mẫu 03)”" in legal
    assert ("Bước “Trả kết quả” trả kết quả mỗi khi hoàn thành (trạng thái 9 “Đã xử lý xong” → "
            "10 “Đã trả kết quả”)") in legal
    assert "Kết thúc “Từ chối tiếp nhận”: hồ sơ kết thúc ở trạng thái 3 “Không được tiếp nhận”" in legal
    assert 'id="draft-no-problems"' in legal
    english = section((await client.get("/designer/T.001?lang=en")).text, "legal")
    assert "Step “Tiếp nhận hồ sơ” accepts the dossier when" in english and "4 “In process”" in english


async def test_a_model_draft_with_problems_is_saved_and_shows_them_after_a_reload(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    xml = page_data((await client.get("/designer/T.001")).text)["xml"].replace(NEVER_ACCEPTS, "")
    r = await client.post("/designer/T.001/draft", json={"xml": xml, "revision": 0}, headers={"X-CSRF-Token": csrf})
    assert r.json()["saved"] is True
    page = (await client.get("/designer/T.001")).text
    assert page_data(page)["xml"] == xml == (await ProcedureDraft.get()).bpmn_xml
    legal = section(page, "legal")
    assert 'data-code="lifecycle_never_accepts" data-element="intake"' in legal
    assert "Không có đường nào tiếp nhận hồ sơ" in legal and "“Tiếp nhận hồ sơ”" in legal
    assert ('data-code="lifecycle_end_status" data-element="EndEvent_done"' in legal
            or 'data-code="lifecycle_step_refused" data-element="return_result"' in legal)
    r = await client.post("/designer/T.001/publish", json={"revision": 1}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    codes = {p["code"] for p in r.json()["problems"]}
    assert {"lifecycle_never_accepts", "lifecycle_step_refused"} <= codes
