"""Bad input is a 4xx with the JSON error shape (API) or a page (pages), never a 500 (issue 10):
deeply nested JSON, NUL and other control characters (PostgreSQL refuses NUL in text), values
longer than their column. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import APPLICATIONS, CODES, page_csrf, publish_shipped, token

DEEP = b"[" * 100_000 + b"]" * 100_000


def _json_error(r: httpx.Response, *statuses: int) -> dict:
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    body = r.json()
    assert set(body["error"]) >= {"code", "message"}
    return body["error"]


async def test_deeply_nested_json_is_422_even_unauthenticated(client: httpx.AsyncClient, users: dict) -> None:
    r = await client.post("/api/v1/auth/token", content=b'{"username": ' + DEEP + b"}",
                          headers={"content-type": "application/json"})
    _json_error(r, 422)
    nested = b'{"procedure": "2.000720", "data": {"a": ' + b'{"b": ' * 40 + b"1" + b"}" * 40 + b"}}"
    r = await client.post("/api/v1/dossiers", content=nested,
                          headers={**await token(client, "citizen"), "content-type": "application/json"})
    assert _json_error(r, 422)["details"]["code"] == "too_deep"


@pytest.mark.parametrize("bad", ["\u0000", "ab\u0007c", "\u001b[31m"])
async def test_control_characters_in_json_are_422(client: httpx.AsyncClient, users: dict, bad: str) -> None:
    r = await client.post("/api/v1/auth/token", json={"username": f"citizen{bad}", "password": "x"})
    assert _json_error(r, 422)["details"]["code"] == "control_characters"
    await publish_shipped("household-business")
    data = {**APPLICATIONS["household-business"], "business_name": f"Hộ {bad} kinh doanh"}
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": data})
    _json_error(r, 422)


async def test_line_breaks_and_tabs_are_still_text(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    data = {**APPLICATIONS["household-business"], "business_street": "12 Trần Thái Tông\r\n\ttầng 2"}
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": data})
    assert r.status_code == 201, r.text


async def test_control_characters_in_the_address_are_400(client: httpx.AsyncClient, users: dict) -> None:
    headers = await token(client, "officer")
    for path in ("/api/v1/dossiers/%00abc", "/api/v1/tasks?state=%00", "/api/v1/procedures/1%0a2"):
        _json_error(await client.get(path, headers=headers), 400)
    r = await client.get("/thu-tuc/%00")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")


async def test_values_longer_than_their_column_are_not_500(client: httpx.AsyncClient, users: dict) -> None:
    headers = await token(client, "officer")
    _json_error(await client.get("/api/v1/dossiers/" + "A" * 5000, headers=headers), 404)
    _json_error(await client.get("/api/v1/procedures/" + "9" * 5000, headers=headers), 404, 422)
    _json_error(await client.post("/api/v1/auth/token", json={"username": "u" * 10_000, "password": "p"}), 401, 422)
    await publish_shipped("household-business")
    r = await client.post("/api/v1/dossiers", headers={**await token(client, "citizen"), "Idempotency-Key": "k" * 5000},
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    _json_error(r, 422)


async def test_nul_in_a_page_form_is_a_page_not_a_500(client: httpx.AsyncClient, users: dict) -> None:
    r = await client.post("/login", data={"csrf_token": await page_csrf(client), "username": "citizen\x00",
                                          "password": "x"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "Dữ liệu không hợp lệ" in r.text and "Traceback" not in r.text
