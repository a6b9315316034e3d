"""Outbox drain: a backlog of N pending deliveries drained to a local HTTP sink by real `motcua worker`
processes (the webhook subscriber). Prints figures; it is not a test.

    python bench/outbox.py [--events 100000] [--dossiers 20000] [--workers 2] [--database postgres|sqlite]

On a fresh database (PostgreSQL: a throwaway database on MOTCUA_BENCH_PG, default the local server,
dropped at the end; SQLite: a temporary file):
  1. N outbox rows for subscriber `webhook`, spread over D dossiers in submission order (row g
     belongs to dossier g mod D, so each dossier's events keep their order), all due now (one
     INSERT … SELECT on PostgreSQL);
  2. a sink process (uvicorn, a bare ASGI app) answers 204 to every POST and counts the requests
     and the distinct Idempotency-Keys;
  3. W `motcua worker` processes start with MOTCUA_WEBHOOK_URL pointing at the sink; a poll of the
     database every 0.5 s follows the `done` count until every row is done.
Prints events/s from the workers' start to the last delivery (start-up included) and from the first
delivery seen to the last, the sink's requests vs distinct keys (duplicates: at least once), and the
CPU per event of the workers and of the sink read from their kernel counters (/proc/PID/stat), the
figure that does not depend on how loaded the machine is.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

from bench.measure import Skipped, cpu_seconds, load, postgres_settings, sqlite_settings, start_workers, stop  # noqa: E402
from engine import sql  # noqa: E402
from engine.db import close_database, migrate, open_database  # noqa: E402
from engine.settings import Settings  # noqa: E402

TARGET = 500  # events/s (issue 13)


# ------------------------------------------------------------------ the sink (its own process)
class SinkApp:
    """Bare ASGI: POST → 204 (counts requests and distinct keys); GET → the counts as JSON."""

    def __init__(self) -> None:
        self.requests = 0
        self.keys: set[str] = set()

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        if scope["method"] == "POST":
            self.requests += 1
            self.keys.update(v.decode() for k, v in scope["headers"] if k == b"idempotency-key")
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"requests": self.requests, "keys": len(self.keys)}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def run_sink(port: int) -> None:
    import uvicorn

    uvicorn.run(SinkApp(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------ the run
async def fill(settings: Settings, events: int, dossiers: int) -> None:
    await migrate(settings)
    await open_database(settings)
    started = time.perf_counter()
    now = datetime.now(UTC)
    payload = json.dumps({"kind": "submitted", "dossier_code": "B", "revision": 1, "at": now.isoformat(),
                          "actor": "bench", "procedure_code": "1.001193", "channel": "online",
                          "submitter_kind": "citizen"})
    if sql.is_postgres(sql.db()):
        await sql.db().execute_query(
            "INSERT INTO outbox (subscriber, dossier_id, key, kind, payload, at, state, attempts, next_at, last_error) "
            "SELECT 'webhook', g % $1, 'B' || (g % $1) || ':' || g || ':0', 'submitted', $2::jsonb, $3, 'pending', 0, "
            "$3, '' FROM generate_series(1, $4) g", [dossiers, payload, now, events])
        await sql.db().execute_query("ANALYZE outbox")
    else:
        for offset in range(0, events, 2000):
            rows = [{"subscriber": "webhook", "dossier_id": g % dossiers, "key": f"B{g % dossiers}:{g}:0",
                     "kind": "submitted", "payload": payload, "at": now, "state": "pending", "attempts": 0,
                     "next_at": now, "last_error": ""} for g in range(offset + 1, min(events, offset + 2000) + 1)]

            async def body(tx: sql.Tx, rows: list[dict[str, Any]] = rows) -> None:
                await tx.insert_many("outbox", rows)

            await sql.transaction(body)
    print(f"  {events} pending deliveries over {dossiers} dossiers in {time.perf_counter() - started:.1f} s",
          flush=True)


async def done_count() -> int:
    found = await sql.fetch_one(sql.db(), "SELECT COUNT(*) AS n FROM outbox WHERE state = 'done'")
    return int(found["n"]) if found else 0


async def drain(settings: Settings, events: int, workers: int, give_up: float) -> dict[str, float]:
    port = free_port()
    sink = await asyncio.create_subprocess_exec(sys.executable, __file__, "--sink", str(port),
                                                cwd=ROOT)
    url = f"http://127.0.0.1:{port}/events"
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                await client.get(url)
                break
            except httpx.TransportError:
                await asyncio.sleep(0.1)
        started = time.monotonic()
        procs = await start_workers(settings, workers, MOTCUA_WEBHOOK_URL=url)
        first = last = None
        try:
            seen = 0
            while seen < events:
                await asyncio.sleep(0.5)
                count = await done_count()
                if count and first is None:
                    first = time.monotonic()
                if count > seen:
                    last, seen = time.monotonic(), count
                    if seen == events or int(last - started) % 30 == 0:
                        print(f"  {seen} / {events} done after {last - started:.1f} s", flush=True)
                if time.monotonic() - started > give_up:
                    print(f"\n  stopped after {give_up:.0f} s", flush=True)
                    break
        finally:
            worker_cpu = sum(cpu_seconds(p.pid) for p in procs)
            sink_cpu = cpu_seconds(sink.pid)
            await stop(procs)
            stats = (await client.get(url)).json()
            sink.terminate()
            await sink.wait()
    end = last or time.monotonic()
    return {"done": seen, "total_s": end - started, "rate": seen / max(end - started, 1e-3),
            "steady": seen / max(end - (first or started), 1e-3), "requests": stats["requests"], "keys": stats["keys"],
            "worker_ms": 1000 * worker_cpu / max(seen, 1), "sink_ms": 1000 * sink_cpu / max(seen, 1)}


async def one(events: int, dossiers: int, workers: int, database: str, give_up: float) -> dict[str, float] | str:
    if database == "sqlite":
        settings = sqlite_settings("motcua-outbox-")
        await fill(settings, events, dossiers)
        await close_database()
        await open_database(settings)
        try:
            return await drain(settings, events, workers, give_up)
        finally:
            await close_database()
    try:
        async with postgres_settings("motcua_outbox_") as settings:
            await fill(settings, events, dossiers)
            try:
                return await drain(settings, events, workers, give_up)
            finally:
                await close_database()
    except Skipped as exc:
        return str(exc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000, help="pending deliveries (100000)")
    ap.add_argument("--dossiers", type=int, help="dossiers they belong to (default events / 5)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes (2)")
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--timeout", type=float, default=900, help="give up after this many seconds of draining")
    ap.add_argument("--sink", type=int, help=argparse.SUPPRESS)  # internal: run the sink on this port
    args = ap.parse_args(argv)
    if args.sink:
        run_sink(args.sink)
        return 0
    dossiers = args.dossiers or max(1, args.events // 5)
    print(f"outbox: {args.events} events, {dossiers} dossiers, {args.workers} workers, {args.database}", flush=True)
    r = asyncio.run(one(args.events, dossiers, args.workers, args.database, args.timeout))
    if isinstance(r, str):
        print(f"  {r}")
        return 0
    print(f"  {r['done']:.0f} delivered in {r['total_s']:.1f} s: {r['rate']:.0f} events/s from the workers' start, "
          f"{r['steady']:.0f} events/s from the first delivery (target >= {TARGET}/s)\n"
          f"  sink: {r['requests']:.0f} requests, {r['keys']:.0f} distinct keys "
          f"({r['requests'] - r['keys']:.0f} repeated)\n"
          f"  CPU per event: workers {r['worker_ms']:.2f} ms (start-up included), sink {r['sink_ms']:.2f} ms; "
          f"{load()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
