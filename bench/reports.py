"""Decision 766 reports on a filled PostgreSQL database. Prints figures; it is not a test.

    python -m bench.reports [--dossiers 100000 | --url URL] [--replay 2000] [--skip-rebuild]

1. Fills a fresh database with bench/generate.py (or uses --url, already filled), then rebuilds the
   reporting projections from the event log (`report_facts.rebuild`): dossiers/s and events/s.
2. Projection throughput: the audit events of --replay dossiers are queued again as outbox rows
   for the ``reports`` subscriber (their facts rows deleted first), and `outbox.dispatch` delivers
   them (claim, fold, upsert, finish: the worker's path): events applied per second.
3. Scorecard of the last full quarter, whole province (every indicator): median and max of 5 runs,
   then its figures; then every read of the /bao-cao page for that quarter (scorecard, 6-month trend,
   per agency, per procedure, the first 200 late dossiers, the control sheet): each part, and all.
4. Drill-down p95: for 40 (agency, month) pairs, the first page (50 rows) of the dossiers behind
   2.1's late list as /bao-cao/ho-so shows it (ids by `reports.members`, then the dossier rows);
   and the same with the filtered figures before it (a scorecard for the pair, then the page).
--url: the database is migrated first (a generated database from before a reporting migration).
Targets at 1 M dossiers (issue 12): scorecard < 500 ms, drill-down p95 < 50 ms, ≥ 200 events/s.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402

from bench import generate as gen  # noqa: E402
from engine import outbox, report_facts, reports, sql  # noqa: E402
from engine.db import close_database, migrate, open_database  # noqa: E402
from engine.runtime import Runtime  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.workdays import Calendar  # noqa: E402
from web.app import build_runtime  # noqa: E402
from web.staff import report_data  # noqa: E402
from web.staff import reports as staff_reports  # noqa: E402


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


async def replay(rt: Runtime, count: int) -> tuple[int, float]:
    """Queue the events of `count` dossiers again for the subscriber; deliver them; (events, seconds)."""
    picked = await sql.fetch(sql.db(), "SELECT id, code FROM dossier ORDER BY random() LIMIT ?", [count])
    ids = [r["id"] for r in picked]
    codes = {r["id"]: r["code"] for r in picked}
    marks = ", ".join("?" for _ in ids)
    trail = await sql.fetch(sql.db(), "SELECT dossier_id, action, at, actor, revision, details FROM audit_event "
                                      f"WHERE dossier_id IN ({marks}) ORDER BY dossier_id, id", ids)
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    counters: dict[int, tuple[int, int]] = {}
    for r in trail:
        i = r["dossier_id"]
        revision, n = counters.get(i, (0, -1))
        counters[i] = (r["revision"], n + 1 if revision == r["revision"] else 0)
        at = sql.instant(r["at"])
        assert at is not None
        payload = {**(sql.unjson(r["details"]) or {}), "kind": r["action"], "dossier_code": codes[i],
                   "revision": r["revision"], "at": at.isoformat(), "actor": r["actor"]}
        rows.append({"subscriber": report_facts.NAME, "dossier_id": i, "key": f"{codes[i]}:{counters[i][0]}:"
                     f"{counters[i][1]}", "kind": r["action"], "payload": sql.jsonb(payload), "at": at,
                     "state": "pending", "attempts": 0, "next_at": now, "claimed_at": None, "delivered_at": None,
                     "last_error": ""})

    async def queue(tx: sql.Tx) -> None:
        await tx.execute(f"DELETE FROM report_task WHERE dossier_id IN ({marks})", ids)
        await tx.execute(f"DELETE FROM report_dossier WHERE dossier_id IN ({marks})", ids)
        await tx.execute("DELETE FROM outbox WHERE subscriber = ?", [report_facts.NAME])
        for start in range(0, len(rows), 500):
            await tx.insert_many("outbox", rows[start:start + 500])

    await sql.transaction(queue)
    started, applied = time.perf_counter(), 0
    while (done := await outbox.dispatch(rt, datetime.now(UTC), limit=500)).seen:
        applied += done.delivered
        assert not done.failed and not done.dead, done
    return applied, time.perf_counter() - started


async def page_reads(quarter: reports.Period, calendar: Calendar) -> None:
    """Every read of /bao-cao for the quarter, whole province (web/staff/reports.py `report_of`): each
    part alone (median of 3 after a warm-up), then the whole page's reads (median and max of 3)."""
    scope = report_data.Scope(quarter, calendar, None)
    parts: dict[str, Callable[[report_data.Scope], Awaitable[object]]] = {
        "scorecard": report_data.figures, "scorecard + per agency + per procedure": report_data.overview,
        "trend (6 months)": report_data.trend, "per agency": report_data.by_agency,
        "per procedure": report_data.by_procedure, "late list (first 200)": report_data.late_list,
        "control sheet": report_data.control_sheet}
    spent = {}
    for name, read in parts.items():
        times = []
        for _ in range(4):
            started = time.perf_counter()
            await read(scope)
            times.append(time.perf_counter() - started)
        spent[name] = statistics.median(times[1:])
    whole = []
    for _ in range(3):
        started = time.perf_counter()
        await staff_reports.report_of(scope)
        whole.append(time.perf_counter() - started)
    print(f"/bao-cao {quarter.start:%d/%m/%Y}–{quarter.end:%d/%m/%Y}, every read: median "
          f"{ms(statistics.median(whole))}, max {ms(max(whole))} ("
          + ", ".join(f"{k} {ms(v)}" for k, v in spent.items()) + ")", flush=True)


async def measure(url: str, replay_count: int, rebuild: bool = True) -> None:
    settings = Settings(database_url=url, secret_key="bench", data_dir=Path(tempfile.mkdtemp(prefix="motcua-rep-")))
    await migrate(settings)
    await open_database(settings)
    try:
        rt = build_runtime(settings)
        await rt.start()
        calendar = rt.calendars.value
        events = (await sql.fetch_one(sql.db(), "SELECT COUNT(*) AS n FROM audit_event")) or {"n": 0}
        if rebuild:  # --skip-rebuild: the projections were rebuilt by an earlier run (the schema's current)
            started = time.perf_counter()
            count = await report_facts.rebuild(calendar)
            spent = time.perf_counter() - started
            print(f"rebuild: {count:,} dossiers, {events['n']:,} events in {spent:.1f} s: "
                  f"{events['n'] / spent:,.0f} events/s", flush=True)
        await sql.fetch(sql.db(), "ANALYZE report_dossier")
        await sql.fetch(sql.db(), "ANALYZE report_task")
        if replay_count:
            applied, spent = await replay(rt, replay_count)
            print(f"projection (outbox subscriber): {applied:,} events of {replay_count:,} dossiers in {spent:.1f} s: "
                  f"{applied / spent:,.0f} events/s", flush=True)
        today = datetime.now(UTC).date()
        quarter = reports.quarter_of(reports.quarter_of(today).start - timedelta(days=1))
        times, figures = [], {}
        for _ in range(6):
            started = time.perf_counter()
            figures = await reports.scorecard(quarter, calendar)
            times.append(time.perf_counter() - started)
        times = times[1:]  # the first run warms the caches
        print(f"scorecard {quarter.start:%d/%m/%Y}–{quarter.end:%d/%m/%Y} ({figures['2.1'].count:,} "
              f"dossiers in 2.1): median {ms(statistics.median(times))}, max {ms(max(times))}; "
              f"total {reports.total(figures)} / 100", flush=True)
        for key, f in figures.items():
            print(f"  {key}: {'no data (' + f.reason + ')' if f.value is None else f'{f.value} {f.unit}'}, "
                  f"points {f.points}/{f.max_points}, {f.hits:,} of {f.count:,} {f.subject}s"
                  + "".join(f", {k} {v:,}" for k, v in f.extra.items()), flush=True)
        await page_reads(quarter, calendar)
        agencies = [r["agency_code"] for r in await sql.fetch(sql.db(), "SELECT DISTINCT agency_code FROM dossier")]
        rng = random.Random(1)
        pairs = [(reports.month_of(date(today.year - rng.randrange(0, 3), rng.randrange(1, 13), 1)),
                  rng.choice(agencies)) for _ in range(40)]

        async def first_page(month: reports.Period, agency: str) -> None:
            found = await reports.members(month, calendar, "2.1", "late", agency=agency, limit=50)
            assert found is not None
            if found[0]:
                await sql.fetch(sql.db(), "SELECT id, code, lifecycle_status, channel FROM dossier WHERE id IN ("
                                + ", ".join("?" for _ in found[0]) + ") ORDER BY id", found[0])

        for label, with_figures in (("first page of 2.1's late list", False), ("figures + that page", True)):
            drill = []
            for month, agency in pairs:
                started = time.perf_counter()
                if with_figures:
                    await reports.scorecard(month, calendar, agency=agency)
                await first_page(month, agency)
                drill.append(time.perf_counter() - started)
            drill.sort()
            print(f"drill-down (one agency, one month, {label}): p50 {ms(drill[len(drill) // 2])}, "
                  f"p95 {ms(drill[int(len(drill) * 0.95) - 1])}", flush=True)
    finally:
        await close_database()


async def main_async(args: argparse.Namespace) -> None:
    url = args.url
    if url is None:
        stats = await gen.run("postgres", args.dossiers, None, 2000)
        url = stats.url
        print(f"generated {stats.dossiers:,} dossiers in {stats.seconds:.0f} s: {url}", flush=True)
    await measure(url, args.replay, not args.skip_rebuild)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--url", help="an already filled PostgreSQL database (bench/generate.py)")
    ap.add_argument("--replay", type=int, default=2000, help="dossiers whose events the subscriber applies again")
    ap.add_argument("--skip-rebuild", action="store_true", help="the projections are already rebuilt (--url)")
    asyncio.run(main_async(ap.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
