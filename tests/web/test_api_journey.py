"""A dossier of each shipped procedure driven to completion through the JSON API alone."""

from __future__ import annotations

import httpx
import pytest

from engine import accounts
from tests.factories import APPLICATIONS, CODES, HAPPY_PATH, PASSWORD, publish_shipped, token


@pytest.mark.parametrize("slug", sorted(APPLICATIONS))
async def test_shipped_procedure_runs_to_completion_through_the_api(
        client: httpx.AsyncClient, users: dict, slug: str) -> None:
    await publish_shipped(slug)
    citizen = await token(client, "citizen")
    r = await client.post("/api/v1/dossiers", headers=citizen,
                          json={"procedure": CODES[slug], "data": APPLICATIONS[slug], "idempotency_key": "k1"})
    assert r.status_code == 201, r.text
    dossier = r.json()
    assert dossier["status"] == "processing"
    assert [t["element_id"] for t in dossier["tasks"]] == ["intake"]
    code = dossier["code"]
    for element_id, staff, data in HAPPY_PATH:
        headers = await token(client, staff)
        listing = (await client.get("/api/v1/tasks", headers=headers)).json()
        inbox = listing["items"]
        assert listing["counts"]["all"] == len(inbox) and listing["count_cap"] == 1000
        mine = [t for t in inbox if t["dossier"] == code]
        assert [t["element_id"] for t in mine] == [element_id]
        task_id = mine[0]["id"]
        assert (await client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers)).status_code == 200
        r = await client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers, json={"data": data})
        assert r.status_code == 200, r.text
    final = (await client.get(f"/api/v1/dossiers/{code}", headers=await token(client, "officer"))).json()
    assert final["status"] == "completed"
    assert final["tasks"] == []
    actions = [e["action"] for e in final["history"]]
    assert actions.count("task_completed") == 4 and actions[0] == "submitted"
    # the citizen can follow their own dossier, and nobody else's
    assert (await client.get(f"/api/v1/dossiers/{code}", headers=citizen)).json()["status"] == "completed"
    other = await token(client, "citizen2")
    assert (await client.get(f"/api/v1/dossiers/{code}", headers=other)).status_code == 404


async def test_invalid_task_data_is_refused_with_field_errors_and_nothing_changes(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    citizen = await token(client, "citizen")
    bad = dict(APPLICATIONS["birth-registration"], requester_id_number="12345")
    r = await client.post("/api/v1/dossiers", headers=citizen, json={"procedure": "1.001193", "data": bad})
    assert r.status_code == 422
    assert "requester_id_number" in r.json()["error"]["details"]["fields"]
    r = await client.post("/api/v1/dossiers", headers=citizen,
                          json={"procedure": "1.001193", "data": APPLICATIONS["birth-registration"]})
    code, task_id = r.json()["code"], r.json()["tasks"][0]["id"]
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/tasks/{task_id}/complete", headers=officer,
                          json={"data": {"intake_decision": "maybe"}})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_data"
    after = (await client.get(f"/api/v1/dossiers/{code}", headers=officer)).json()
    assert after["revision"] == 1 and after["tasks"][0]["id"] == task_id


async def test_staff_of_another_role_cannot_see_or_complete_the_task(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    citizen = await token(client, "citizen")
    r = await client.post("/api/v1/dossiers", headers=citizen,
                          json={"procedure": "1.001193", "data": APPLICATIONS["birth-registration"]})
    task_id = r.json()["tasks"][0]["id"]
    leader = await token(client, "leader")
    assert (await client.get("/api/v1/tasks", headers=leader)).json()["items"] == []
    r = await client.post(f"/api/v1/tasks/{task_id}/complete", headers=leader,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 404
    r = await client.post(f"/api/v1/tasks/{task_id}/complete", headers=citizen,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 404


async def test_same_idempotency_key_creates_one_dossier(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    citizen = await token(client, "citizen")
    body = {"procedure": "1.001193", "data": APPLICATIONS["birth-registration"]}
    first = await client.post("/api/v1/dossiers", headers={**citizen, "Idempotency-Key": "abc"}, json=body)
    second = await client.post("/api/v1/dossiers", headers={**citizen, "Idempotency-Key": "abc"}, json=body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["code"] == second.json()["code"]
    third = await client.post("/api/v1/dossiers", headers={**citizen, "Idempotency-Key": "other"}, json=body)
    assert third.json()["code"] != first.json()["code"]


async def test_errors_are_json_without_stack_traces(client: httpx.AsyncClient, users: dict) -> None:
    r = await client.get("/api/v1/dossiers/NOPE")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    r = await client.post("/api/v1/auth/token", json={"username": "admin", "password": "wrong"})
    assert r.status_code == 401
    headers = await token(client, "citizen")
    r = await client.post("/api/v1/dossiers", headers=headers, content=b"{not json")
    assert r.status_code == 422 and "Traceback" not in r.text
    assert (await client.get("/api/v1/nowhere")).json()["error"]["code"] == "not_found"


async def test_claim_through_the_api_answers_other_roles_404_and_a_second_officer_409(
        client: httpx.AsyncClient, users: dict) -> None:
    await accounts.create_user("officer2", PASSWORD, "staff", roles=["one_stop"])
    await publish_shipped("birth-registration")
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["birth-registration"], "data": APPLICATIONS["birth-registration"]})
    task_id = r.json()["tasks"][0]["id"]
    officer, other = await token(client, "officer"), await token(client, "officer2")
    assert (await client.post(f"/api/v1/tasks/{task_id}/claim", headers=await token(client, "leader"))).status_code \
        == 404
    claimed = await client.post(f"/api/v1/tasks/{task_id}/claim", headers=officer)
    assert claimed.status_code == 200 and claimed.json()["claimed_by"] == users["officer"].id
    assert (await client.post(f"/api/v1/tasks/{task_id}/claim", headers=officer)).status_code == 200  # again: kept
    assert (await client.post(f"/api/v1/tasks/{task_id}/claim", headers=other)).status_code == 409
    done = await client.post(f"/api/v1/tasks/{task_id}/complete", headers=other, json={"data": {}})
    assert done.status_code == 409  # held by the first officer


async def test_a_notification_channel_without_its_address_is_refused(client: httpx.AsyncClient, users: dict) -> None:
    """E-mail notifications asked for with no e-mail address in the data would never be sent: 422 naming
    `notify` and the data key to fill; with the address the same request is accepted."""
    await publish_shipped("birth-registration")
    citizen = await token(client, "citizen")
    body = {"procedure": "1.001193", "data": APPLICATIONS["birth-registration"], "notify": ["email"]}
    r = await client.post("/api/v1/dossiers", headers=citizen, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"] == {"notify": ["email: fill in data.requester_email"]}
    no_phone = {k: v for k, v in APPLICATIONS["birth-registration"].items() if k != "requester_phone"}
    r = await client.post("/api/v1/dossiers", headers=citizen, json={**body, "data": no_phone, "notify": ["ascii"]})
    assert r.json()["error"]["details"]["fields"] == {"notify": ["ascii: fill in data.requester_phone"]}
    data = {**APPLICATIONS["birth-registration"], "requester_email": "hoa@example.vn"}
    r = await client.post("/api/v1/dossiers", headers=citizen, json={**body, "data": data})
    assert r.status_code == 201, r.text


async def test_the_api_names_the_agencies_a_level_named_procedure_may_be_sent_to_and_takes_one(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine import agencies

    for code in ("X.A", "X.B"):
        await agencies.save_agency({"code": code, "name": f"UBND {code}", "tier": "commune",
                                    "kind": "commune_committee", "commune_type": "phuong"})
    await publish_shipped("birth-registration")
    listed = (await client.get("/api/v1/procedures/1.001193")).json()["receiving_agencies"]
    assert listed == [{"code": "X.A", "name": "UBND X.A"}, {"code": "X.B", "name": "UBND X.B"}]
    citizen = await token(client, "citizen")
    body = {"procedure": "1.001193", "data": APPLICATIONS["birth-registration"]}
    wrong = await client.post("/api/v1/dossiers", headers=citizen, json={**body, "agency": "T01"})
    assert wrong.status_code == 422 and "agency" in wrong.json()["error"]["details"]["fields"], wrong.text
    sent = await client.post("/api/v1/dossiers", headers=citizen, json={**body, "agency": "X.B"})
    assert sent.status_code == 201 and sent.json()["code"].startswith("X.B-"), sent.text
