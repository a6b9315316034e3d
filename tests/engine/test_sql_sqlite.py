"""engine/sql.py on SQLite: reads and short write transactions run on the event loop's thread when
the write lock is free, and on the writer thread (which may wait) when another connection holds it;
inside a Tortoise transaction `fetch` reads on the transaction's own connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from tortoise.transactions import in_transaction

from engine import sql
from engine.settings import Settings

KEY = "sql-sqlite-test"


def _filename(settings: Settings) -> str:
    return settings.database_url.removeprefix("sqlite://")


async def _bump(tx: sql.Tx) -> int:
    await tx.execute("INSERT INTO config_revision (key, value) VALUES (?, 1) "
                     "ON CONFLICT (key) DO UPDATE SET value = config_revision.value + 1", [KEY])
    row = await tx.fetch_one("SELECT value FROM config_revision WHERE key = ?", [KEY])
    assert row is not None
    return int(row["value"])


async def _value() -> int | None:
    row = await sql.fetch_one(sql.db(), "SELECT value FROM config_revision WHERE key = ?", [KEY])
    return None if row is None else int(row["value"])


async def test_a_free_lock_commits_on_the_loop_thread_and_the_next_read_sees_it(sqlite_db: Settings) -> None:
    threads: list[str] = []
    original = sql._run_body

    def spy(conn: sqlite3.Connection, body: sql.Body[int], *, wait: bool) -> int:
        threads.append(threading.current_thread().name)
        return original(conn, body, wait=wait)

    sql._run_body = spy  # type: ignore[assignment]
    try:
        assert await sql.transaction(_bump) == 1
        assert await sql.transaction(_bump) == 2
    finally:
        sql._run_body = original
    assert threads == [threading.current_thread().name] * 2  # no hop to the writer thread
    assert await _value() == 2
    # another connection (another process, say) sees the commits at once
    other = sqlite3.connect(_filename(sqlite_db))
    try:
        assert other.execute("SELECT value FROM config_revision WHERE key = ?", [KEY]).fetchone() == (2,)
    finally:
        other.close()


async def test_a_held_lock_sends_the_command_to_the_writer_thread_and_the_loop_runs_on(sqlite_db: Settings) -> None:
    holder = sqlite3.connect(_filename(sqlite_db), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the file's write lock
    try:
        command = asyncio.ensure_future(sql.transaction(_bump))
        ticks = 0
        for _ in range(20):  # the loop is not blocked while the command waits for the lock
            await asyncio.sleep(0.01)
            ticks += 1
        assert not command.done() and ticks == 20
        assert await _value() is None  # reads go on (WAL) and do not see the waiting command
        holder.execute("COMMIT")
        assert await asyncio.wait_for(command, 5) == 1
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
    assert await _value() == 1


async def test_a_failed_body_rolls_back_on_the_loop_thread(sqlite_db: Settings) -> None:
    async def failing(tx: sql.Tx) -> None:
        await _bump(tx)
        raise RuntimeError("the command changes its mind")

    with pytest.raises(RuntimeError):
        await sql.transaction(failing)
    assert await _value() is None
    assert await sql.transaction(_bump) == 1  # the connection is usable: no transaction left open


async def test_fetch_inside_a_tortoise_transaction_reads_its_uncommitted_writes(sqlite_db: Settings) -> None:
    async with in_transaction() as conn:
        await conn.execute_query("INSERT INTO config_revision (key, value) VALUES (?, 7)", [KEY])
        inside = await sql.fetch_one(sql.db(), "SELECT value FROM config_revision WHERE key = ?", [KEY])
        assert inside is not None and inside["value"] == 7
        # the loop-thread connection does not see what is not committed
        outside = sql._writer(_filename(sqlite_db)).reader().execute(
            "SELECT value FROM config_revision WHERE key = ?", [KEY]).fetchone()
        assert outside is None
    assert await _value() == 7
