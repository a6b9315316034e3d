"""Fill a database with N realistic dossiers of the shipped procedures. Prints rows/s; it is not a test.

    python bench/generate.py --database postgres|sqlite --dossiers 1000000 [--url URL] [--backlog 15000]

1. Seeds, through the engine's own commands (bench/generate_seeds.py): for each shipped procedure, one
   dossier per scenario: received, accepted, appraised, signed, returned (rated or not), supplement
   requested (open, or received and returned), financial obligation (open, or fulfilled), apology and
   re-appointment, refused, withdrawn, stopped. The reports subscriber then folds their events, so the
   state JSON, tasks, timers, audit trail, outbox, pauses, results and reporting facts are the engine's.
2. Clones (bench/generate_clone.py): each generated dossier copies a seed (by weight: 3 % open) with
   its own code, agency (five), channel, submitter kind, reception point, applicant, rating score, extra
   attachments and dates over four years, its activity stretched (×0.2 to ×2.5: early and late
   finishes). The reporting facts are the seeds' moved the same way, their verdict, KPI due and working
   time judged again with the calendar: `motcua reports rebuild` gives the same rows.
   PostgreSQL: on the server, INSERT … SELECT over generate_series (bench/generate_sql.py).
   SQLite: built in Python, executemany in one transaction per batch.

--backlog N then adds received dossiers (status 1, intake task ready) until the one-stop role has N
ready tasks: the inbox's load of issue 11 (15,000 for one role).

Without --url: PostgreSQL gets a fresh database on MOTCUA_BENCH_PG (default the local server), kept
(its name is printed); SQLite a file in a temporary folder. With --url the database is migrated and
filled in place (rows are added to what is there; dossier codes go on from its per-day counters).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import asyncpg  # noqa: E402

from bench import generate_clone as gc  # noqa: E402
from bench import generate_sql  # noqa: E402
from bench import generate_sqlite as gs  # noqa: E402
from bench.generate_db import Postgres, Sqlite, Target  # noqa: E402
from bench.generate_seeds import Made, make_seeds, seed_start  # noqa: E402
from bench.generate_sql import clone_sql  # noqa: E402
from engine import outbox, sql  # noqa: E402
from engine.db import close_database, is_sqlite, migrate, open_database  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.workdays import Calendar  # noqa: E402
from web.app import build_runtime  # noqa: E402

PG_DSN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
#: --backlog: the role whose inbox is filled, with clones of this scenario (received: its intake task ready)
BACKLOG_ROLE = "one_stop"
BACKLOG_SCENARIO = "received"


@dataclass
class Stats:
    dossiers: int
    rows: int
    seconds: float
    seeds: int
    url: str

    @property
    def rate(self) -> float:
        return self.rows / max(self.seconds, 1e-9)


async def _seed(settings: Settings, now: datetime, say: Callable[[str], None] | None) -> tuple[list[Made], Calendar]:
    """The seeds through the engine, their events delivered (the reports subscriber folds them)."""
    await migrate(settings)
    await open_database(settings)
    try:
        rt, made = await make_seeds(settings, seed_start(now), say)
        while (await outbox.dispatch(rt, now, limit=500)).seen:
            pass
        return made, gc.cached(rt.calendars.value)
    finally:
        await close_database()


async def _seeds(target: Target, made: list[Made], only: str | None = None) -> list[gc.Seed]:
    picked = [m for m in made if only is None or m.scenario.name == only]
    total = sum(m.scenario.weight * gc.PROCEDURE_SHARE[m.procedure] for m in picked)
    seeds = []
    for m in picked:
        code = (await target.fetch("SELECT code FROM dossier WHERE id = $1", m.dossier_id))[0]["code"]
        tasks = await target.fetch(
            "SELECT id FROM human_task WHERE dossier_id = $1 ORDER BY created_at, id", m.dossier_id
        )
        last = await target.fetch("SELECT MAX(at) AS at FROM audit_event WHERE dossier_id = $1", m.dossier_id)
        end = sql.instant(last[0]["at"]) or m.submitted_at
        seeds.append(
            gc.Seed(
                m.dossier_id,
                m.procedure,
                m.scenario.name,
                m.scenario.weight * gc.PROCEDURE_SHARE[m.procedure] / total,
                m.scenario.open,
                m.submitted_at,
                end - m.submitted_at,
                [t["id"] for t in tasks],
                code,
            )
        )
    return seeds


async def _clone(
    target: Target,
    url: str,
    seeds: list[gc.Seed],
    n: int,
    now: datetime,
    calendar: Calendar,
    *,
    seed: int,
    batch: int,
    say: Callable[[str], None] | None,
) -> int:
    """Add `n` clones of `seeds`; the rows written."""
    if n <= 0:
        return 0
    templates = await gc.templates(target, seeds)
    first_id = int((await target.fetch("SELECT COALESCE(MAX(id), 0) AS m FROM dossier"))[0]["m"]) + 1
    citizen = await target.fetch("SELECT id FROM user_account WHERE username = 'bench_citizen'")
    citizen_id = citizen[0]["id"] if citizen else None
    if isinstance(target, Postgres):
        return await clone_sql(
            target, templates, seeds, n, now, first_id, citizen_id, calendar, url=url, rng_seed=1 / (seed + 1), say=say
        )
    assert isinstance(target, Sqlite)
    counters = {r["key"]: int(r["value"]) for r in await target.fetch("SELECT key, value FROM dossier_counter")}
    plan = gs.draw_plan(seeds, n, now, first_id, counters, citizen_id, random.Random(seed))
    rows = await gs.clone_python(target, templates, plan, calendar, batch)
    target.conn.executemany(
        "INSERT INTO dossier_counter (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        list(counters.items()),
    )
    return rows


async def generate(
    url: str,
    dossiers_wanted: int,
    *,
    batch: int = 2000,
    seed: int = 1,
    progress: Callable[[str], None] | None = print,
    backlog: int = 0,
) -> Stats:
    """Migrate the database at `url`, make the seeds through the engine, then add the generated dossiers;
    `backlog`: then received ones until the role BACKLOG_ROLE has that many ready tasks (the inbox's load)."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-generate-"))
    settings = Settings(database_url=url, secret_key="bench", data_dir=folder)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    made, calendar = await _seed(settings, now, progress)
    if progress:
        progress(f"  {len(made)} seed dossiers through the engine in {time.perf_counter() - started:.1f} s")
    target: Target
    if is_sqlite(url):
        target = Sqlite(url.split("://", 1)[1].split("?", 1)[0])
    else:
        target = Postgres(await asyncpg.connect(url))
        await target.execute("SET synchronous_commit = off")  # a bulk load: a crash means starting over
        await target.execute("SET work_mem = '256MB'")  # the plan's sorts in memory
    try:
        started = time.perf_counter()
        seeds = await _seeds(target, made)
        rows = await _clone(target, url, seeds, dossiers_wanted, now, calendar, seed=seed, batch=batch, say=progress)
        if backlog:  # received dossiers until the one-stop role has `backlog` ready tasks (one each)
            found = await target.fetch(
                "SELECT COUNT(*) AS n FROM human_task WHERE state = 'ready' AND role = $1", BACKLOG_ROLE
            )
            rows += await _clone(
                target,
                url,
                await _seeds(target, made, BACKLOG_SCENARIO),
                backlog - int(found[0]["n"]),
                now,
                calendar,
                seed=seed + 1,
                batch=batch,
                say=progress,
            )
        if isinstance(target, Postgres):
            await target.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk insert
        spent = time.perf_counter() - started
    finally:
        await target.close()
    return Stats(dossiers_wanted, rows, spent, len(made), url)


async def run(database: str, dossiers_wanted: int, url: str | None, batch: int, backlog: int = 0) -> Stats:
    if url is None and database == "sqlite":
        url = f"sqlite://{Path(tempfile.mkdtemp(prefix='motcua-generate-')) / 'bench.sqlite3'}"
    elif url is None:
        name = f"motcua_generate_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(PG_DSN, timeout=5)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    print(f"generate: {dossiers_wanted:,} dossiers into {url}", flush=True)
    return await generate(url, dossiers_wanted, batch=batch, progress=lambda s: print(s, flush=True), backlog=backlog)


async def rejudge(url: str) -> int:
    """`--rejudge`: the calendar columns of a filled PostgreSQL database's facts judged again."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-generate-"))
    settings = Settings(database_url=url, secret_key="bench", data_dir=folder)
    await migrate(settings)
    await open_database(settings)
    try:
        calendar = gc.cached(build_runtime(settings).calendars.value)
    finally:
        await close_database()
    target = Postgres(await asyncpg.connect(url))
    try:
        await target.execute("SET synchronous_commit = off")
        return await generate_sql.rejudge(target, calendar, lambda s: print(s, flush=True))
    finally:
        await target.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--url", help="an existing database to fill (default: a fresh one)")
    ap.add_argument("--batch", type=int, default=2000, help="SQLite: dossiers per transaction")
    ap.add_argument(
        "--backlog",
        type=int,
        default=0,
        help=f"then add received dossiers until role {BACKLOG_ROLE} has this many ready tasks",
    )
    ap.add_argument("--rejudge", action="store_true",
                    help="PostgreSQL --url only: judge the facts' calendar columns again (after a migration "
                         "added verdict columns), instead of generating")
    args = ap.parse_args(argv)
    if args.rejudge:
        if not args.url:
            ap.error("--rejudge needs --url")
        started = time.perf_counter()
        rows = asyncio.run(rejudge(args.url))
        print(f"{rows:,} facts rows judged again in {time.perf_counter() - started:.1f} s", flush=True)
        return 0
    stats = asyncio.run(run(args.database, args.dossiers, args.url, args.batch, args.backlog))
    print(
        f"{stats.dossiers:,} dossiers, {stats.rows:,} rows in {stats.seconds:.1f} s: "
        f"{stats.rate:,.0f} rows/s, {stats.dossiers / max(stats.seconds, 1e-9):,.0f} dossiers/s "
        f"(+ {stats.seeds} seeds through the engine)\n{stats.url}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
