"""Channel policies over HTTP: admin-only CRUD with field errors, and the public per-procedure view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from engine.models import Dossier
from engine.settings import Settings
from tests.factories import APPLICATIONS, publish_shipped, token
from web.api import channels as api_channels

CODE = "1.001193"
RULE = {"name": "Ngày không giấy", "procedure_codes": [CODE], "reception_points": ["ubnd-vinh"],
        "start_on": "2025-01-02", "end_on": "2025-06-30", "channels_allowed": ["online"],
        "exceptions_allowed": ["postal", "data_conflict"], "message": {"vi": "QĐ 123", "en": "Decision 123"}}
NOW = datetime(2025, 3, 3, 18, 0, tzinfo=UTC)  # 4 March 2025 in Vietnam


def mount_channel_routes(app: Starlette) -> None:
    """Add the channel routes to /api/v1 unless web/app.py already does (idempotent)."""
    api = next(r for r in app.router.routes if isinstance(r, Mount) and r.path == "/api/v1")
    present = {(r.path, frozenset(r.methods or ())) for r in api.routes if isinstance(r, Route)}
    for route in api_channels.routes():
        if (route.path, frozenset(route.methods or ())) not in present:
            api.routes.append(route)


@pytest.fixture
async def client(db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from web.app import create_app

    app = create_app(replace(db), clock=lambda: NOW, manage_database=False)
    mount_channel_routes(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def admin(client: httpx.AsyncClient, users: dict) -> dict[str, str]:
    headers = await token(client, "admin")
    r = await client.post("/api/v1/procedures", headers=headers,
                          json={"code": CODE, "name": "Đăng ký khai sinh", "time_limit": 1, "time_unit": "same_day"})
    assert r.status_code == 201, r.text
    return headers


async def test_admin_crud(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    r = await client.post("/api/v1/channel-policies", headers=admin, json={**RULE, "created_by": "someone"})
    assert r.status_code == 201, r.text
    rule = r.json()
    assert rule["created_by"] == "admin" and rule["weekdays"] == [] and rule["active"] is True
    url = f"/api/v1/channel-policies/{rule['id']}"
    assert (await client.get(url, headers=admin)).json() == rule
    r = await client.put(url, headers=admin, json={**rule, "weekdays": [1, 3], "active": False})
    assert r.status_code == 200, r.text
    assert r.json()["weekdays"] == [1, 3] and r.json()["active"] is False
    listed = (await client.get("/api/v1/channel-policies", headers=admin)).json()["items"]
    assert [p["id"] for p in listed] == [rule["id"]]
    assert (await client.get("/api/v1/channel-policies")).status_code == 401  # admins only (issue 10)
    assert (await client.delete(url, headers=admin)).status_code == 204
    r = await client.get(url, headers=admin)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert (await client.delete(url, headers=admin)).status_code == 404


async def test_bad_data_is_422_with_field_errors(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    r = await client.post("/api/v1/channel-policies", headers=admin,
                          json={**RULE, "start_on": "04/03/2025", "channels_allowed": ["fax"], "weekdays": [9]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_data"
    assert set(error["details"]["fields"]) == {"start_on", "channels_allowed", "weekdays"}
    rule = (await client.post("/api/v1/channel-policies", headers=admin, json=RULE)).json()
    r = await client.put(f"/api/v1/channel-policies/{rule['id']}", headers=admin, json={"end_on": "2024-01-01"})
    assert r.status_code == 422 and set(r.json()["error"]["details"]["fields"]) == {"end_on"}
    r = await client.put(f"/api/v1/channel-policies/{rule['id']}", headers=admin, content=b"[1]")
    assert r.status_code == 422


async def test_only_admins_manage_policies(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    rule = (await client.post("/api/v1/channel-policies", headers=admin, json=RULE)).json()
    url = f"/api/v1/channel-policies/{rule['id']}"
    for username in ("officer", "citizen"):
        headers = await token(client, username)
        assert (await client.post("/api/v1/channel-policies", headers=headers, json=RULE)).status_code == 403
        assert (await client.get(url, headers=headers)).status_code == 403
        assert (await client.put(url, headers=headers, json={"active": False})).status_code == 403
        r = await client.delete(url, headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        assert (await client.get("/api/v1/channel-policies", headers=headers)).status_code == 403  # admins only
    assert (await client.post("/api/v1/channel-policies", json=RULE)).status_code == 401


async def test_public_view_of_a_procedure_on_a_date(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    await client.post("/api/v1/channel-policies", headers=admin, json=RULE)
    url = f"/api/v1/procedures/{CODE}/channel-policy"
    view = (await client.get(url, params={"date": "2025-03-04", "reception_point": "ubnd-vinh"})).json()
    assert view["channels"] == ["online"] and view["paper_free"] is True
    assert view["officer_assisted_online"] is True and view["exceptions_allowed"] == ["postal", "data_conflict"]
    assert [r["name"] for r in view["rules"]] == ["Ngày không giấy"]
    assert "Ngày không giấy" in view["message"]["vi"] and view["message"]["en"].endswith("Decision 123")
    today = (await client.get(url, params={"reception_point": "ubnd-vinh"})).json()  # clock: 4 March local
    assert today["date"] == "2025-03-04" and today["paper_free"] is True
    outside = (await client.get(url, params={"date": "2025-07-01", "reception_point": "ubnd-vinh"})).json()
    assert outside["channels"] == ["online", "counter", "post"] and outside["rules"] == []
    assert outside["message"] is None
    elsewhere = (await client.get(url, params={"date": "2025-03-04"})).json()
    assert elsewhere["paper_free"] is False
    r = await client.get(url, params={"date": "2025-02-30"})
    assert r.status_code == 422 and set(r.json()["error"]["details"]["fields"]) == {"date"}
    r = await client.get("/api/v1/procedures/9.999999/channel-policy")
    assert r.status_code == 404


def test_openapi_paths_cover_exactly_the_routes() -> None:
    routed = {"/api/v1" + r.path.replace(":int", "") for r in api_channels.routes()}
    assert routed == set(api_channels.OPENAPI_PATHS)
    methods = {("/api/v1" + r.path.replace(":int", ""), m.lower()) for r in api_channels.routes()
               for m in (r.methods or ()) if m != "HEAD"}
    assert methods == {(p, m) for p, ops in api_channels.OPENAPI_PATHS.items() for m in ops}


async def test_counter_intake_through_the_submit_api(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    rule = (await client.post("/api/v1/channel-policies", headers=admin, json=RULE)).json()
    await publish_shipped("birth-registration")
    officer = await token(client, "officer")
    paper = {"procedure": CODE, "channel": "counter", "submitter_kind": "citizen", "reception_point": "ubnd-vinh",
             "data": APPLICATIONS["birth-registration"]}
    r = await client.post("/api/v1/dossiers", headers=officer, json=paper)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "channel_refused" and error["details"]["rule"]["id"] == rule["id"]
    assert "Ngày không giấy" in error["details"]["messages"]["vi"]
    r = await client.post("/api/v1/dossiers", headers=officer,
                          json={**paper, "channel_exception": {"kind": "priority_citizen", "reason": "x"}})
    assert r.status_code == 422 and "channel_exception.kind" in r.json()["error"]["details"]["fields"]
    r = await client.post("/api/v1/dossiers", headers=officer,
                          json={**paper, "channel_exception": {"kind": "data_conflict", "reason": "Sai CSDL"}})
    assert r.status_code == 201, r.text
    stored = await Dossier.get(code=r.json()["code"])
    assert stored.channel_exception == {"kind": "data_conflict", "reason": "Sai CSDL", "by": "officer",
                                        "rule": {"id": rule["id"], "name": RULE["name"]}}
    assert stored.reception_point == "ubnd-vinh"
    history = (await client.get(f"/api/v1/dossiers/{stored.code}", headers=officer)).json()["history"]
    assert [e["details"]["details"] for e in history if e["kind"] == "channel_exception"] == [stored.channel_exception]
    r = await client.post("/api/v1/dossiers", headers=officer, json={**paper, "submitter_kind": "officer_assisted"})
    assert r.status_code == 201, r.text
    assert (await Dossier.get(code=r.json()["code"])).channel_exception is None
    r = await client.post("/api/v1/dossiers", headers=officer, json={**paper, "reception_point": "ubnd-cua-lo"})
    assert r.status_code == 201, r.text
