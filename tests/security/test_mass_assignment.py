"""Mass assignment (issue 10, high): the attacks the outside test ran, as tests. Only the form's
visible, writable fields are accepted; anything else is a 422 naming the key, and nothing changes:
an officer cannot overwrite the citizen's name and ID number or pre-set the leader's decision at
intake, a citizen cannot pre-set `approval_decision` when applying; on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from engine.models import Dossier, HumanTask
from tests.factories import APPLICATIONS, CODES, publish_shipped, token


async def _submitted(client: httpx.AsyncClient) -> dict:
    await publish_shipped("household-business")
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201, r.text
    return r.json()


def _named(r: httpx.Response, key: str) -> None:
    assert r.status_code == 422, r.text
    assert key in r.text, r.text


async def test_officer_cannot_overwrite_the_applicant_or_preset_the_leaders_decision(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier = await _submitted(client)
    task = dossier["tasks"][0]["id"]
    officer = await token(client, "officer")
    before = await Dossier.get(code=dossier["code"])
    for extra in ({"owner_full_name": "Kẻ Mạo Danh"}, {"owner_id_number": "001099999999"},
                  {"approval_decision": "sign"}, {"appraisal_result": "approve"}):
        r = await client.post(f"/api/v1/tasks/{task}/complete", headers=officer,
                              json={"data": {"intake_decision": "accept", **extra}})
        _named(r, next(iter(extra)))
    after = await Dossier.get(code=dossier["code"])
    assert (after.revision, after.state, after.applicant_name) == (before.revision, before.state, before.applicant_name)
    assert (await HumanTask.get(id=task)).state == "ready"


async def test_citizen_cannot_preset_a_decision_when_applying(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    citizen = await token(client, "citizen")
    for extra in ({"approval_decision": "sign"}, {"intake_decision": "accept"}, {"typename": "x"}):
        r = await client.post("/api/v1/dossiers", headers=citizen,
                              json={"procedure": CODES["household-business"],
                                    "data": {**APPLICATIONS["household-business"], **extra}})
        _named(r, next(iter(extra)))
    assert await Dossier.all().count() == 0
