"""Fixtures: a real database per test (SQLite file, or the machine's PostgreSQL), the app, users."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from engine import accounts
from engine.db import close_database, connection, migrate, open_database
from engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_DSN = os.environ.get("MOTCUA_TEST_PG", "postgres://postgres@127.0.0.1:5432/postgres")
TABLES = ["report_dossier", "report_task", "report_target_change", "report_target", "portal_sync", "staff_notice",
          "staff_notice_read", "staff_notice_digest",
          "notification", "notification_template", "caught_message", "form_failure", "form_attempt",
          "data_export", "document_access", "agency", "reception_point", "idempotency_record", "throttle_bucket",
          "outbox", "config_revision", "attachment", "dossier_pause", "dossier_result", "application_draft",
          "design_audit", "procedure_draft", "rating", "calendar_override", "channel_policy",
          "audit_event", "timer", "human_task", "dossier", "dossier_counter", "procedure_version", "procedure",
          "session", "api_token", "registration_code", "user_account", "role"]
PASSWORD = "correct-horse-battery"
T = TypeVar("T")


def run_sync(make_coro: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion in its own thread and loop (fixtures may already be in a loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coro())).result()


def shared_path(*parts: str) -> Path:
    """A path under ../shared/: skip without it, but fail when CI is set (it must be there)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing, and CI must have ../shared/")
        pytest.skip(f"{path} is absent (../shared/ not checked out beside the repo)")
    return path


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Real argon2, with the cheapest parameters: the suite creates hundreds of users."""
    from argon2 import PasswordHasher

    saved = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    accounts._hasher = saved


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    run_sync(lambda: migrate(Settings(database_url=f"sqlite://{path}")))
    return path


async def _pg_admin() -> asyncpg.Connection:
    return await asyncpg.connect(PG_DSN, timeout=5)


@contextlib.asynccontextmanager
async def empty_pg_database(prefix: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database (not migrated) for one test; dropped after, with whatever
    the test left open closed first. Skips (fails in CI) when PostgreSQL is not reachable."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        admin = await _pg_admin()
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """One fresh PostgreSQL database for this test run, migrated once, dropped at the end."""
    name = f"motcua_test_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        conn = await _pg_admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    try:
        run_sync(create)
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
    url = PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    run_sync(lambda: migrate(Settings(database_url=url)))
    yield url

    async def drop() -> None:
        conn = await _pg_admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    run_sync(drop)


def _settings(url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=url, secret_key="test-secret", data_dir=tmp_path, token_ttl_hours=1)


@pytest.fixture(params=["sqlite", "postgres"])
async def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Settings]:
    """An open, migrated, empty database with the default roles; parametrized SQLite / PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "motcua.sqlite3"
        shutil.copy(sqlite_template, path)
        settings = _settings(f"sqlite://{path}", tmp_path)
    else:
        settings = _settings(request.getfixturevalue("pg_url"), tmp_path)
    async with _opened(settings, truncate=request.param == "postgres"):
        yield settings


@pytest.fixture
async def sqlite_db(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Settings]:
    path = tmp_path / "motcua.sqlite3"
    shutil.copy(sqlite_template, path)
    settings = _settings(f"sqlite://{path}", tmp_path)
    async with _opened(settings, truncate=False):
        yield settings


@contextlib.asynccontextmanager
async def _opened(settings: Settings, *, truncate: bool) -> AsyncIterator[None]:
    """Open the database, empty it (the shared PostgreSQL one), add the default roles; close after."""
    from tests import factories
    from web.app import build_runtime

    await open_database(settings)
    token = None
    try:
        if truncate:
            await connection(settings.database_url).execute_script(
                f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        await accounts.ensure_roles()
        runtime = build_runtime(settings)
        await runtime.start()
        factories.RUNTIME.append(runtime)
        from engine import token_cache  # the tables were emptied: config revisions start again at 0

        token_cache.CACHE = token_cache.TokenCache()
        token = runtime
        yield
    finally:
        if token is not None:
            factories.RUNTIME.remove(token)
        await close_database()


@pytest.fixture
async def users(db: Settings) -> dict[str, object]:
    made = {}
    for username, kind, roles in [
        ("admin", "admin", []), ("officer", "staff", ["one_stop"]), ("specialist", "staff", ["specialist"]),
        ("leader", "staff", ["leader"]), ("citizen", "citizen", []), ("citizen2", "citizen", []),
    ]:
        made[username] = await accounts.create_user(username, PASSWORD, kind, roles=roles)
    return made


@pytest.fixture
async def client(db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    from tests.factories import rt
    from web.app import create_app

    app = create_app(replace(db), manage_database=False, runtime=rt())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
