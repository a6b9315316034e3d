"""Tortoise configuration, the `database(settings)` context, and schema migrations."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.exceptions import BaseORMException, DBConnectionError, ValidationError
from tortoise.migrations.api.migrate import migrate as _migrate

from engine.settings import Settings

MODELS_MODULE = "engine.models"
MIGRATIONS_MODULE = "engine.migrations"


def connection_name(database_url: str) -> str:
    # Tortoise caches compiled INSERTs per connection name: one name per backend keeps a process
    # (the test suite) that opens SQLite and then PostgreSQL from reusing the other's SQL dialect.
    return "sqlite" if is_sqlite(database_url) else "postgres"


def connection(database_url: str) -> BaseDBAsyncClient:
    return Tortoise.get_connection(connection_name(database_url))


POOL_MAX = 10  # PostgreSQL connections per process (Tortoise's default, 5, capped a worker's concurrent fires)


def _connection(database_url: str) -> str | dict[str, Any]:
    if is_sqlite(database_url):
        return database_url
    config = expand_db_url(database_url)
    config["credentials"].setdefault("maxsize", POOL_MAX)  # the URL may set its own
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    name = connection_name(database_url)
    return {
        "connections": {name: _connection(database_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "default_connection": name,
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_folder(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        path = database_url.removeprefix("sqlite://").split("?", 1)[0]
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


async def open_database(settings: Settings) -> None:
    _ensure_sqlite_folder(settings.database_url)
    await Tortoise.init(config=tortoise_config(settings.database_url), _enable_global_fallback=True)
    if is_sqlite(settings.database_url):
        conn = connection(settings.database_url)
        # WAL lets readers go on while one command commits; NORMAL is durable across process crashes.
        await conn.execute_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;")


async def close_database() -> None:
    from engine import sql

    sql.close_writers()
    await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[None]:
    await open_database(settings)
    try:
        yield
    finally:
        await close_database()


async def migrate(settings: Settings) -> None:
    """Apply every pending migration in engine/migrations (never generate_schemas in production)."""
    _ensure_sqlite_folder(settings.database_url)
    await _migrate(config=tortoise_config(settings.database_url))
    await Tortoise.close_connections()


#: For the `tortoise` CLI (developers only: `tortoise -c engine.db.TORTOISE_ORM makemigrations`).
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


#: what the database layer raises (the web maps them to 503 / 422 / 500)
DATABASE_ERRORS: tuple[type[Exception], ...] = (BaseORMException, asyncpg.PostgresError, asyncpg.InterfaceError,
                                                OSError, sqlite3.Error)


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def is_outage(exc: BaseException) -> bool:
    """The database cannot be reached (refused, dropped, shutting down): the request may be retried."""

    kinds: tuple[type[BaseException], ...] = (
        ConnectionError, asyncpg.exceptions.PostgresConnectionError, asyncpg.exceptions.ConnectionDoesNotExistError,
        asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CrashShutdownError, DBConnectionError)
    for each in _causes(exc):
        if isinstance(each, kinds) or (isinstance(each, OSError) and each.errno is not None):
            return True
    return False


def is_bad_value(exc: BaseException) -> bool:
    """The database (or the ORM's field check before it) refused a value: too long for its column, a
    character it cannot store, out of range (SQLite's driver raises OverflowError for an integer beyond 64 bits)."""
    return any(isinstance(each, (asyncpg.exceptions.DataError, ValidationError, OverflowError))
               for each in _causes(exc))
