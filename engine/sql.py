"""Raw SQL for the dossier hot path (submit, complete, fire timers), on SQLite and PostgreSQL.

The ORM costs ~0.2 ms per statement here (query building and model objects); bench/engine.py
showed it dominating a command. These few statements are written once, for both dialects, against
the tables the Tortoise models define (engine/models/): the models stay the schema and the tool
for everything that is not on the hot path.

`transaction(body)` runs `body(tx)` in one transaction. On PostgreSQL it is Tortoise's
transaction. On SQLite the body only awaits `tx`, whose SQLite methods never suspend, so the
coroutine is driven to its end in one go, on a sqlite3 connection of our own to the same file (WAL):
first right here on the event loop's thread, when the write lock is free at once (`BEGIN IMMEDIATE`
with no busy wait: a command's few statements take well under a millisecond); when another
connection or process holds it, on a thread of our own whose connection waits for the lock (busy
timeout), so the loop never waits on a lock. `fetch` on SQLite (outside a Tortoise transaction)
reads on the same loop-thread connection: WAL readers never wait for a writer. A thread hop costs
0.1–0.3 ms on this 2-core machine, against 15 µs for a small read made in place (bench/engine.py:
(c) went from ~0.2 to ~0.5 of the floor). The loop-thread connection never checkpoints by itself
(an fsync on the loop); the writer thread runs a passive checkpoint every CHECKPOINT_EVERY commits.

`columns(Model)` gives a model's column names from Tortoise's metadata, so the typed rows of
engine/dossiers/row.py and every INSERT are generated from the models, not kept by hand.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient, TransactionalDBClient
from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from engine.models import Dossier

T = TypeVar("T")
log = logging.getLogger(__name__)
_PLACEHOLDER = re.compile(r"\?")


def db() -> BaseDBAsyncClient:
    """The connection of the engine's models (one per process configuration)."""
    return Dossier._meta.db


def columns(model: type[Model]) -> tuple[str, ...]:
    """The table's column names, in the model's field order (foreign keys as `<name>_id`)."""
    meta = model._meta
    relations = set(meta.fk_fields) | set(meta.o2o_fields)
    plain = {column for name, column in meta.fields_db_projection.items() if name not in relations}
    keys = {getattr(meta.fields_map[name], "source_field", None) or f"{name}_id" for name in relations}
    return tuple(sorted(plain | keys))


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def _sql(conn: BaseDBAsyncClient, query: str) -> str:
    if not is_postgres(conn):
        return query
    return _numbered(query) if len(query) <= 4096 else _numbered.__wrapped__(query)


@lru_cache(maxsize=1024)  # the hot path's few query shapes: 10–30 µs each on every call otherwise (≈ 5 % of a fire)
def _numbered(query: str) -> str:
    """`?` placeholders as PostgreSQL's $1, $2…"""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", query)


def utc(value: datetime | None) -> datetime | None:
    """Every stored instant is aware UTC: SQLite compares them as text, so one offset only."""
    return None if value is None else value.astimezone(UTC)


def jsonb(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def unjson(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def instant(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC)


async def fetch(conn: BaseDBAsyncClient, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    local = _local_reader(conn)
    if local is not None:
        try:
            return [dict(row) for row in local.execute(query, list(params))]
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            # rare in WAL (a reader waits only while the WAL is recovered): read where waiting is allowed
    return await conn.execute_query_dict(_sql(conn, query), list(params))


async def fetch_one(conn: BaseDBAsyncClient, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    found = await fetch(conn, query, params)
    return found[0] if found else None


def _insert_sql(table: str, rows: Sequence[dict[str, Any]]) -> tuple[str, list[Any]]:
    columns = list(rows[0])
    one = "(" + ", ".join("?" for _ in columns) + ")"
    query = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(one for _ in rows)
    return query, [row[c] for row in rows for c in columns]


class Tx:
    """The statements a transaction body may run."""

    async def execute(self, query: str, params: Sequence[Any] = ()) -> int:
        raise NotImplementedError

    async def fetch_one(self, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        raise NotImplementedError

    async def insert_many(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        """One multi-row INSERT (every row has the same keys)."""
        if rows:
            await self.execute(*_insert_sql(table, rows))


class _ClientTx(Tx):
    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn

    async def execute(self, query: str, params: Sequence[Any] = ()) -> int:
        count, _rows = await self.conn.execute_query(_sql(self.conn, query), list(params))
        return int(count)

    async def fetch_one(self, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        return await fetch_one(self.conn, query, params)


class _SqliteThreadTx(Tx):
    """Runs inside aiosqlite's worker thread, on its sqlite3 connection; never suspends."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    async def execute(self, query: str, params: Sequence[Any] = ()) -> int:
        try:
            return self.conn.execute(query, list(params)).rowcount
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc

    async def fetch_one(self, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        try:
            row = self.conn.execute(query, list(params)).fetchone()
        except sqlite3.IntegrityError as exc:
            raise IntegrityError(exc) from exc
        return dict(row) if row is not None else None


Body = Callable[[Tx], Coroutine[Any, Any, T]]


def _run_body(conn: sqlite3.Connection, body: Body[T], *, wait: bool) -> T:
    """`body` in one transaction on `conn`. `wait=False`: raise `_Busy` at once if the write lock is taken."""
    try:
        conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlock with other processes
    except sqlite3.OperationalError as exc:
        if not wait and _is_busy(exc):
            raise _Busy from exc
        raise
    try:
        coro = body(_SqliteThreadTx(conn))
        try:
            coro.send(None)
        except StopIteration as stop:
            result: T = stop.value
        else:
            coro.close()
            raise RuntimeError("a transaction body may only await its Tx")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return result


class _Busy(Exception):
    """The write lock is held elsewhere: the body goes to the writer thread, which may wait."""


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or \
        "locked" in str(exc)


def _open(filename: str, busy_ms: int, *, checkpoint: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(filename, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={busy_ms}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA synchronous=NORMAL")
    if not checkpoint:
        conn.execute("PRAGMA wal_autocheckpoint=0")
    return conn


CHECKPOINT_EVERY = 200  # loop-thread commits between two passive checkpoints on the writer thread


class _SqliteWriter:
    """Per database file: a connection used on the event loop's thread (reads; writes when the lock
    is free) and one thread with its own connection, for writes that must wait for the lock."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="motcua-sqlite")
        self.conn: sqlite3.Connection | None = None  # the thread's
        self.locals = threading.local()  # per event-loop thread (a test may run a server's loop in a thread)
        self.opened: list[sqlite3.Connection] = []
        self.local_commits = 0
        self.checkpoint: Future[Any] | None = None

    def _connect(self) -> sqlite3.Connection:
        if self.conn is None:
            self.conn = _open(self.filename, 5000, checkpoint=True)
        return self.conn

    def reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self.locals, "conn", None)
        if conn is None:
            conn = self.locals.conn = _open(self.filename, 0, checkpoint=False)
            with _writers_lock:
                self.opened.append(conn)
        return conn

    def _run(self, body: Body[T]) -> T:
        return _run_body(self._connect(), body, wait=True)

    async def run(self, body: Body[T]) -> T:
        try:
            result = _run_body(self.reader(), body, wait=False)
        except _Busy:
            return await asyncio.get_running_loop().run_in_executor(self.pool, self._run, body)
        self.local_commits += 1
        if self.local_commits % CHECKPOINT_EVERY == 0 and (self.checkpoint is None or self.checkpoint.done()):
            self.checkpoint = self.pool.submit(self._checkpoint)
        return result

    def _checkpoint(self) -> None:
        try:
            self._connect().execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            log.warning("passive WAL checkpoint failed on %s", self.filename, exc_info=True)

    def close(self) -> None:
        def close_conn() -> None:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

        self.pool.submit(close_conn).result()
        self.pool.shutdown(wait=True)
        with _writers_lock:
            opened, self.opened = self.opened, []
        for conn in opened:
            conn.close()


_writers: dict[str, _SqliteWriter] = {}
_writers_lock = threading.Lock()


def _writer(filename: str) -> _SqliteWriter:
    with _writers_lock:
        found = _writers.get(filename)
        if found is None:
            found = _writers[filename] = _SqliteWriter(filename)
        return found


def close_writers() -> None:
    """Close the SQLite writer connections (with the database: engine.db.close_database)."""
    with _writers_lock:
        writers = list(_writers.values())
        _writers.clear()
    for writer in writers:
        writer.close()


def _sqlite_file(conn: BaseDBAsyncClient) -> str | None:
    """The file of a plain (not transactional) Tortoise SQLite client; None otherwise."""
    filename = getattr(conn, "filename", None)
    if is_postgres(conn) or not isinstance(filename, str) or filename == ":memory:":
        return None
    return None if isinstance(conn, TransactionalDBClient) else filename


def _local_reader(conn: BaseDBAsyncClient) -> sqlite3.Connection | None:
    filename = _sqlite_file(conn)
    return _writer(filename).reader() if filename is not None else None


async def transaction(body: Body[T]) -> T:
    client = db()
    filename = _sqlite_file(client)
    if filename is not None:
        return await _writer(filename).run(body)
    async with in_transaction(client.connection_name) as conn:
        return await body(_ClientTx(conn))
