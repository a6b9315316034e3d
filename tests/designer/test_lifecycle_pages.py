"""The legal layer on the designer's pages: the lifecycle in words, the draft's problems after a
reload, the one-click default lifecycle, the simulation's statuses (httpx, session login as admin)."""

from __future__ import annotations

import html
import json
import re

import httpx

from engine.models import ProcedureDraft
from tests.designer.test_pages import create, login, page_data
from tests.factories import APPLICATIONS, publish_shipped

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


async def test_the_simulation_walks_the_lifecycle_with_statuses_and_the_legal_due(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    csrf = await login(client)
    await client.get("/designer/2.000720")  # opens the draft from version 1
    r = await client.post("/designer/2.000720/simulate", data={
        "csrf_token": csrf, "action": "start", "at": "2026-03-02T09:00",
        "data": json.dumps(APPLICATIONS["household-business"])})
    assert 'data-lifecycle="1"' in r.text and "chưa tính (hồ sơ chưa được tiếp nhận)" in r.text
    seen = []
    for _ in range(4):  # every step finished at its due date, with the prefilled sample data (first options)
        token = re.search(r'name="token" value="([^"]+)"', r.text)
        task = re.search(r'name="task_id" value="([^"]+)"', r.text)
        when = re.search(r'name="at" value="([^"]+)"', r.text)
        sample = re.search(r'<textarea id="data-1" name="data">(.*?)</textarea>', r.text, re.S)
        assert token and task and when and sample
        r = await client.post("/designer/2.000720/simulate", data={
            "csrf_token": csrf, "action": "complete", "token": token.group(1), "task_id": task.group(1),
            "at": when.group(1), "data": html.unescape(sample.group(1))})
        status = re.search(r'data-lifecycle="(\d+)"', r.text)
        assert status
        seen.append(int(status.group(1)))
    assert seen == [4, 4, 9, 10]
    path = re.search(r'<ol id="sim-path">(.*?)</ol>\s*<', r.text, re.S)
    assert path
    words = " ".join(re.sub(r"<[^>]+>", " ", path.group(1)).split())
    # accepted at 15:00 on Monday (the intake's 4 working hours): 3 working days later, same hour
    assert "Tiếp nhận hồ sơ → trạng thái 4 “Đang xử lý”; hạn giải quyết 15:00 ngày 05/03/2026" in words
    assert "Ghi nhận đã xử lý xong → trạng thái 9 “Đã xử lý xong”" in words
    assert "Trả kết quả → trạng thái 10 “Đã trả kết quả”" in words
    assert 'id="sim-lifecycle-due">15:00 ngày 05/03/2026' in r.text.replace("\n", "")


async def test_the_default_lifecycle_is_previewed_then_applied_in_one_click(
        client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    xml = re.sub(r"<motcua:lifecycle [^>]*/>", "", page_data((await client.get("/designer/T.001")).text)["xml"])
    await client.post("/designer/T.001/draft", json={"xml": xml, "revision": 0}, headers={"X-CSRF-Token": csrf})
    assert "Không có đường nào tiếp nhận hồ sơ" in section((await client.get("/designer/T.001")).text, "legal")
    preview = await client.get("/designer/T.001/lifecycle")
    assert preview.status_code == 200
    words = " ".join(re.sub(r"<[^>]+>", " ", preview.text).split())
    assert "bước xử lý “Tiếp nhận hồ sơ” (intake) : đổi quy tắc vòng đời" in words
    assert "Bước “Tiếp nhận hồ sơ” tiếp nhận hồ sơ khi “Kết quả kiểm tra hồ sơ” = “Tiếp nhận hồ sơ”" in words
    assert (await ProcedureDraft.get()).bpmn_xml == xml  # a preview changes nothing
    stale = await client.post("/designer/T.001/lifecycle", data={"csrf_token": csrf, "revision": "0"})
    assert stale.status_code == 409 and "Bản nháp vừa được lưu lại" in stale.text
    assert (await ProcedureDraft.get()).revision == 1
    r = await client.post("/designer/T.001/lifecycle", data={"csrf_token": csrf, "revision": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/designer/T.001?msg=lifecycle_applied"
    draft = await ProcedureDraft.get()
    assert draft.revision == 2 and 'command="accept"' in draft.bpmn_xml and 'command="return_result"' in draft.bpmn_xml
    page = (await client.get(r.headers["location"])).text
    assert 'id="lifecycle-applied"' in page and 'id="draft-no-problems"' in section(page, "legal")
    assert 'data-action="lifecycle_defaults"' in page
    r = await client.post("/designer/T.001/check", json={}, headers={"X-CSRF-Token": csrf})
    assert r.json()["problems"] == []
