"""Raw access to the database for bench/generate.py's bulk phase: asyncpg (PostgreSQL) or sqlite3."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from typing import Any

import asyncpg


class Target:
    """Raw access for the bulk phase: asyncpg (PostgreSQL) or sqlite3."""

    pg = False

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def execute(self, query: str, *params: Any) -> None:
        await self.fetch(query, *params)

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    async def kinds(self, table: str) -> dict[str, str]:
        raise NotImplementedError

    async def close(self) -> None: ...


class Postgres(Target):
    pg = True

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(query, *params)]

    async def execute(self, query: str, *params: Any) -> None:
        await self.conn.execute(query, *params)

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            await self.conn.copy_records_to_table(table, records=records, columns=list(columns))

    async def kinds(self, table: str) -> dict[str, str]:
        rows = await self.fetch(
            "SELECT column_name AS c, data_type AS t FROM information_schema.columns "
            "WHERE table_name = $1 AND table_schema = 'public' ORDER BY ordinal_position",
            table,
        )
        return {
            r["c"]: "ts"
            if r["t"].startswith("timestamp")
            else "json"
            if r["t"] == "jsonb"
            else "text"
            if r["t"] in ("text", "character varying")
            else "plain"
            for r in rows
        }

    async def close(self) -> None:
        await self.conn.close()


class Sqlite(Target):
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(re.sub(r"\$\d+", "?", query), params).fetchall()]

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)

    async def kinds(self, table: str) -> dict[str, str]:
        rows = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
        return {
            r["name"]: "ts"
            if r["type"] == "TIMESTAMP"
            else "json"
            if r["type"] == "JSON"
            else "text"
            if r["type"].startswith(("VARCHAR", "TEXT"))
            else "plain"
            for r in rows
        }

    async def close(self) -> None:
        self.conn.close()
