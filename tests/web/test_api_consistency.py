"""The API and the pages keep the same cleaned data (the runtime's form check), and the API inbox is
the page's inbox: most urgent first, paginated."""

from __future__ import annotations

import httpx

from engine import dossiers
from engine.models import Dossier
from tests.factories import APPLICATIONS, CODES, publish_shipped, rt, token


async def _submit(client: httpx.AsyncClient, data: dict) -> httpx.Response:
    return await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                             json={"procedure": CODES["household-business"], "data": data})


async def test_a_key_outside_the_form_is_refused_naming_it_and_nothing_is_stored(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    r = await _submit(client, {**APPLICATIONS["household-business"], "approval_decision": "sign"})
    assert r.status_code == 422 and r.json()["error"]["details"]["fields"] == {
        "approval_decision": ["not a field of this form"]}
    assert not await Dossier.exists()
    r = await _submit(client, APPLICATIONS["household-business"])
    assert r.status_code == 201
    officer = await token(client, "officer")
    task = r.json()["tasks"][0]["id"]
    # the officer may not overwrite the citizen's data or pre-set the leader's decision
    r = await client.post(f"/api/v1/tasks/{task}/complete", headers=officer, json={"data": {
        "intake_decision": "accept", "owner_full_name": "Người khác", "approval_decision": "sign"}})
    assert r.status_code == 422
    assert set(r.json()["error"]["details"]["fields"]) == {"owner_full_name", "approval_decision"}


async def test_the_api_stores_the_same_cleaned_data_as_the_page(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    data = {**APPLICATIONS["household-business"], "capital_vnd": "100000000", "owner_full_name": "  Lê Văn Nam "}
    r = await _submit(client, data)
    assert r.status_code == 201, r.text
    view = await dossiers.view(rt(), r.json()["code"], users["officer"], with_data=True)
    assert view.data["capital_vnd"] == 100000000  # normalised as the page stores it
    assert view.data["owner_full_name"].strip() == "Lê Văn Nam"


async def test_the_api_inbox_is_most_urgent_first_and_paginated(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    codes = []
    for _ in range(5):
        codes.append((await _submit(client, APPLICATIONS["household-business"])).json()["code"])
    officer = await token(client, "officer")
    first = (await client.get("/api/v1/tasks?limit=2", headers=officer)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = (await client.get(f"/api/v1/tasks?limit=2&cursor={first['next_cursor']}", headers=officer)).json()
    third = (await client.get(f"/api/v1/tasks?limit=2&cursor={second['next_cursor']}", headers=officer)).json()
    assert third["next_cursor"] is None and len(third["items"]) == 1
    seen = [t["dossier"] for page in (first, second, third) for t in page["items"]]
    assert sorted(seen) == sorted(codes) and len(set(seen)) == 5
    dues = [t["due_at"] for page in (first, second, third) for t in page["items"]]
    assert dues == sorted(dues)  # the intake step's budget: earliest due first
    r = await client.get("/api/v1/tasks?cursor=nonsense", headers=officer)
    assert r.status_code == 422
    r = await client.get("/api/v1/tasks?limit=0", headers=officer)
    assert r.status_code == 422
