"""The PostgreSQL pool: released connections are not reset (no round trip), which is only right
while no code keeps session state on a pooled connection."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from engine import db as engine_db
from engine import sql

ROOT = Path(__file__).resolve().parents[2]
SESSION_STATE = re.compile(r"""["'](SET |LISTEN |RESET |DECLARE )|pg_advisory_lock|set_config\(""")


def test_no_code_keeps_session_state_on_a_pooled_connection() -> None:
    found = [f"{path.relative_to(ROOT)}:{n}" for folder in ("engine", "web", "integrations", "forms")
             for path in sorted((ROOT / folder).rglob("*.py")) if "migrations" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SESSION_STATE.search(line)]
    assert found == [], f"session state on a pooled connection (engine/db.py skips the reset): {found}"


def test_the_postgresql_pool_is_sized_and_skips_the_reset() -> None:
    config = engine_db.tortoise_config("postgres://u@h:5432/d")["connections"]["postgres"]
    assert config["credentials"]["maxsize"] == engine_db.POOL_MAX
    assert config["credentials"]["reset"] is engine_db._nothing_to_reset
    assert engine_db.tortoise_config("postgres://u@h:5432/d?maxsize=3")["connections"]["postgres"][
        "credentials"]["maxsize"] == "3"
    assert engine_db.tortoise_config("sqlite://x.sqlite3")["connections"]["sqlite"] == "sqlite://x.sqlite3"


async def test_a_released_connection_runs_no_reset_query(db: Any) -> None:
    if not sql.is_postgres(sql.db()):
        pytest.skip("the pool is PostgreSQL's")
    probe = f"probe_{uuid.uuid4().hex}"
    await sql.fetch(sql.db(), f"SELECT 1 AS {probe}")  # acquired, run, released to the pool
    watcher = await asyncpg.connect(db.database_url)
    try:
        last = await watcher.fetch("SELECT query FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
                                   f"%{probe}%")
    finally:
        await watcher.close()
    assert len(last) == 1  # with asyncpg's reset, the backend's last query would be RESET ALL …
