"""Publishing through the API: bad models are refused with element-level problems and nothing is stored."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from engine.models import ProcedureVersion
from tests.factories import PROCEDURES, token

MODEL = (PROCEDURES / "birth-registration" / "model.bpmn").read_bytes()
HOSTNAME = Path("/etc/hostname").read_text().strip()
FORMS = sorted((PROCEDURES / "birth-registration" / "forms").glob("*.form.json"))


async def _publish(client: httpx.AsyncClient, headers: dict, xml: bytes, forms=FORMS) -> httpx.Response:
    files = [("bpmn", ("model.bpmn", xml, "application/xml"))]
    files += [("forms", (p.name, p.read_bytes(), "application/json")) for p in forms]
    return await client.post("/api/v1/procedures/1.001193/versions", headers=headers, files=files)


@pytest.fixture
async def admin(client: httpx.AsyncClient, users: dict) -> dict:
    headers = await token(client, "admin")
    r = await client.post("/api/v1/procedures", headers=headers,
                          json={"code": "1.001193", "name": "Đăng ký khai sinh", "time_limit": 1,
                                "time_unit": "same_day"})
    assert r.status_code == 201, r.text
    return headers


async def test_publishing_a_valid_model_creates_version_one_and_same_bytes_do_not_make_a_new_one(
        client: httpx.AsyncClient, admin: dict) -> None:
    r = await _publish(client, admin, MODEL)
    assert r.status_code == 201, r.text
    assert r.json()["number"] == 1 and r.json()["lanes"]["Lãnh đạo"] == "leader"
    r = await _publish(client, admin, MODEL)
    assert r.json()["number"] == 1
    changed = MODEL.replace(b"</bpmn:definitions>", b"</bpmn:definitions>\n")
    assert (await _publish(client, admin, changed)).json()["number"] == 2


async def _refused(client: httpx.AsyncClient, admin: dict, xml: bytes, forms=FORMS) -> list[dict]:
    r = await _publish(client, admin, xml, forms)
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["code"] == "model_invalid"
    assert await ProcedureVersion.all().count() == 0
    return body["details"]["problems"]


async def test_malformed_xml_is_refused_with_its_line(client: httpx.AsyncClient, admin: dict) -> None:
    broken = MODEL.replace(b"</bpmn:process>", b"</bpmn:proces>", 1)
    problems = await _refused(client, admin, broken)
    assert problems[0]["code"] == "xml_syntax" and problems[0]["line"] > 1


async def test_xsd_invalid_model_is_refused_with_the_line(client: httpx.AsyncClient, admin: dict) -> None:
    bad = MODEL.replace(b"<bpmn:userTask ", b"<bpmn:userTsk ", 1).replace(b"</bpmn:userTask>", b"</bpmn:userTsk>", 1)
    problems = await _refused(client, admin, bad)
    assert any(p["code"] == "xsd" and p.get("line") for p in problems)


async def test_import_in_a_condition_is_refused_with_the_element_id(client: httpx.AsyncClient, admin: dict) -> None:
    bad = MODEL.replace(b'>intake_decision == "refuse"<', b">__import__('os').system('id') == 0<")
    assert bad != MODEL
    problems = await _refused(client, admin, bad)
    refused = [p for p in problems if p["code"] == "expression_refused"]
    assert refused and refused[0]["element_id"] == "Gateway_intake"


async def test_user_task_outside_any_lane_is_refused(client: httpx.AsyncClient, admin: dict) -> None:
    bad = re.sub(rb"\s*<bpmn:flowNodeRef>appraisal</bpmn:flowNodeRef>", b"", MODEL)
    assert bad != MODEL
    problems = await _refused(client, admin, bad)
    assert {"code": "task_without_lane", "element_id": "appraisal"}.items() <= next(
        p for p in problems if p["code"] == "task_without_lane").items()


async def test_missing_form_and_unknown_role_are_all_reported_at_once(client: httpx.AsyncClient, admin: dict) -> None:
    bad = MODEL.replace(b'code="leader"', b'code="mayor"')
    assert bad != MODEL
    problems = await _refused(client, admin, bad, forms=[p for p in FORMS if p.name != "approval.form.json"])
    codes = {p["code"] for p in problems}
    assert {"unknown_role", "form_missing"} <= codes


async def test_external_entity_is_never_resolved(client: httpx.AsyncClient, admin: dict) -> None:
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n'
           + MODEL.split(b"?>", 1)[1].replace('name="Lãnh đạo"'.encode(), b'name="&x;"', 1))
    problems = await _refused(client, admin, xxe)
    hostname = HOSTNAME
    assert all(hostname not in p["message"] for p in problems)


async def test_only_admins_publish(client: httpx.AsyncClient, users: dict) -> None:
    officer = await token(client, "officer")
    r = await client.post("/api/v1/procedures", headers=officer, json={"code": "9.9", "name": "x"})
    assert r.status_code == 403


async def test_a_misspelt_motcua_element_is_refused(client: httpx.AsyncClient, admin: dict) -> None:
    bad = MODEL.replace(b"<motcua:budget ", b"<motcua:budjet ", 1)
    assert bad != MODEL
    problems = await _refused(client, admin, bad)
    assert any(p["code"] == "unknown_extension" and p["element_id"] == "intake" for p in problems), problems


async def test_a_refused_lifecycle_condition_names_its_task(client: httpx.AsyncClient, admin: dict) -> None:
    bad = MODEL.replace(b'command="accept" when="', b'command="accept" when="().__class__ or ', 1)
    assert bad != MODEL
    problems = await _refused(client, admin, bad)
    assert any(p["code"] == "expression_refused" and p["element_id"] == "intake" for p in problems), problems


async def test_a_form_the_renderer_cannot_honour_is_refused_with_its_component(
        client: httpx.AsyncClient, admin: dict, tmp_path: Path) -> None:
    bad = tmp_path / "intake.form.json"
    bad.write_text('{"type": "default", "id": "intake", "schemaVersion": 19, "components": ['
                   '{"id": "Field_x", "key": "x", "type": "iframe", "label": "Nhúng trang"}]}', encoding="utf-8")
    problems = await _refused(client, admin, MODEL, forms=[p for p in FORMS if p.name != "intake.form.json"] + [bad])
    assert any(p["code"] == "form_unsupported" and p["form"] == "intake" and p["component"] == "Field_x"
               for p in problems), problems
