"""What the worker benchmarks (bench/outbox.py, bench/timers.py) share: a throwaway PostgreSQL
database, `motcua worker` processes, and CPU read from the kernel's counters (/proc/PID/stat), the
figure that does not depend on how loaded the machine is (wall-clock rates do).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from engine.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PG_DSN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


class Skipped(Exception):
    """No PostgreSQL server to run on (the message says why)."""


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads), from the kernel's counters."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # a PostgreSQL backend that ended meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def sqlite_settings(prefix: str) -> Settings:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    return Settings(database_url=f"sqlite://{folder / 'bench.sqlite3'}", secret_key="bench", data_dir=folder)


@asynccontextmanager
async def postgres_settings(prefix: str) -> AsyncIterator[Settings]:
    """Settings on a fresh database of MOTCUA_BENCH_PG, dropped (with its connections) at the end."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(PG_DSN, timeout=5)
        await admin.execute(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        raise Skipped(f"skipped: {type(exc).__name__}: {exc}") from exc
    try:
        yield Settings(
            database_url=PG_DSN.rsplit("/", 1)[0] + f"/{name}",
            secret_key="bench",
            data_dir=Path(tempfile.mkdtemp(prefix=prefix)),
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def start_workers(settings: Settings, count: int, **env: str) -> list[asyncio.subprocess.Process]:
    """`count` real `motcua worker` processes on `settings`' database (output discarded)."""
    full = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "PYTHONPATH": str(ROOT),
        "MOTCUA_DATA_DIR": str(settings.data_dir),
        "MOTCUA_SECRET_KEY": "bench",
        "MOTCUA_LOG_LEVEL": "WARNING",
        **env,
    }
    return [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "web.cli",
            "worker",
            cwd=ROOT,
            env=full,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


async def stop(procs: list[asyncio.subprocess.Process]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        await proc.wait()
