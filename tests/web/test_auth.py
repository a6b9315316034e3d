"""One authentication middleware: session (pages) or bearer token (API) into the engine's user;
each route names the permission it needs, and web/permissions.py is the only reader of user.kind."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.factories import page_login, token

WEB = Path(__file__).resolve().parents[2] / "web"


# (the apply page explains why an account is needed instead: tests/web/test_registration_pages.py)
@pytest.mark.parametrize("path", ["/can-bo", "/can-bo/tiep-nhan", "/designer/",
                                  "/dossiers/X/receipt"])
async def test_anonymous_pages_lead_to_the_login_page_and_back(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"


@pytest.mark.parametrize(("username", "path", "status"), [
    ("citizen", "/can-bo", 403), ("officer", "/can-bo", 200), ("admin", "/can-bo", 403),  # least privilege
    ("officer", "/designer/", 403), ("admin", "/designer/", 200), ("officer", "/nop-ho-so/X/xong/Y", 403),
])
async def test_each_page_admits_its_kinds(client: httpx.AsyncClient, users: dict, username: str, path: str,
                                          status: int) -> None:
    await page_login(client, username)
    assert (await client.get(path)).status_code == status


async def test_api_answers_401_for_a_missing_or_refused_token_and_403_for_the_wrong_kind(
        client: httpx.AsyncClient, users: dict) -> None:
    r = await client.get("/api/v1/me")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["message"] == "A bearer token is required"
    r = await client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["message"] == "Invalid or expired token"
    r = await client.get("/api/v1/channel-policies", headers={"Authorization": "Basic eDp5"})
    assert r.status_code == 401  # a credential that was sent and refused is refused
    assert (await client.get("/api/v1/channel-policies")).status_code == 401  # admins only (issue 10)
    officer = await token(client, "officer")
    assert (await client.get("/api/v1/me", headers=officer)).json()["username"] == "officer"
    r = await client.post("/api/v1/procedures", headers=officer, json={"code": "X"})
    assert r.status_code == 403 and r.json()["error"]["details"] == {"required": ["admin"]}


async def test_a_session_cookie_does_not_sign_in_to_the_api(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "officer")
    assert (await client.get("/api/v1/me")).status_code == 401


def test_no_handler_checks_the_user_by_hand() -> None:
    for path in WEB.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "isinstance(user, Response)" not in text, path
        if path.name != "permissions.py":
            assert not re.search(r"\.kind\s*(==|!=|not in|in)\s", text), path
    for path in WEB.rglob("*.html"):
        assert "user.kind" not in path.read_text(encoding="utf-8"), path
