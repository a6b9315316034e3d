"""Server-side sessions (issue 10; SECURITY.md V7.2.3, V7.2.4, V7.3.1, V7.3.2, V7.4.1, V7.4.2, V3.3.1):
a copied cookie is dead after sign-out, idle and absolute timeouts, a new id at sign-in (no
fixation), deactivation and a password change end the account's sessions, cookie flags on http and
https, CSRF unchanged. Every test runs on SQLite and PostgreSQL with the app's injectable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from engine import accounts, sessions
from engine.models import Session, User
from engine.settings import Settings
from tests.factories import PASSWORD, page_csrf, page_login, rt
from web.app import create_app


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
async def site(db: Settings, users: dict) -> AsyncIterator[tuple[Starlette, Clock]]:
    clock = Clock()
    yield create_app(replace(db), clock=clock, manage_database=False, runtime=rt()), clock


def browser(app: Starlette, *, https: bool = False, cookies: dict[str, str] | None = None) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                               base_url=("https" if https else "http") + "://testserver")
    for name, value in (cookies or {}).items():
        client.cookies.set(name, value, domain="testserver.local")  # where the jar keeps the site's own
    return client


async def signed_in(client: httpx.AsyncClient) -> bool:
    r = await client.get("/can-bo")
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


async def test_a_cookie_copied_before_sign_out_is_anonymous_afterwards(site: tuple) -> None:
    app, clock = site
    async with browser(app) as victim:
        await page_login(victim, "officer")
        copied = victim.cookies["motcua_session"]
        assert await signed_in(victim)
        r = await victim.post("/logout", data={"csrf_token": await page_csrf(victim, "/")})
        assert r.status_code == 303
    async with browser(app, cookies={"motcua_session": copied}) as thief:
        assert not await signed_in(thief)
        r = await thief.get("/can-bo")
        assert r.headers["location"].startswith("/login")
    row = await Session.get(id=sessions.key_of(copied))
    assert row.revoked_at is not None  # revoked in the table, not just forgotten by the browser
    await sessions.purge(clock(), sessions.Timeouts())
    assert not await Session.filter(id=sessions.key_of(copied)).exists()  # and gone after the purge


async def test_the_table_keeps_only_a_hash_of_the_cookie(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as client:
        await page_login(client, "officer")
        token = client.cookies["motcua_session"]
    ids = [row.id for row in await Session.all()]
    assert token not in ids and sessions.key_of(token) in ids
    tokens = {sessions.new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000 and min(len(t) for t in tokens) >= 43  # 256 random bits, url-safe


async def test_an_idle_session_ends_after_thirty_minutes(site: tuple) -> None:
    app, clock = site
    async with browser(app) as client:
        await page_login(client, "officer")
        for _ in range(4):  # active: each request within 29 minutes of the last one keeps it alive
            clock.advance(minutes=29)
            assert await signed_in(client)
        clock.advance(minutes=31)
        assert not await signed_in(client)


async def test_a_session_ends_twelve_hours_after_sign_in_however_active(site: tuple) -> None:
    app, clock = site
    async with browser(app) as client:
        await page_login(client, "officer")
        for _ in range(35):  # 35 x 20 min = 11 h 40 min of activity
            clock.advance(minutes=20)
            assert await signed_in(client)
        clock.advance(minutes=19)
        assert await signed_in(client)  # 11 h 59 min
        clock.advance(minutes=2)
        assert not await signed_in(client)  # 12 h 01 min: sign in again
        await page_login(client, "officer")
        assert await signed_in(client)


async def test_the_timeouts_are_settings(db: Settings, users: dict) -> None:
    clock = Clock()
    app = create_app(replace(db, session_idle_minutes=5, session_max_hours=1), clock=clock,
                     manage_database=False, runtime=rt())
    async with browser(app) as client:
        await page_login(client, "officer")
        clock.advance(minutes=4)
        assert await signed_in(client)
        clock.advance(minutes=6)
        assert not await signed_in(client)
    assert Settings.from_environ({"MOTCUA_SESSION_IDLE_MINUTES": "15",
                                  "MOTCUA_SESSION_MAX_HOURS": "8"}).session_max_hours == 8
    with pytest.raises(ValueError, match="MOTCUA_SESSION_IDLE_MINUTES"):
        Settings.from_environ({"MOTCUA_SESSION_IDLE_MINUTES": "0"})


async def test_sign_in_gives_a_new_session_id_and_a_planted_cookie_never_authenticates(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as attacker:
        await attacker.get("/login")  # an anonymous session (it carries the login form's CSRF token)
        planted = attacker.cookies["motcua_session"]
        async with browser(app, cookies={"motcua_session": planted}) as victim:
            r = await victim.post("/language", data={"csrf_token": await page_csrf(victim), "lang": "en",
                                                     "next": "/"})
            assert r.status_code == 303
            await page_login(victim, "officer")
            after = victim.cookies["motcua_session"]
            assert after != planted
            assert await signed_in(victim)
            row = await Session.get(id=sessions.key_of(after))
            assert row.data.get("lang") == "en" and row.user_id is not None  # the language survives sign-in
        assert not await signed_in(attacker)  # the planted id was revoked, not promoted
        assert (await Session.get(id=sessions.key_of(planted))).revoked_at is not None


async def test_signing_in_again_as_the_same_account_also_gives_a_new_id(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as client:
        await page_login(client, "officer")
        first = client.cookies["motcua_session"]
        await page_login(client, "officer")
        second = client.cookies["motcua_session"]
        assert second != first and await signed_in(client)
    async with browser(app, cookies={"motcua_session": first}) as old:
        assert not await signed_in(old)


async def test_deactivation_ends_every_session_of_the_account_within_one_request(site: tuple) -> None:
    app, clock = site
    async with browser(app) as first, browser(app) as second, browser(app) as other:
        for client in (first, second):
            await page_login(client, "officer")
        await page_login(other, "specialist")
        assert await signed_in(first) and await signed_in(second)
        officer = await User.get(username="officer")
        await accounts.deactivate_user(officer.id, clock())
        assert not await signed_in(first) and not await signed_in(second)
        assert await signed_in(other)  # only that account's sessions
        assert not await Session.filter(user_id=officer.id, revoked_at=None).exists()


async def test_deactivation_through_the_admin_page_ends_the_sessions(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as admin, browser(app) as officer_browser:
        await page_login(officer_browser, "officer")
        await page_login(admin, "admin")
        officer = await User.get(username="officer")
        r = await admin.post(f"/quan-tri/nguoi-dung/{officer.id}/khoa",
                             data={"csrf_token": await page_csrf(admin, "/quan-tri/nguoi-dung")})
        assert r.status_code == 303, r.text
        assert not await signed_in(officer_browser)


async def test_a_password_change_ends_the_other_sessions(site: tuple) -> None:
    app, clock = site
    async with browser(app) as mine, browser(app) as stolen:
        await page_login(mine, "officer")
        await page_login(stolen, "officer")
        officer = await User.get(username="officer")
        kept = sessions.key_of(mine.cookies["motcua_session"])
        await accounts.set_password(officer.id, "a new long passphrase", clock(), keep_session=kept)
        assert await signed_in(mine) and not await signed_in(stolen)
        await accounts.set_password(officer.id, "another long passphrase", clock())
        assert not await signed_in(mine)
        await page_login(mine, "officer", "another long passphrase")
        assert await signed_in(mine)
    with pytest.raises(accounts.InvalidData):
        await accounts.set_password(officer.id, "short", clock())


async def test_cookie_flags_on_plain_http(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as client:
        cookie = (await client.get("/login")).headers["set-cookie"]
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert cookie.startswith("motcua_session=")
        assert attributes == {"httponly", "max-age", "path", "samesite"}  # no Domain; Secure would break http
        assert "Path=/" in cookie and "SameSite=Lax" in cookie and "Max-Age=43200" in cookie
        await page_login(client, "officer")
        assert await signed_in(client)  # the demo on http stays usable


async def test_cookie_flags_over_https_use_the_host_prefix(db: Settings, users: dict) -> None:
    app = create_app(replace(db, https_only=True), clock=Clock(), manage_database=False, runtime=rt())
    async with browser(app, https=True) as client:
        cookie = (await client.get("/login")).headers["set-cookie"]
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert cookie.startswith("__Host-motcua_session=")
        assert attributes == {"httponly", "max-age", "path", "samesite", "secure"}  # __Host-: Secure, Path=/
        assert "Path=/" in cookie and "SameSite=Lax" in cookie
        await page_login(client, "officer")
        assert await signed_in(client)
        token = client.cookies["__Host-motcua_session"]
    async with browser(app, https=True, cookies={"motcua_session": token}) as wrong_name:
        assert not await signed_in(wrong_name)  # only the __Host- cookie is read


async def test_csrf_still_guards_the_forms_and_changes_at_sign_in(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as client, browser(app) as stranger:
        before = await page_csrf(client)
        r = await client.post("/login", data={"csrf_token": await page_csrf(stranger), "username": "officer",
                                              "password": PASSWORD})
        assert r.status_code == 400  # another session's token
        r = await client.post("/login", data={"csrf_token": before, "username": "officer", "password": PASSWORD})
        assert r.status_code == 303
        r = await client.post("/logout", data={"csrf_token": before})
        assert r.status_code == 400 and await signed_in(client)  # the pre-login token died with its session
        r = await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
        assert r.status_code == 303 and not await signed_in(client)


async def test_writes_only_when_the_data_changed_and_touches_once_a_minute(site: tuple) -> None:
    app, clock = site
    async with browser(app) as client:
        await page_login(client, "officer")
        key = sessions.key_of(client.cookies["motcua_session"])
        first = await Session.get(id=key)
        clock.advance(seconds=30)
        assert await signed_in(client)
        assert (await Session.get(id=key)).last_seen_at == first.last_seen_at  # not written within a minute
        clock.advance(seconds=31)
        r = await client.get("/can-bo")
        assert r.status_code == 200 and "set-cookie" not in r.headers  # same id, no new cookie
        touched = await Session.get(id=key)
        assert touched.last_seen_at == clock() and touched.data == first.data
        r = await client.post("/language", data={"csrf_token": await page_csrf(client, "/"), "lang": "en",
                                                 "next": "/"})
        assert (await Session.get(id=key)).data["lang"] == "en"


async def test_api_and_static_requests_without_a_cookie_make_no_session(site: tuple) -> None:
    app, _clock = site
    async with browser(app) as client:
        for path in ("/api/v1/health", "/api/v1/procedures", "/static/web/print.js"):
            r = await client.get(path)
            assert r.status_code == 200 and "set-cookie" not in r.headers, path
    assert await Session.all().count() == 0


async def test_dead_sessions_are_purged_by_the_web_process(site: tuple) -> None:
    app, clock = site
    async with browser(app) as idle, browser(app) as leaving:
        await page_login(idle, "officer")
        await page_login(leaving, "specialist")
        await leaving.post("/logout", data={"csrf_token": await page_csrf(leaving, "/")})
        officer_key = sessions.key_of(idle.cookies["motcua_session"])
        assert await Session.filter(revoked_at__not_isnull=True).count() >= 2  # pre-login ones, the signed-out one
    clock.advance(minutes=31)  # every session is now idle too long
    async with browser(app) as newcomer:
        await newcomer.get("/login")  # a new session: the process purges the dead ones first
    remaining = await Session.all()
    assert len(remaining) == 1 and remaining[0].id != officer_key and remaining[0].user_id is None
