"""The PostgreSQL pool: sized for a worker's concurrent fires. (Skipping asyncpg's reset on release
saved a round trip but let a process read a stale configuration revision written by another
process — the token cache test caught it — so the reset stays.)"""

from __future__ import annotations

import re
from pathlib import Path

from engine import db as engine_db

ROOT = Path(__file__).resolve().parents[2]
SESSION_STATE = re.compile(r"""["'](SET |LISTEN |RESET |DECLARE )|pg_advisory_lock|set_config\(""")


def test_the_postgresql_pool_is_sized_and_skips_the_reset() -> None:
    config = engine_db.tortoise_config("postgres://u@h:5432/d")["connections"]["postgres"]
    assert config["credentials"]["maxsize"] == engine_db.POOL_MAX
    assert "reset" not in config["credentials"]  # asyncpg's own reset on release stays
    assert engine_db.tortoise_config("postgres://u@h:5432/d?maxsize=3")["connections"]["postgres"][
        "credentials"]["maxsize"] == "3"
    assert engine_db.tortoise_config("sqlite://x.sqlite3")["connections"]["sqlite"] == "sqlite://x.sqlite3"
