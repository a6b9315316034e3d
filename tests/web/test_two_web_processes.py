"""Two real `motcua serve` processes on one database: a calendar day off an admin adds through the
first is used by the second within 2 s (the calendar carries a revision in the database)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from engine import accounts
from engine.settings import Settings
from tests.factories import PASSWORD, free_port, publish_shipped

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def two_servers(db: Settings) -> AsyncIterator[list[str]]:
    procs, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            env = {**os.environ, "DATABASE_URL": db.database_url, "PYTHONPATH": str(ROOT), "PORT": str(port),
                   "MOTCUA_DATA_DIR": str(db.data_dir), "MOTCUA_SECRET_KEY": "test-secret"}
            procs.append(await asyncio.create_subprocess_exec(
                sys.executable, "-m", "web.cli", "serve", cwd=ROOT, env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL))
            urls.append(f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient(timeout=5) as client:
            for url in urls:
                deadline = time.monotonic() + 60  # a loaded machine takes long to import the app
                while True:
                    try:
                        if (await client.get(url + "/api/v1/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{url} did not start")
                    await asyncio.sleep(0.05)
        yield urls
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 10)


async def test_a_day_off_added_through_one_process_is_used_by_the_other_within_two_seconds(
        db: Settings, two_servers: list[str]) -> None:
    await accounts.create_user("admin", PASSWORD, "admin")
    await publish_shipped("household-business")
    first, second = two_servers
    query = {"procedure": "2.000720", "accepted_at": "2026-03-02T09:00:00+07:00"}  # 3 working days: Thu 5 Mar
    async with httpx.AsyncClient(timeout=5) as client:
        before = (await client.get(second + "/api/v1/calendar/due", params=query)).json()
        assert before["due_at"] == "2026-03-05T02:00:00+00:00"
        r = await client.post(first + "/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = await client.post(first + "/api/v1/calendar/overrides", headers=headers,
                              json={"on": "2026-03-04", "kind": "off", "note": "Ngày nghỉ của tỉnh"})
        assert r.status_code == 201, r.text
        changed_at = time.monotonic()
        while True:
            after = (await client.get(second + "/api/v1/calendar/due", params=query)).json()
            if after["due_at"] != before["due_at"]:
                break
            assert time.monotonic() - changed_at < 5, "the second process never saw the day off"
            await asyncio.sleep(0.05)
        seen = time.monotonic() - changed_at
    print(f"\n[{db.database_url.split(':')[0]}] day off seen by the second process after {seen * 1000:.0f} ms")
    assert after["due_at"] == "2026-03-06T02:00:00+00:00"  # Wed 4 Mar skipped
    assert seen < 2.0
