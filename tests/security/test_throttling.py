"""Sign-in and tracking throttles live in the database (issue 10): every process shares them and a
restart keeps them; per account and per address; a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from engine.settings import Settings
from tests.factories import PASSWORD, page_csrf, rt
from web.app import create_app


def _app(db: Settings, now: datetime) -> httpx.AsyncClient:
    app = create_app(replace(db), manage_database=False, runtime=rt(), clock=lambda: now)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_wrong_passwords_lock_the_account_then_it_reopens(db: Settings, users: dict) -> None:
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    async with _app(db, now) as client:
        answers = [(await client.post("/api/v1/auth/token", json={"username": "officer", "password": "wrong"}))
                   for _ in range(8)]
        assert [a.status_code for a in answers] == [401] * 6 + [429] * 2  # the 6th failure locks
        assert int(answers[-1].headers["retry-after"]) > 60
        right = await client.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert right.status_code == 429  # locked: even the right password waits
    async with _app(db, now) as second_process:  # another process (a new app) sees the same lock
        r = await second_process.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert r.status_code == 429
    async with _app(db, now + timedelta(minutes=16)) as later:
        r = await later.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert r.status_code == 200
    async with _app(db, now) as client:  # other accounts were never locked
        r = await client.post("/api/v1/auth/token", json={"username": "leader", "password": PASSWORD})
        assert r.status_code == 200


async def test_one_address_trying_many_accounts_is_throttled(db: Settings, users: dict) -> None:
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    async with _app(db, now) as client:
        codes = [(await client.post("/api/v1/auth/token", json={"username": f"user{i}", "password": "x"})).status_code
                 for i in range(33)]
        assert codes[:31] == [401] * 31 and codes[31:] == [429, 429]
        forged = await client.post("/api/v1/auth/token", json={"username": "zz", "password": "x"},
                                   headers={"X-Forwarded-For": "203.0.113.9"})
        assert forged.status_code == 429  # the header is not believed: same address


async def test_login_page_says_to_wait_in_vietnamese(db: Settings, users: dict) -> None:
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    async with _app(db, now) as client:
        for _ in range(7):
            r = await client.post("/login", data={"csrf_token": await page_csrf(client), "username": "citizen",
                                                  "password": "wrong"})
        assert r.status_code == 429 and "đăng nhập sai quá nhiều lần" in r.text and "15 phút" in r.text


async def test_tracking_lookups_are_throttled_across_processes(db: Settings, users: dict) -> None:
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    for _ in range(2):  # two "processes": the count is shared
        async with _app(db, now) as client:
            codes = []
            for _ in range(6):
                r = await client.post("/tra-cuu", data={"csrf_token": await page_csrf(client, "/tra-cuu"),
                                                        "code": "X-1", "factor": "0912345678"})
                codes.append(r.status_code)
    assert codes[-2:] == [429, 429] and codes[0] == 200
