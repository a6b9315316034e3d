"""`Idempotency-Key` on every state-changing API call (issue 10): a retry after a lost response
gets the first answer again (not a 409), the same key on another request is refused, a failed
first try frees the key; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from engine.models import IdempotencyRecord
from tests.factories import APPLICATIONS, CODES, publish_shipped, token


async def _dossier(client: httpx.AsyncClient) -> dict:
    await publish_shipped("household-business")
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201, r.text
    return r.json()


async def test_completion_retried_with_its_key_replays_the_first_answer(client: httpx.AsyncClient, users: dict) -> None:
    task = (await _dossier(client))["tasks"][0]["id"]
    officer = {**await token(client, "officer"), "Idempotency-Key": "complete-1"}
    first = await client.post(f"/api/v1/tasks/{task}/complete", headers=officer,
                              json={"data": {"intake_decision": "accept"}})
    assert first.status_code == 200, first.text
    again = await client.post(f"/api/v1/tasks/{task}/complete", headers=officer,
                              json={"data": {"intake_decision": "accept"}})
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    plain = {"Authorization": officer["Authorization"]}
    without_key = await client.post(f"/api/v1/tasks/{task}/complete", headers=plain,
                                    json={"data": {"intake_decision": "accept"}})
    assert without_key.status_code == 409  # no key: the task is done, as before


async def test_same_key_for_another_request_is_refused(client: httpx.AsyncClient, users: dict) -> None:
    task = (await _dossier(client))["tasks"][0]["id"]
    officer = {**await token(client, "officer"), "Idempotency-Key": "k-1"}
    assert (await client.post(f"/api/v1/tasks/{task}/claim", headers=officer)).status_code == 200
    r = await client.post(f"/api/v1/tasks/{task}/release", headers=officer)
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["error"]["details"]["fields"]


async def test_keys_belong_to_their_user_and_refusals_replay_too(client: httpx.AsyncClient, users: dict) -> None:
    task = (await _dossier(client))["tasks"][0]["id"]
    citizen = {**await token(client, "citizen2"), "Idempotency-Key": "shared"}
    refused = await client.post(f"/api/v1/tasks/{task}/claim", headers=citizen)
    assert refused.status_code in (403, 404)
    replay = await client.post(f"/api/v1/tasks/{task}/claim", headers=citizen)
    assert replay.status_code == refused.status_code and replay.headers.get("idempotent-replayed") == "true"
    officer = {**await token(client, "officer"), "Idempotency-Key": "shared"}  # same key, another user: runs
    r = await client.post(f"/api/v1/tasks/{task}/claim", headers=officer)
    assert r.status_code == 200 and "idempotent-replayed" not in r.headers


async def test_lifecycle_step_with_a_key_is_taken_once(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await _dossier(client)
    headers = {**await token(client, "officer"), "Idempotency-Key": "withdraw-1"}
    body = {"reasons": ["Công dân rút hồ sơ"]}
    first = await client.post(f"/api/v1/dossiers/{dossier['code']}/withdraw", headers=headers, json=body)
    again = await client.post(f"/api/v1/dossiers/{dossier['code']}/withdraw", headers=headers, json=body)
    assert again.status_code == first.status_code and again.json() == first.json(), (first.text, again.text)


async def test_a_reservation_left_by_a_killed_process_is_taken_over_after_a_while(users: dict) -> None:
    """kill -9 between reserving a key and storing the answer leaves status 0: "still being processed"
    for ABANDONED, then a retry runs (tests/security/test_kill9.py does it with real processes)."""
    from datetime import UTC, datetime, timedelta

    import pytest

    from engine import idempotency
    from engine.errors import Conflict

    t0, user = datetime(2026, 3, 2, 2, 0, tzinfo=UTC), users["officer"].id
    assert await idempotency.reserve(user, "k", "POST", "/api/v1/x", "fp", t0) is None
    with pytest.raises(Conflict):
        await idempotency.reserve(user, "k", "POST", "/api/v1/x", "fp", t0 + timedelta(seconds=5))
    assert await idempotency.reserve(user, "k", "POST", "/api/v1/x", "fp", t0 + timedelta(seconds=11)) is None
    with pytest.raises(Conflict):  # the taker now holds it
        await idempotency.reserve(user, "k", "POST", "/api/v1/x", "fp", t0 + timedelta(seconds=12))
    await idempotency.store(user, "k", 200, "application/json", "{}")
    assert await idempotency.reserve(user, "k", "POST", "/api/v1/x", "fp", t0 + timedelta(seconds=13)) is not None


async def test_the_answer_is_kept_before_it_leaves(client: httpx.AsyncClient, users: dict, db: Any) -> None:
    """A process killed right after the client got its answer must not leave the key reserved: the
    retry would run the call again and hear 409 for its own success (tests/security/test_kill9.py
    saw it). So when the answer's first byte goes out, the record already holds it."""
    task = (await _dossier(client))["tasks"][0]["id"]
    officer = {**await token(client, "officer"), "Idempotency-Key": "kept-first"}
    app = client._transport.app  # type: ignore[attr-defined]
    seen: list[int] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def watched(message: Any) -> None:
            if message["type"] == "http.response.start":
                record = await IdempotencyRecord.get(key="kept-first")
                seen.append(record.status)  # 0 = reserved, still unanswered
            await send(message)

        await app(scope, receive, watched)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=watching), base_url="http://testserver") as c:
        first = await c.post(f"/api/v1/tasks/{task}/complete", headers=officer,
                             json={"data": {"intake_decision": "accept"}})
    assert first.status_code == 200 and seen == [200]
