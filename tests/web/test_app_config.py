"""create_app refuses a guessable session secret; development mode and the cookie's Secure flag."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from engine.settings import Settings
from web.app import MissingSecretKey, create_app
from web.cli import _settings_with_secret


def test_app_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(MissingSecretKey, match="MOTCUA_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path))


def test_development_mode_starts_with_a_random_secret_per_app(tmp_path: Path) -> None:
    first = create_app(Settings(data_dir=tmp_path, dev=True)).state.settings.secret_key
    second = create_app(Settings(data_dir=tmp_path, dev=True)).state.settings.secret_key
    assert len(first) >= 32 and first != second


def test_the_motcua_command_generates_and_keeps_a_secret(tmp_path: Path) -> None:
    first = _settings_with_secret(Settings(data_dir=tmp_path)).secret_key
    assert len(first) >= 32 and _settings_with_secret(Settings(data_dir=tmp_path)).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("https_only", [False, True])
async def test_session_cookie_is_secure_when_configured(db: Settings, https_only: bool) -> None:
    from dataclasses import replace

    app = create_app(replace(db, https_only=https_only), manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        cookie = (await client.get("/login")).headers.get("set-cookie", "")  # the page sets its CSRF token
    name = "__Host-motcua_session=" if https_only else "motcua_session="  # web/sessions.py
    assert cookie.startswith(name) and ("secure" in cookie.lower()) is https_only
