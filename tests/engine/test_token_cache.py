"""The bearer token → user cache (engine/token_cache.py): a token keeps working for a few seconds
without a query, and deactivation, a role change or revocation end it at once in this process and
within a second in another one (real second process, real databases)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine import accounts, runtime, sql, token_cache
from engine.errors import AuthenticationFailed
from engine.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


async def _staff(username: str = "cached") -> tuple[object, str]:
    user = await accounts.create_user(username, "password-2026", "staff", roles=["one_stop"])
    token, _ = await accounts.issue_token(user, NOW, 1)
    return user, token


async def _delete_token_rows() -> None:
    """What another process's logout would write, without telling anyone (no revision bump)."""
    await sql.fetch(sql.db(), "DELETE FROM api_token WHERE id > ? RETURNING id", [0])


async def test_a_token_is_served_from_the_cache_then_refused_after_the_ttl(db: Settings,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_cache, "TTL", 0.3)
    user, token = await _staff()
    first = await accounts.user_for_token(token, NOW)
    await _delete_token_rows()
    again = await accounts.user_for_token(token, NOW)  # the row is gone: only the cache can answer
    assert again is first and again.username == "cached"
    await asyncio.sleep(0.35)
    with pytest.raises(AuthenticationFailed):
        await accounts.user_for_token(token, NOW)


async def test_an_expired_token_is_refused_even_when_cached(db: Settings) -> None:
    _, token = await _staff()
    await accounts.user_for_token(token, NOW)
    with pytest.raises(AuthenticationFailed):
        await accounts.user_for_token(token, datetime(2026, 12, 3, 9, 0, 1, tzinfo=UTC))


async def test_deactivation_role_change_and_revocation_take_effect_at_once(db: Settings) -> None:
    user, token = await _staff()
    assert (await accounts.user_for_token(token, NOW)).roles == ["one_stop"]
    await accounts.update_user(user.id, full_name="Cán bộ", kind="staff", roles=["specialist"], agency="")  # type: ignore[attr-defined]
    assert (await accounts.user_for_token(token, NOW)).roles == ["specialist"]
    await accounts.revoke_token(token)
    with pytest.raises(AuthenticationFailed):
        await accounts.user_for_token(token, NOW)
    other, token2 = await _staff("second")
    await accounts.user_for_token(token2, NOW)
    await accounts.deactivate_user(other.id)  # type: ignore[attr-defined]
    with pytest.raises(AuthenticationFailed):
        await accounts.user_for_token(token2, NOW)


async def test_a_page_sessions_user_is_cached_and_a_change_through_accounts_ends_it_at_once(
        db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_cache, "TTL", 0.3)
    user, _ = await _staff()
    first = await accounts.active_user(user.id, NOW)  # type: ignore[attr-defined]
    assert first is not None and first.roles == ["one_stop"]
    # a change nobody announced (no revision bump): only the TTL ends the entry
    await sql.fetch(sql.db(), "UPDATE user_account SET full_name = ? WHERE id = ? RETURNING id", ["Lén", user.id])  # type: ignore[attr-defined]
    assert await accounts.active_user(user.id, NOW) is first  # type: ignore[attr-defined]
    await asyncio.sleep(0.35)
    again = await accounts.active_user(user.id, NOW)  # type: ignore[attr-defined]
    assert again is not None and again is not first and again.full_name == "Lén"
    await accounts.update_user(user.id, full_name="Cán bộ", kind="staff", roles=["specialist"], agency="")  # type: ignore[attr-defined]
    changed = await accounts.active_user(user.id, NOW)  # type: ignore[attr-defined]
    assert changed is not None and changed.roles == ["specialist"]
    await accounts.deactivate_user(user.id)  # type: ignore[attr-defined]
    assert await accounts.active_user(user.id, NOW) is None  # type: ignore[attr-defined]


DEACTIVATE = textwrap.dedent("""
    import asyncio, sys
    from engine import accounts
    from engine.db import close_database, open_database
    from engine.settings import Settings

    async def main() -> None:
        await open_database(Settings(database_url=sys.argv[1], secret_key="x", data_dir=sys.argv[3]))
        try:
            await accounts.deactivate_user(int(sys.argv[2]))
        finally:
            await close_database()

    asyncio.run(main())
""")


async def test_deactivation_in_another_process_ends_the_cached_token_within_a_second(
        db: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(token_cache, "TTL", 600.0)  # only the revision can end the entry here
    user, token = await _staff()
    await accounts.user_for_token(token, NOW)
    await accounts.user_for_token(token, NOW)  # cached, with the revision just read
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", DEACTIVATE, db.database_url,
                                                    str(user.id), str(db.data_dir)],  # type: ignore[attr-defined]
                                   cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    await asyncio.sleep(runtime.REVISION_CHECK + 0.05)
    with pytest.raises(AuthenticationFailed):
        await accounts.user_for_token(token, NOW)
