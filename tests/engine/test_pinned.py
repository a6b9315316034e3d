"""engine/pinned.py: a read request's statements on one pooled PostgreSQL connection, in autocommit;
a transaction inside takes its own connection after giving the pinned one back (no request holds
two, so a full pool cannot deadlock); SQLite is untouched."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from engine import db as engine_db
from engine import pinned, runtime, sql
from engine.settings import Settings


async def _pid() -> int:
    row = await sql.fetch_one(sql.db(), "SELECT pg_backend_pid() AS pid")
    assert row is not None
    return int(row["pid"])


async def _revision(key: str) -> int:
    return await runtime.read_revision(key)


async def test_sqlite_is_not_pinned(db: Settings) -> None:
    if sql.is_postgres(sql.db()):
        pytest.skip("SQLite's case")
    async with pinned.pinned() as client:
        assert client is None and pinned.current() is None
        assert await _revision("pinned-test") == 0


async def test_one_connection_for_the_statements_of_a_scope_in_autocommit(db: Settings) -> None:
    if not sql.is_postgres(sql.db()):
        pytest.skip("the pool is PostgreSQL's")
    async with pinned.pinned() as client:
        assert client is not None and pinned.current() is client
        async with pinned.pinned() as inner:  # nested: the same client
            assert inner is client
        pids = {await _pid() for _ in range(4)}
        assert len(pids) == 1
        # autocommit: each statement its own transaction (a pinned read never holds a snapshot)
        first = await sql.fetch_one(sql.db(), "SELECT now() AS at, pg_current_xact_id_if_assigned() AS x")
        await asyncio.sleep(0.01)
        second = await sql.fetch_one(sql.db(), "SELECT now() AS at")
        assert first is not None and second is not None and second["at"] > first["at"]
        # a transaction in the scope commits on its own connection; the scope's next read sees it
        await runtime.bump_now("pinned-test")
        assert await _revision("pinned-test") == 1
    assert pinned.current() is None


async def test_a_write_committed_elsewhere_is_seen_by_the_next_pinned_read(db: Settings) -> None:
    """What a cached configuration revision relies on: a pinned connection never reads an old snapshot."""
    if not sql.is_postgres(sql.db()):
        pytest.skip("the pool is PostgreSQL's")
    import asyncpg  # type: ignore[import-untyped]

    other = await asyncpg.connect(db.database_url)
    try:
        async with pinned.pinned():
            assert await _revision("pinned-other") == 0
            await other.execute("INSERT INTO config_revision (key, value) VALUES ('pinned-other', 7)")
            assert await _revision("pinned-other") == 7
    finally:
        await other.close()


async def test_a_full_pool_of_pinned_requests_with_transactions_does_not_deadlock(db: Settings) -> None:
    if not sql.is_postgres(sql.db()):
        pytest.skip("the pool is PostgreSQL's")

    async def request(n: int) -> int:
        async with pinned.pinned():
            await _pid()  # the pinned connection is taken
            await asyncio.sleep(0.05)  # every request holds one before any transaction starts

            async def body(tx: Any) -> int:
                await tx.execute("INSERT INTO config_revision (key, value) VALUES (?, ?)", [f"pinned-{n}", n])
                return n

            done = await sql.transaction(body)
            return done + await _revision(f"pinned-{n}") * 0

    count = 2 * engine_db.POOL_MAX + 1
    results = await asyncio.wait_for(asyncio.gather(*(request(n) for n in range(count))), timeout=30)
    assert sorted(results) == list(range(count))
    assert [await _revision(f"pinned-{n}") for n in range(count)] == list(range(count))
