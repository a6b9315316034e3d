"""Pages answer errors with an HTML page in the user's language; only /api (and the designer's
JSON calls) answer JSON."""

from __future__ import annotations

import logging

import httpx
import pytest
from starlette.routing import Route

from engine.settings import Settings
from tests.factories import page_csrf, page_login
from web.app import create_app


async def _english(client: httpx.AsyncClient) -> None:
    r = await client.post("/language", data={"csrf_token": await page_csrf(client, "/"), "lang": "en", "next": "/"})
    assert r.status_code == 303


def _is_error_page(r: httpx.Response, status: int, lang: str, *texts: str) -> None:
    assert r.status_code == status
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text and f'data-status="{status}"' in r.text
    assert all(t in r.text for t in texts), r.text
    assert r.text.startswith("<!doctype html>") and '{"error"' not in r.text and "Traceback" not in r.text


async def test_unknown_procedure_page_is_an_html_404_in_vietnamese_then_english(
        client: httpx.AsyncClient, users: dict) -> None:
    _is_error_page(await client.get("/thu-tuc/KHONG.CO"), 404, "vi", "Không tìm thấy")
    await _english(client)
    _is_error_page(await client.get("/thu-tuc/KHONG.CO"), 404, "en", "Not found", "was not found")
    _is_error_page(await client.get("/no/such/page"), 404, "en", "Not found")


async def test_expired_csrf_post_is_an_html_400_in_vietnamese_then_english(client: httpx.AsyncClient) -> None:
    r = await client.post("/tra-cuu", data={"csrf_token": "stale", "code": "X", "factor": "1"})
    _is_error_page(r, 400, "vi", "Phiên làm việc đã hết hạn, vui lòng tải lại trang và thử lại")
    await _english(client)
    r = await client.post("/tra-cuu", data={"csrf_token": "stale", "code": "X", "factor": "1"})
    _is_error_page(r, 400, "en", "Your session has expired; please reload the page and try again")


async def test_staff_page_as_a_citizen_is_an_html_403_in_vietnamese_then_english(
        client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "citizen")
    _is_error_page(await client.get("/can-bo"), 403, "vi", "Không có quyền truy cập", "(citizen)")  # still signed in
    await _english(client)
    _is_error_page(await client.get("/can-bo"), 403, "en", "Access denied", "Your account may not use this page")


async def test_api_and_designer_json_calls_keep_the_json_error_shape(client: httpx.AsyncClient, users: dict) -> None:
    r = await client.get("/api/v1/procedures/KHONG.CO")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    await page_login(client, "officer")
    r = await client.post("/designer/X/check", json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


async def test_an_unexpected_error_is_a_page_without_traceback(db: Settings, caplog: pytest.LogCaptureFixture) -> None:
    async def broken(request: object) -> None:
        raise RuntimeError("secret detail")

    app = create_app(db, manage_database=False)
    app.router.routes.insert(0, Route("/boom", broken))
    app.router.routes.insert(0, Route("/api/v1/boom", broken))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        with caplog.at_level(logging.ERROR, logger="motcua.web"):
            page = await c.get("/boom")
            api = await c.get("/api/v1/boom")
    _is_error_page(page, 500, "vi", "Hệ thống gặp lỗi")
    assert "secret detail" not in page.text
    assert api.status_code == 500 and api.json()["error"]["code"] == "internal" and "secret" not in api.text
    assert "secret detail" in caplog.text  # logged, not shown
