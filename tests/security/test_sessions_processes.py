"""Two real `motcua serve` processes on one database share the sessions: signed in through the first,
the cookie works on the second; signed out through the second, the copied cookie is anonymous on the
first (the session lives in the table, not in either process)."""

from __future__ import annotations

import re

import httpx

from engine import accounts
from engine.settings import Settings
from tests.factories import PASSWORD
from tests.web.test_two_web_processes import two_servers  # noqa: F401  # the fixture: two real processes


async def _csrf(client: httpx.AsyncClient, url: str, cookie: str = "") -> tuple[str, str]:
    """The form's CSRF token and the session cookie the page set (or the one sent)."""
    r = await client.get(url, headers={"cookie": f"motcua_session={cookie}"} if cookie else {})
    match = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert match, r.text[:500]
    return match.group(1), r.cookies.get("motcua_session") or cookie


async def _signed_in(client: httpx.AsyncClient, base: str, cookie: str) -> bool:
    r = await client.get(base + "/can-bo", headers={"cookie": f"motcua_session={cookie}"})
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


async def test_a_session_made_by_one_process_is_used_and_ended_by_the_other(
        db: Settings, two_servers: list[str]) -> None:  # noqa: F811
    await accounts.create_user("officer", PASSWORD, "staff", roles=["one_stop"])
    first, second = two_servers
    async with httpx.AsyncClient(timeout=10, follow_redirects=False) as client:
        token, anonymous = await _csrf(client, first + "/login")
        r = await client.post(first + "/login", headers={"cookie": f"motcua_session={anonymous}"},
                              data={"csrf_token": token, "username": "officer", "password": PASSWORD})
        assert r.status_code == 303, r.text[:500]
        cookie = r.cookies["motcua_session"]
        assert cookie != anonymous  # rotated at sign-in
        assert await _signed_in(client, second, cookie) and await _signed_in(client, first, cookie)
        token, _same = await _csrf(client, second + "/", cookie)
        r = await client.post(second + "/logout", headers={"cookie": f"motcua_session={cookie}"},
                              data={"csrf_token": token})
        assert r.status_code == 303
        assert not await _signed_in(client, first, cookie)
        assert not await _signed_in(client, second, cookie)
