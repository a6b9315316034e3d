"""Session login for pages: CSRF-protected form, wrong password refused, logout."""

from __future__ import annotations

import httpx

from tests.factories import page_csrf


async def test_login_with_session_then_logout(client: httpx.AsyncClient, users: dict) -> None:
    token = await page_csrf(client)
    r = await client.post("/login", data={"csrf_token": token, "username": "officer",
                                          "password": "correct-horse-battery"})
    assert r.status_code == 303
    home = await client.get("/")
    assert "officer" in home.text and "Đăng xuất" in home.text
    r = await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    assert r.status_code == 303
    assert "Đăng xuất" not in (await client.get("/")).text


async def test_wrong_password_and_missing_csrf_are_refused(client: httpx.AsyncClient, users: dict) -> None:
    token = await page_csrf(client)
    r = await client.post("/login", data={"csrf_token": token, "username": "officer", "password": "nope-nope"})
    assert r.status_code == 401 and "Sai tên đăng nhập" in r.text
    r = await client.post("/login", data={"username": "officer", "password": "correct-horse-battery"})
    assert r.status_code == 400 and "Phiên làm việc đã hết hạn" in r.text  # an expired form: reload and retry


async def test_login_returns_to_the_page_asked_for_but_never_off_site(client: httpx.AsyncClient, users: dict) -> None:
    page = (await client.get("/login", params={"next": "/can-bo/ho-so/X"})).text
    assert 'name="next" value="/can-bo/ho-so/X"' in page
    token = await page_csrf(client)
    r = await client.post("/login", data={"csrf_token": token, "username": "officer", "next": "/can-bo/ho-so/X",
                                          "password": "correct-horse-battery"})
    assert r.headers["location"] == "/can-bo/ho-so/X"
    token = await page_csrf(client)
    r = await client.post("/login", data={"csrf_token": token, "username": "officer", "next": "//evil.example",
                                          "password": "correct-horse-battery"})
    assert r.headers["location"] == "/can-bo"
