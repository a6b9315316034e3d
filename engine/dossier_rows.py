"""Raw SQL for the dossier hot path (submit, complete, fire timers), on SQLite and PostgreSQL.

The ORM costs ~0.2 ms per statement here (query building and model objects); bench/engine.py
showed it dominating a command. These few statements are written once, for both dialects, against
the tables the Tortoise models define (engine/models/): the models stay the schema and the tool
for everything that is not on the hot path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from engine.models import Dossier

_PLACEHOLDER = re.compile(r"\?")


def db() -> BaseDBAsyncClient:
    """The connection of the engine's models (one per process configuration)."""
    return Dossier._meta.db


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def _sql(conn: BaseDBAsyncClient, query: str) -> str:
    if not is_postgres(conn):
        return query
    counter = iter(range(1, 1000))
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
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(UTC)


async def execute(conn: BaseDBAsyncClient, query: str, params: Sequence[Any] = ()) -> int:
    count, _rows = await conn.execute_query(_sql(conn, query), list(params))
    return count


async def fetch(conn: BaseDBAsyncClient, query: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    return await conn.execute_query_dict(_sql(conn, query), list(params))


async def fetch_one(conn: BaseDBAsyncClient, query: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    rows = await fetch(conn, query, params)
    return rows[0] if rows else None


async def insert_many(conn: BaseDBAsyncClient, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """One multi-row INSERT (every row has the same keys)."""
    if not rows:
        return
    columns = list(rows[0])
    one = "(" + ", ".join("?" for _ in columns) + ")"
    query = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(one for _ in rows)
    await execute(conn, query, [row[c] for row in rows for c in columns])
