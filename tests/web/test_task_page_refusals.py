"""The staff task page when the engine refuses a completion: the officer reads why, on the form,
with what they typed still there; only a task that moved on elsewhere sends them back to the inbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from engine import dossiers
from engine.models import Dossier, HumanTask
from tests.factories import APPLICATIONS, page_csrf, page_login, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def _intake(client: httpx.AsyncClient, users: dict) -> tuple[Dossier, str]:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    await page_login(client, "officer")
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    r = await client.post(f"/can-bo/viec/{task.id}/nhan", data={"csrf_token": await page_csrf(client, "/can-bo")})
    assert r.status_code == 303
    return dossier, task.id


async def test_a_supplement_request_must_say_what_is_missing(client: httpx.AsyncClient, users: dict) -> None:
    dossier, task_id = await _intake(client, users)
    token = await page_csrf(client, f"/can-bo/viec/{task_id}")
    before = await Dossier.get(id=dossier.id)  # claimed
    empty = await client.post(f"/can-bo/viec/{task_id}", data={
        "csrf_token": token, "intake_decision": "supplement", "intake_note": "  "})
    assert empty.status_code == 200  # the form again, not the inbox
    assert "Yêu cầu bổ sung phải ghi rõ giấy tờ, nội dung cần bổ sung" in empty.text
    assert 'value="supplement" checked' in empty.text  # the choice is kept
    note = re.search(r"<textarea[^>]*intake_note[^>]*>", empty.text)
    assert note is not None and 'aria-invalid="true"' in note.group(0)  # the empty field itself is marked
    assert empty.text.count("Có thông tin cần sửa") == 1  # one error summary: the form's, with the engine's words
    after = await Dossier.get(id=dossier.id)
    assert after.lifecycle_status == 1 and after.revision == before.revision  # nothing written
    said = await client.post(f"/can-bo/viec/{task_id}", data={
        "csrf_token": token, "intake_decision": "supplement", "intake_note": "Giấy chứng sinh bị mờ, chụp lại"})
    assert said.status_code == 303 and "msg=done" in said.headers["location"]
    assert (await Dossier.get(id=dossier.id)).lifecycle_status == 5


async def _held(client: httpx.AsyncClient, users: dict) -> tuple[Dossier, HumanTask]:
    """A dossier waiting for the citizen's supplement, and its intake check, held until it comes."""
    dossier, task_id = await _intake(client, users)
    await dossiers.complete_task(rt(), task_id, {"intake_decision": "supplement", "intake_note": "Giấy mờ"},
                                 users["officer"], NOW)
    return dossier, await HumanTask.get(dossier_id=dossier.id, state="ready")


async def test_a_task_waiting_for_the_citizen_says_so_and_keeps_the_form(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier, again = await _held(client, users)
    await dossiers.claim(rt(), again.id, users["officer"], NOW)
    token = await page_csrf(client, f"/can-bo/viec/{again.id}")
    refused = await client.post(f"/can-bo/viec/{again.id}", data={
        "csrf_token": token, "intake_decision": "refuse", "intake_note": "Không bổ sung đúng giấy tờ"})
    assert refused.status_code == 409  # not "taken by another officer": the task is still this officer's
    assert "Hồ sơ đang chờ công dân bổ sung; việc này tiếp tục sau khi" in refused.text
    assert "Không bổ sung đúng giấy tờ" in refused.text  # what was typed is still on the form
    assert (await HumanTask.get(id=again.id)).state == "ready"
    assert (await Dossier.get(id=dossier.id)).lifecycle_status == 5


async def test_the_inbox_sends_a_held_task_to_its_dossier_not_to_a_claim(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier, held = await _held(client, users)
    row = re.search(rf'<tr data-task="{held.id}".*?</tr>', (await client.get("/can-bo")).text, re.S)
    assert row is not None and "Chờ công dân bổ sung" in row.group(0)
    # its next step is on the dossier page ("Đã nhận hồ sơ bổ sung"), not claiming a task nobody may do yet
    assert f'href="/can-bo/ho-so/{dossier.code}" data-held>Xem hồ sơ</a>' in row.group(0)
    assert f"/can-bo/viec/{held.id}/nhan" not in row.group(0)
