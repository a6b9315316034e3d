"""The designer's pages and JSON endpoints through the app (httpx, session login as admin)."""

from __future__ import annotations

import html
import json
import re

import httpx

from designer import starter
from engine import dossiers
from engine.models import DesignAudit, ProcedureDraft, ProcedureVersion
from engine.settings import Settings
from tests.designer.test_design import without_lane
from tests.factories import APPLICATIONS, PROCEDURES, publish_shipped, rt


async def login(client: httpx.AsyncClient, username: str = "admin") -> str:
    """Sign in through the /login form; returns the session's CSRF token."""
    page = (await client.get("/login")).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    r = await client.post("/login", data={"csrf_token": csrf.group(1), "username": username,
                                          "password": "correct-horse-battery"})
    assert r.status_code == 303
    return token_of((await client.get("/designer/")).text if username == "admin" else (await client.get("/")).text)


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def page_data(html: str, element_id: str = "designer-data") -> dict:
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


async def create(client: httpx.AsyncClient, csrf: str, code: str = "T.001", **extra: str) -> httpx.Response:
    fields = {"csrf_token": csrf, "code": code, "name": "Thủ tục thử", "agency": "UBND xã", "time_limit": "5",
              "time_unit": "working_days", **extra}
    return await client.post("/designer/", data=fields, files={"bpmn": ("", b"", "application/octet-stream")})


async def test_designer_is_for_admins_only(client: httpx.AsyncClient, users: dict) -> None:
    r = await client.get("/designer/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    await login(client, "officer")
    assert (await client.get("/designer/")).status_code == 403
    r = await client.post("/designer/X/draft", json={"xml": "", "revision": 0})
    assert r.status_code == 403


async def test_list_shows_versions_with_running_dossiers_and_the_draft(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    await dossiers.submit(rt(), "2.000720", APPLICATIONS["household-business"], now=_now(), user=users["citizen"])
    csrf = await login(client)
    html = (await client.get("/designer/")).text
    row = re.search(r'<tr data-code="2.000720">.*?</tr>', html, re.S)
    assert row and "Phiên bản 1" in row.group(0) and "Đang giải quyết: 1 hồ sơ" in row.group(0)
    assert "Bản nháp" not in row.group(0)  # nobody opened it in the designer yet
    r = await create(client, csrf)
    assert r.status_code == 303 and r.headers["location"] == "/designer/T.001"
    html = (await client.get("/designer/")).text
    assert re.search(r'<tr data-code="T.001">.*?Bản nháp.*?</tr>', html, re.S)
    assert "5 ngày làm việc" in html


async def test_create_refuses_a_taken_code_and_shows_why(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    r = await create(client, csrf, name="")
    assert r.status_code == 422
    assert "Đã có thủ tục với mã này" in r.text and "Nhập tên thủ tục" in r.text
    r = await create(client, csrf, code="T.002", time_limit="-1")
    assert r.status_code == 422 and "Thời hạn là một số không âm" in r.text


async def test_import_a_camunda_file_as_a_new_procedure(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    data = (PROCEDURES / "birth-registration" / "model.bpmn").read_bytes()
    r = await client.post("/designer/", data={"csrf_token": csrf, "code": "I.1", "name": "Nhập", "time_limit": "1",
                                              "time_unit": "same_day"},
                          files={"bpmn": ("model.bpmn", data, "application/xml")})
    assert r.status_code == 303
    page = await client.get("/designer/I.1")
    assert "birth_registration" in page_data(page.text)["xml"]
    assert "chưa tạo" in page.text  # the model's forms are not in the draft yet
    r = await client.post("/designer/", data={"csrf_token": csrf, "code": "I.2", "name": "Hỏng", "time_limit": "1",
                                              "time_unit": "same_day"},
                          files={"bpmn": ("x.bpmn", b"<html/>", "application/xml")})
    assert r.status_code == 422 and "Tệp không phải mô hình BPMN 2.0" in r.text


async def test_modeler_page_autosave_conflict_check_and_publish(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    page = await client.get("/designer/T.001")
    assert page.status_code == 200
    data = page_data(page.text)
    assert data["revision"] == 0 and {"code": "one_stop", "name": "Bộ phận một cửa"} in data["roles"]
    assert [f["ref"] for f in data["forms"]] == ["application", "intake", "return_result"]
    assert "motcua-modeler.js" in page.text and 'id="properties"' in page.text
    headers = {"X-CSRF-Token": csrf}
    assert (await client.post("/designer/T.001/draft", json={"xml": data["xml"], "revision": 0})).status_code == 403
    r = await client.post("/designer/T.001/draft", json={"xml": without_lane(data["xml"]), "revision": 0},
                          headers=headers)
    assert r.status_code == 200 and r.json()["revision"] == 1 and r.json()["saved"]
    r = await client.post("/designer/T.001/draft", json={"xml": "<html/>", "revision": 1}, headers=headers)
    assert r.json()["saved"] is False and r.json()["problems"][0]["code"] == "not_bpmn"
    r = await client.post("/designer/T.001/draft", json={"xml": data["xml"], "revision": 0}, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["details"]["revision"] == 1
    r = await client.post("/designer/T.001/check", json={}, headers=headers)
    problems = r.json()["problems"]
    assert [(p["code"], p["element_id"]) for p in problems] == [
        ("task_without_lane", "intake"), ("task_without_lane", "return_result"),
        ("lifecycle_accept_not_one_stop", "intake")]
    assert problems[0]["text"] == "Bước “Tiếp nhận hồ sơ” chưa nằm trong làn nào nên không giao được cho ai"
    r = await client.post("/designer/T.001/publish", json={"revision": 1}, headers=headers)
    assert r.status_code == 422  # refused like the API's publish, with the problems in words
    assert r.json()["published"] is False and r.json()["problems"][0]["element_id"] == "intake"
    await client.post("/designer/T.001/draft", json={"xml": data["xml"], "revision": 1}, headers=headers)
    r = await client.post("/designer/T.001/publish", json={"revision": 2}, headers=headers)
    assert r.status_code == 201 and r.json() == {"published": True, "version": 1, "created": True}
    html = (await client.get("/designer/T.001")).text
    assert re.search(r'data-action="published">.*?admin.*?phiên bản 1', html, re.S)
    assert [a.action for a in await DesignAudit.all().order_by("id")] == [
        "created", "edited", "checked", "publish_refused", "edited", "published"]


async def test_json_bodies_are_capped_like_the_api(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    huge = "x" * (Settings().max_bpmn_bytes + 1)  # the tests' settings keep the default cap
    r = await client.post("/designer/T.001/draft", json={"xml": huge, "revision": 0}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == {"body": ["too large"]}


async def test_check_in_english(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    draft = await ProcedureDraft.get()
    await client.post("/designer/T.001/draft", json={"xml": without_lane(draft.bpmn_xml), "revision": 0},
                      headers={"X-CSRF-Token": csrf})
    r = await client.post("/designer/T.001/check?lang=en", json={}, headers={"X-CSRF-Token": csrf})
    assert r.json()["problems"][0]["text"] == "Step “Tiếp nhận hồ sơ” is in no lane, so nobody would be assigned to it"


async def test_forms_add_save_with_problems_and_preview(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    headers = {"X-CSRF-Token": csrf}
    r = await client.post("/designer/T.001/forms", json={"ref": "appraisal", "revision": 0}, headers=headers)
    assert r.status_code == 201 and {"ref": "appraisal", "name": "appraisal"} in r.json()["forms"]
    r = await client.post("/designer/T.001/forms", json={"ref": "appraisal", "revision": 1}, headers=headers)
    assert r.status_code == 409 and r.json()["error"]["details"]["reason"] == "form_exists"
    page = await client.get("/designer/T.001/forms/appraisal")
    assert page.status_code == 200 and "motcua-form-editor.js" in page.text
    assert page_data(page.text, "form-data")["schema"]["components"] == []
    table = {"type": "default", "components": [{"id": "Table_1", "type": "table", "label": "Bảng"}]}
    r = await client.post("/designer/T.001/forms/appraisal", json={"schema": table, "revision": 1}, headers=headers)
    # saved as it is (a draft never loses work), the component named by its label
    assert r.json()["saved"] is True and r.json()["revision"] == 2
    assert r.json()["problems"][0]["component"] == "Table_1"
    assert r.json()["problems"][0]["text"].startswith("Thành phần “Bảng”:")
    reloaded = await client.get("/designer/T.001/forms/appraisal")
    assert page_data(reloaded.text, "form-data")["schema"]["components"][0]["id"] == "Table_1"
    listed = re.search(r'<ol id="form-problem-list">(.*?)</ol>', reloaded.text, re.S)
    assert listed and 'data-component="Table_1"' in listed.group(1) and "Thành phần “Bảng”" in listed.group(1)
    assert '<section id="form-problems" class="mc-problems">' in reloaded.text  # shown, not hidden
    r = await client.post("/designer/T.001/check", json={}, headers=headers)
    assert [(p["code"], p["form"], p["component"]) for p in r.json()["problems"]] == [
        ("form_unsupported", "appraisal", "Table_1")]
    assert r.json()["problems"][0]["text"] == "Biểu mẫu “appraisal”, thành phần “Bảng”: máy chủ không hiển thị được"
    schema = {**starter.INTAKE_FORM, "id": "x"}
    r = await client.post("/designer/T.001/forms/appraisal", json={"schema": schema, "revision": 2}, headers=headers)
    assert r.status_code == 200 and r.json()["revision"] == 3 and r.json()["problems"] == []
    assert 'class="mc-problems" hidden' in (await client.get("/designer/T.001/forms/appraisal")).text
    assert (await ProcedureDraft.get()).forms["appraisal"]["id"] == "appraisal"
    preview = await client.get("/designer/T.001/forms/appraisal/preview")
    assert preview.status_code == 200 and "Ghi chú tiếp nhận" in preview.text and "<header" not in preview.text
    r = await client.post("/designer/T.001/forms/appraisal/preview",
                          data={"csrf_token": csrf, "schema": json.dumps(starter.APPLICATION_FORM)})
    assert "Họ và tên người nộp hồ sơ" in r.text and "Ghi chú tiếp nhận" not in r.text
    r = await client.post("/designer/T.001/forms/appraisal/preview",
                          data={"csrf_token": csrf, "schema": json.dumps(table)})
    assert "Máy chủ chưa hiển thị được biểu mẫu này" in r.text


async def test_export_import_and_diff_in_words(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    csrf = await login(client)
    page = await client.get("/designer/2.000720")
    xml = page_data(page.text)["xml"]
    r = await client.get("/designer/2.000720/export.bpmn?v=1")
    assert r.headers["content-disposition"].startswith('attachment; filename="2.000720-v1.bpmn"')
    assert r.headers["content-security-policy"].startswith("sandbox")  # a model never runs as a page
    assert r.text == (await ProcedureVersion.get()).bpmn_xml
    changed = xml.replace('name="Thẩm định hồ sơ"', 'name="Thẩm định"').replace(
        '<motcua:role code="leader" />', '<motcua:role code="specialist" />').replace(
        'value="4" unit="working_hours"', 'value="1" unit="working_days"', 1)
    await client.post("/designer/2.000720/draft", json={"xml": changed, "revision": 0}, headers={"X-CSRF-Token": csrf})
    r = await client.get("/designer/2.000720/diff")
    assert r.status_code == 200
    words = " ".join(re.sub(r"<[^>]+>", "", r.text).split())
    assert "Đổi tên bước xử lý (appraisal) từ “Thẩm định hồ sơ” thành “Thẩm định”" in words
    assert "làn “Lãnh đạo” (Lane_leader): đổi vai trò từ “leader” thành “specialist”" in words
    assert "đổi thời hạn bước từ “4 giờ làm việc” thành “1 ngày làm việc”" in words
    r = await client.get("/designer/2.000720/diff?from=1&to=1")
    assert "Không có thay đổi nào" in r.text
    data = (PROCEDURES / "birth-registration" / "model.bpmn").read_bytes()
    r = await client.post("/designer/2.000720/import", data={"csrf_token": csrf},
                          files={"bpmn": ("birth.bpmn", data, "application/xml")})
    assert r.status_code == 303
    assert "birth_registration" in (await ProcedureDraft.get()).bpmn_xml
    r = await client.post("/designer/2.000720/import", data={"csrf_token": csrf},
                          files={"bpmn": ("x.bpmn", b"nope", "application/xml")})
    assert r.headers["location"].endswith("msg=import_failed")


async def test_duplicate_from_the_list(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    csrf = await login(client)
    r = await client.post("/designer/1.001193/duplicate", data={"csrf_token": csrf, "new_code": "1.001193-B",
                                                                 "name": "Khai sinh (bản sao)"})
    assert r.status_code == 303 and r.headers["location"] == "/designer/1.001193-B"
    page = await client.get("/designer/1.001193-B")
    assert "Khai sinh (bản sao)" in page.text and "birth_registration" in page_data(page.text)["xml"]
    r = await client.post("/designer/1.001193/duplicate", data={"csrf_token": csrf, "new_code": "1.001193-B"})
    assert r.status_code == 422 and "Đã có thủ tục với mã này" in r.text


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_simulation_runs_the_draft_in_memory_with_due_dates(client: httpx.AsyncClient, users: dict) -> None:
    from engine.models import Dossier

    await publish_shipped("household-business")
    csrf = await login(client)
    await client.get("/designer/2.000720")  # opens the draft from version 1
    page = await client.get("/designer/2.000720/simulate")
    assert page.status_code == 200 and 'id="sim-start"' in page.text
    assert "business_name" in page.text  # test data prefilled from the application form
    r = await client.post("/designer/2.000720/simulate", data={
        "csrf_token": csrf, "action": "start", "at": "2026-03-02T09:00",
        "data": json.dumps(APPLICATIONS["household-business"])})
    assert "Kiểm tra, tiếp nhận hồ sơ" in r.text
    assert "15:00 ngày 02/03/2026" in r.text  # intake: 4 working hours from 09:00, lunch 11:30-13:30
    assert "09:00 ngày 05/03/2026" in r.text  # the procedure's 3 working days
    for _ in range(4):  # every step finished at its due date, with the prefilled sample data
        token = re.search(r'name="token" value="([^"]+)"', r.text)
        task = re.search(r'name="task_id" value="([^"]+)"', r.text)
        when = re.search(r'name="at" value="([^"]+)"', r.text)
        sample = re.search(r'<textarea id="data-1" name="data">(.*?)</textarea>', r.text, re.S)
        assert token and task and when and sample
        r = await client.post("/designer/2.000720/simulate", data={
            "csrf_token": csrf, "action": "complete", "token": token.group(1), "task_id": task.group(1),
            "at": when.group(1), "data": html.unescape(sample.group(1))})
    assert 'data-status="completed"' in r.text
    assert 'data-element="return_result"' in r.text and 'data-element="EndEvent_result_returned"' in r.text
    assert await Dossier.all().count() == 0  # nothing real was created
    token = re.search(r'name="token" value="([^"]+)"', (await client.post("/designer/2.000720/simulate", data={
        "csrf_token": csrf, "action": "start", "data": "{}"})).text)
    assert token
    r = await client.post("/designer/2.000720/simulate", data={
        "csrf_token": csrf, "action": "complete", "token": token.group(1)[:-2] + "xx", "task_id": "x", "data": "{}"})
    assert "Phiên chạy thử không hợp lệ" in r.text


async def test_simulation_needs_a_draft_without_problems(client: httpx.AsyncClient, users: dict) -> None:
    csrf = await login(client)
    await create(client, csrf)
    draft = await ProcedureDraft.get()
    await client.post("/designer/T.001/draft", json={"xml": without_lane(draft.bpmn_xml), "revision": 0},
                      headers={"X-CSRF-Token": csrf})
    r = await client.get("/designer/T.001/simulate")
    assert 'id="sim-problems"' in r.text and "chưa nằm trong làn nào" in r.text
