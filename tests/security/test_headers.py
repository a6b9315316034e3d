"""Security headers on every answer (SECURITY.md V3/V14; issue 10): a strict CSP without inline
script, frame-ancestors, nosniff, Referrer-Policy, no-store on pages and API answers (they carry
personal data), static assets cacheable, HSTS only when served over HTTPS."""

from __future__ import annotations

from dataclasses import replace

import httpx

from engine.settings import Settings
from tests.factories import page_login, rt
from web.app import create_app


def _strict(csp: str) -> None:
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    assert directives["script-src"] == ["'self'"], csp  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["frame-ancestors"] == ["'self'"] and directives["object-src"] == ["'none'"]
    assert directives["default-src"] == ["'self'"] and directives["base-uri"] == ["'self'"]


async def test_pages_and_api_carry_the_security_headers(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "officer")
    for path in ("/", "/login", "/can-bo", "/tra-cuu", "/api/v1/health", "/api/v1/procedures", "/no/such/page"):
        r = await client.get(path)
        _strict(r.headers["content-security-policy"])
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "same-origin", path
        assert r.headers["cache-control"] == "no-store", path
        assert "strict-transport-security" not in r.headers, path  # plain http: HSTS would be a lie


async def test_static_assets_may_be_cached_and_are_not_sniffed(client: httpx.AsyncClient) -> None:
    r = await client.get("/static/web/print.js")
    assert r.status_code == 200
    assert r.headers.get("cache-control") != "no-store" and r.headers["x-content-type-options"] == "nosniff"


async def test_hsts_when_the_site_is_served_over_https(db: Settings) -> None:
    app = create_app(replace(db, https_only=True), manage_database=False, runtime=rt())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as c:
        r = await c.get("/api/v1/health")
    assert r.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_pages_have_no_inline_script_or_inline_handlers(client: httpx.AsyncClient, users: dict) -> None:
    """What the CSP forbids must not be on the pages either (the browser suite fails on violations)."""
    import re

    await page_login(client, "officer")
    for path in ("/", "/login", "/can-bo", "/tra-cuu", "/can-bo/tiep-nhan"):
        html = (await client.get(path)).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=\"", html), path
