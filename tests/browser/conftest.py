"""Real-browser fixtures: a uvicorn server on 127.0.0.1 with a fresh SQLite database, the shipped
procedures and demo users; Debian chromium driven by Playwright; every request that leaves
127.0.0.1 is aborted and fails the test, and so does any console error."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import APPLICATIONS, CODES, free_port, token

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "correct-horse-battery"
USERS = [("admin", "admin", []), ("officer", "staff", ["one_stop"]), ("specialist", "staff", ["specialist"]),
         ("leader", "staff", ["leader"]), ("citizen", "citizen", []), ("manager", "manager", ["specialist"])]


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: scripts/test installs Debian chromium")
        pytest.skip(f"{CHROMIUM} is not installed (scripts/test installs it)")


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "web.cli", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, timeout=120)


@contextlib.contextmanager
def running_server(data: Path, **extra_env: str) -> Iterator[str]:
    """A real `motcua serve` (uvicorn) on a free port with its own SQLite database in `data`, the shipped
    procedures and the demo users; its base URL while the block runs."""
    _need_chromium()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite://{data / 'motcua.sqlite3'}", "MOTCUA_DATA_DIR": str(data),
           "PORT": str(port), "HOST": "127.0.0.1", "PYTHONPATH": str(ROOT), "MOTCUA_LOG_LEVEL": "WARNING",
           **extra_env}
    _cli(env, "load-procedures", str(ROOT / "bpmn" / "procedures"))
    for username, kind, roles in USERS:
        _cli(env, "createuser", username, "--kind", kind, "--password", PASSWORD,
             *[a for r in roles for a in ("--role", r)])
    log = (data / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], env=env, cwd=ROOT, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise RuntimeError((data / "server.log").read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real server (uvicorn) with its own SQLite database, the embedded scheduler and the
    notification catcher."""
    _need_chromium()
    # the demo catcher keeps citizen e-mail/SMS at /dev/mail (tests/browser/test_notify_demo.py)
    with running_server(tmp_path_factory.mktemp("browser-server"), MOTCUA_EMBEDDED_SCHEDULER="1",
                        MOTCUA_REGISTRATION="demo", MOTCUA_NOTIFY_CATCHER="1") as base:
        yield base


class Watch:
    """What a page did that a test must not allow: requests off 127.0.0.1, console errors."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    _need_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            await instance.close()


async def new_page(browser: Any, watch: Watch, *, width: int = 1280, height: int = 900,
                   javascript: bool = True) -> Any:
    context = await browser.new_context(viewport={"width": width, "height": height}, java_script_enabled=javascript,
                                        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")

    async def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")):
            await route.continue_()
        else:
            watch.external.append(url)
            await route.abort()

    await context.route("**/*", guard)
    page = await context.new_page()
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    return page


@pytest.fixture
def watch() -> Iterator[Watch]:
    w = Watch()
    yield w
    assert not w.external, f"requests left 127.0.0.1: {w.external}"
    assert not w.errors, f"console errors: {w.errors}"


async def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def login(page: Any, base: str, username: str) -> None:
    await page.goto(f"{base}/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit] >> text=/Đăng nhập|Sign in/")
    await page.wait_for_load_state("load")


async def wait_for_js(page: Any, expression: str, arg: Any = None, *, within_ms: float = 10000) -> Any:
    """page.wait_for_function without its in-page `eval` (refused by the site's CSP: no 'unsafe-eval'):
    polls the expression through the debugger protocol, which the CSP does not govern."""
    deadline = time.monotonic() + within_ms / 1000
    while True:
        value = await page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {within_ms} ms: {expression[:120]}")
        await asyncio.sleep(0.05)


async def accepted_dossier(server: str, *, reports_delivered: bool = False) -> str:
    """A household-business dossier submitted online by the citizen and accepted at intake by the officer,
    through the server's API; its code. With `reports_delivered`, also waits (60 s at most) until the reporting
    projection (the worker's, here the embedded scheduler's) has delivered it, as a leader would see the
    figure a moment after the acceptance."""
    async with httpx.AsyncClient(base_url=server) as api:
        r = await api.post("/api/v1/dossiers", headers=await token(api, "citizen"),
                           json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
        assert r.status_code == 201, r.text
        task = r.json()["tasks"][0]["id"]
        done = await api.post(f"/api/v1/tasks/{task}/complete", headers=await token(api, "officer"),
                              json={"data": {"intake_decision": "accept"}})
        assert done.status_code == 200, done.text
        if reports_delivered:
            admin, deadline = await token(api, "admin"), time.monotonic() + 60
            while True:
                queue = (await api.get("/api/v1/outbox", headers=admin)).json()["subscribers"]
                reports = [s for s in queue if s["subscriber"] == "reports"]
                assert reports and not reports[0]["dead"], queue
                if reports[0]["pending"] == reports[0]["delivering"] == 0:
                    break
                assert time.monotonic() < deadline, queue
                await asyncio.sleep(0.1)
        return str(r.json()["code"])
