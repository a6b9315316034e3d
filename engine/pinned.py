"""One pooled PostgreSQL connection for all the statements of a request (`pinned()`, web.middleware.PinnedReads).

Outside a transaction Tortoise takes a connection from asyncpg's pool for every statement and gives
it back after it, and asyncpg resets a connection on every release (`pg_advisory_unlock_all(); CLOSE
ALL; UNLISTEN *; RESET ALL`): one more round trip per statement, and a statement prepared on one
connection is prepared again on the next. A page of a dozen statements paid two dozen round trips.

Inside `pinned()` the process's connection name resolves (Tortoise's context variable, as its own
transactions do) to a client that takes ONE connection from the pool at its first statement and
keeps it for the next ones, each still in autocommit (no BEGIN: every statement sees what is
committed when it runs, as before); it is released, and reset once, at the end, or earlier by
`release()` (the web releases it when the response starts: a streamed body holds no connection).
asyncpg's reset stays: skipping it was tried and reverted (README).

A transaction (`in_transaction`, `engine.sql.transaction`) inside the scope is not run on the pinned
connection: the pinned one is released first and the transaction takes its own from the pool, as
without pinning. A request thus never holds two connections, so requests waiting for a connection
cannot hold the ones the others wait for. Statements after it take a connection again.

SQLite (one connection per process already) and a process without a pool: `pinned()` does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import TransactionContext
from tortoise.connection import connections

from engine import sql


class _Lazy:
    """acquire_connection() of the pinned client: the one connection, taken at first use."""

    def __init__(self, client: PinnedClient) -> None:
        self.client = client

    async def __aenter__(self) -> Any:
        await self.client._lock.acquire()
        try:
            if self.client._connection is None:
                pool = self.client._parent._pool
                assert pool is not None
                self.client._connection = await pool.acquire()
        except BaseException:
            self.client._lock.release()
            raise
        return self.client._connection

    async def __aexit__(self, *exc: object) -> None:
        self.client._lock.release()


class PinnedClient(TransactionWrapper):
    """A Tortoise client on one pooled connection taken at first use, in autocommit."""

    def __init__(self, parent: AsyncpgDBClient) -> None:
        super().__init__(parent)
        self._connection = None  # taken at the first statement

    def acquire_connection(self) -> Any:
        return _Lazy(self)

    def _in_transaction(self) -> TransactionContext:
        return _Released(self)

    async def release(self) -> None:
        """Give the connection back to the pool (asyncpg resets it); the next statement takes one again."""
        async with self._lock:
            conn, self._connection = self._connection, None
            if conn is not None:
                pool = self._parent._pool
                assert pool is not None
                await pool.release(conn)


class _Released(TransactionContext):
    """A transaction inside a pinned scope: on its own pooled connection, the pinned one released first."""

    def __init__(self, pinned: PinnedClient) -> None:
        self.pinned = pinned
        self.inner = pinned._parent._in_transaction()
        self.client = self.inner.client

    async def __aenter__(self) -> Any:
        await self.pinned.release()
        return await self.inner.__aenter__()

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        await self.inner.__aexit__(exc_type, exc_val, exc_tb)


def current() -> PinnedClient | None:
    """The pinned client of this scope, if any."""
    found = sql.db()
    return found if isinstance(found, PinnedClient) else None


@contextlib.asynccontextmanager
async def pinned() -> AsyncIterator[PinnedClient | None]:
    """Run the body's statements on one pooled connection (PostgreSQL); nested scopes share the outer one."""
    client = sql.db()
    if isinstance(client, PinnedClient) or not isinstance(client, AsyncpgDBClient) or isinstance(
            client, TransactionWrapper) or client._pool is None:
        yield client if isinstance(client, PinnedClient) else None
        return
    pinned_client = PinnedClient(client)
    token = connections.set(client.connection_name, pinned_client)
    try:
        yield pinned_client
    finally:
        try:
            await asyncio.shield(pinned_client.release())
        finally:
            connections.reset(token)
