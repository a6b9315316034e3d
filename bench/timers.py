"""Timers at scale: N pending timers, M of them due at the same instant, fired by real `motcua worker`
processes. Prints figures; it is not a test.

    python bench/timers.py [--pending 100000] [--due 1000] [--workers 1,2] [--database postgres|sqlite]
    python bench/timers.py --workers 0 [--profile]     # in this process: the cost of one fire

For each worker count, on a fresh database (PostgreSQL: a throwaway database on MOTCUA_BENCH_PG,
default the local server, dropped at the end; SQLite: a temporary file):
  1. M dossiers of a one-step procedure whose boundary timer's date comes from the submitted data,
     all set to the same instant T0 (a few seconds after they are created), through the engine;
  2. N − M filler timer rows due in the coming months (bulk INSERT … SELECT);
  3. the cost of the worker's two reads: the next due instant (MIN) and a batch of due rows;
  4. the workers start before T0; the lag of each fire is when a 50 ms poll of the database first
     sees its `timer_fired` event, − T0 (an upper bound within 50 ms: the events carry the clock of
     their worker's batch, not the instant of each fire).
Prints lag first / p50 / p95 / p99 / max, fires per second from the first fire to the last, the
workers' CPU per fire from T0 on (their kernel counters: the figure a loaded machine does not skew),
and the read costs.

`--workers 0` fires the M due dossiers in this process the way a worker's sweep does and prints, per
fire, the CPU of this process and of the database's server processes and the socket writes (one per
round trip); `--profile` adds a cProfile breakdown (CPU clock; the profiler inflates call-heavy code
such as SpiffWorkflow's several times: read it for where, not how much).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from asyncio import selector_events  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

from bench.measure import Skipped, cpu_seconds, load, pct, postgres_settings, sqlite_settings, start_workers, stop  # noqa: E402
from engine import accounts, dossiers, procedures, scheduler, sql, timers  # noqa: E402
from engine.db import close_database, migrate, open_database  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.workflow.extensions import MOTCUA_NS  # noqa: E402
from web.app import build_runtime  # noqa: E402

CODE = "BENCH.T"
MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="{MOTCUA_NS}"
    id="defs" targetNamespace="http://motcua.vn/bench">
  <bpmn:process id="timed" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="lane" name="Một cửa">
      <bpmn:extensionElements><motcua:role code="one_stop"/></bpmn:extensionElements>
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>timer</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>late</bpmn:flowNodeRef><bpmn:flowNodeRef>end_late</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Kiểm tra"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="timer" attachedToRef="check" cancelActivity="true"><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td"><bpmn:timeDate>due_at</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="late" name="Quá hạn"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end_late"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="timer" targetRef="late"/>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="end_late"/>
  </bpmn:process>
</bpmn:definitions>
"""


class TooSlow(Exception):
    """T0 came before the set-up ended (a loaded machine): the run would measure nothing."""


async def prepare(settings: Settings, pending: int, due: int, lead: float | None = None) -> datetime:
    """The M dossiers due at T0 and the filler rows; returns T0."""
    await migrate(settings)
    await open_database(settings)
    rt = build_runtime(settings)
    await rt.start()
    await accounts.ensure_roles()
    await procedures.create_or_update(CODE, name="Bench timers")
    await procedures.publish(CODE, MODEL.encode())
    lead = 10 + due * 0.035 if lead is None else lead  # after the submits, fillers and worker start
    t0 = datetime.now(UTC) + timedelta(seconds=lead)
    started = time.perf_counter()
    for _ in range(due):
        await dossiers.submit(rt, CODE, {"due_at": t0.isoformat()}, now=datetime.now(UTC))
    print(f"  {due} dossiers submitted in {time.perf_counter() - started:.1f} s", flush=True)
    armed = await sql.fetch_one(sql.db(), "SELECT COUNT(*) AS n FROM timer WHERE kind = 'bpmn' AND state = 'pending'")
    if datetime.now(UTC) > t0 - timedelta(seconds=3) or not armed or int(armed["n"]) != due:
        await close_database()
        raise TooSlow(f"T0 came before the set-up ended ({armed['n'] if armed else 0} of {due} timers armed "
                      f"in time): the machine is too loaded for --lead {lead:.0f} s; give a longer --lead")
    started = time.perf_counter()
    filler = max(0, pending - due)
    later = datetime.now(UTC) + timedelta(days=30)
    if sql.is_postgres(sql.db()):
        await sql.db().execute_query(
            "INSERT INTO timer (dossier_id, task_id, element_id, kind, due_at, state, payload) "
            "SELECT (SELECT MIN(id) FROM dossier) + (g % $1), '', '', 'sla_overdue', "
            "$2::timestamptz + g * interval '1 minute', 'pending', '{}' FROM generate_series(1, $3) g",
            [due, later, filler])
        await sql.db().execute_query("ANALYZE timer")
    else:
        first = (await sql.fetch_one(sql.db(), "SELECT MIN(id) AS id FROM dossier"))["id"]  # type: ignore[index]
        for offset in range(0, filler, 5000):
            rows = [{"dossier_id": first + (i % due), "task_id": "", "element_id": "", "kind": "sla_overdue",
                     "due_at": later + timedelta(minutes=i), "state": "pending", "payload": "{}"}
                    for i in range(offset, min(filler, offset + 5000))]

            async def body(tx: sql.Tx, rows: list[dict[str, object]] = rows) -> None:
                await tx.insert_many("timer", rows)

            await sql.transaction(body)
    print(f"  {filler} filler timers in {time.perf_counter() - started:.1f} s", flush=True)
    reads = []
    for _ in range(50):
        t = time.perf_counter()
        await timers.next_due()
        reads.append(time.perf_counter() - t)
    batch = []
    for _ in range(20):
        t = time.perf_counter()
        await sql.fetch(sql.db(), "SELECT id FROM timer WHERE state = 'pending' AND due_at < ? ORDER BY due_at, id "
                                  "LIMIT 20", [datetime.now(UTC)])
        batch.append(time.perf_counter() - t)
    print(f"  next due (MIN) {statistics.median(reads) * 1000:.2f} ms, a batch of due rows "
          f"{statistics.median(batch) * 1000:.2f} ms (medians)", flush=True)
    await close_database()
    return t0


async def fire(settings: Settings, workers: int, due: int, t0: datetime) -> dict[str, float]:
    procs = await start_workers(settings, workers)
    ahead = (t0 - datetime.now(UTC)).total_seconds()
    print(f"  {workers} worker process(es) started {ahead:.1f} s before T0", flush=True)
    await open_database(settings)
    lags: list[float] = []  # each fire's lag, seen by a 50 ms poll (the events carry their batch's clock)
    cpu_at_t0: float | None = None  # the workers' CPU once started and idle: firing only is counted after it
    try:
        deadline = time.monotonic() + max(120.0, (t0 - datetime.now(UTC)).total_seconds() + 120)
        seen = 0
        while seen < due:
            if cpu_at_t0 is None and datetime.now(UTC) >= t0 - timedelta(seconds=0.2):
                cpu_at_t0 = sum(cpu_seconds(p.pid) for p in procs)
            found = await sql.fetch_one(sql.db(), "SELECT COUNT(*) AS n FROM audit_event WHERE action = 'timer_fired'")
            count = int(found["n"]) if found else 0
            if count > seen:
                lags += [(datetime.now(UTC) - t0).total_seconds()] * (count - seen)
                seen = count
            if time.monotonic() > deadline:
                raise SystemExit(f"only {seen} of {due} fired in time")
            await asyncio.sleep(0.05)
        cpu = sum(cpu_seconds(p.pid) for p in procs) - (cpu_at_t0 or 0.0)
        for _ in range(600):  # the fires' outbox deliveries (by the same workers), 60 s at most
            if not await sql.fetch_one(sql.db(), "SELECT id FROM outbox WHERE state IN ('pending', 'delivering') "
                                                 "LIMIT 1"):
                break
            await asyncio.sleep(0.1)
        drained = (datetime.now(UTC) - t0).total_seconds()
        cpu_all = sum(cpu_seconds(p.pid) for p in procs) - (cpu_at_t0 or 0.0)
    finally:
        await close_database()
        await stop(procs)
    span = max(lags) - min(lags)  # first fire seen → last: the rate of firing, whatever the lag of the first
    return {"p50": pct(lags, 50), "p95": pct(lags, 95), "p99": pct(lags, 99), "max": max(lags), "first": min(lags),
            "rate": len(lags) / max(span, 0.05), "cpu_ms": 1000 * cpu / due, "cpu_all_ms": 1000 * cpu_all / due,
            "drained": drained}


class Writes:
    """Counts socket writes of this process (one per round trip to PostgreSQL: asyncpg writes a
    statement's messages at once) by wrapping asyncio's transport write for the measurement."""

    def __init__(self) -> None:
        self.count = 0
        self._original = selector_events._SelectorSocketTransport.write

    def __enter__(self) -> Writes:
        original = self._original

        def counting(transport: Any, data: Any) -> None:
            self.count += 1
            original(transport, data)

        selector_events._SelectorSocketTransport.write = counting  # type: ignore[method-assign]
        return self

    def __exit__(self, *_exc: object) -> None:
        selector_events._SelectorSocketTransport.write = self._original  # type: ignore[method-assign]


async def backends_cpu() -> dict[int, float]:
    """CPU so far of each PostgreSQL process serving this database."""
    if not sql.is_postgres(sql.db()):
        return {}
    found = await sql.fetch(sql.db(), "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    return {int(r["pid"]): cpu_seconds(int(r["pid"])) for r in found}


async def in_process(settings: Settings, due: int, t0: datetime, profile: bool) -> dict[str, float]:
    """One runtime in this process fires the M due dossiers the way a worker's sweep does (batches of
    scheduler.BATCH): CPU per fire of this process and of the database's backends, socket writes per
    fire, and with `profile` where this process's time goes (cProfile: its own cost inflates CPU)."""
    await open_database(settings)
    rt = build_runtime(settings)
    await rt.start()
    await asyncio.sleep(max(0.0, (t0 - datetime.now(UTC)).total_seconds() + 0.01))
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not wall (a loaded machine)
    before_db, fired = await backends_cpu(), 0
    wall, cpu = time.perf_counter(), time.process_time()
    with Writes() as writes:
        if profiler:
            profiler.enable()
        while True:
            batch = await timers.fire_batch(rt, datetime.now(UTC), scheduler.BATCH)
            fired += batch.fired
            if batch.seen < scheduler.BATCH:
                break
        if profiler:
            profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after_db = await backends_cpu()
    db_cpu = sum(v - before_db.get(pid, 0.0) for pid, v in after_db.items())
    await close_database()
    if profiler:
        breakdown(profiler, fired)
    return {"fired": fired, "rate": fired / wall, "cpu_ms": 1000 * cpu / max(fired, 1),
            "db_ms": 1000 * db_cpu / max(fired, 1), "writes": writes.count / max(fired, 1)}


PARTS = {  # cumulative time of these functions, per fire (they nest: restore and refresh are in fire_timers)
    "SpiffWorkflow restore (load_state)": ("serializer.py", "load_state"),
    "SpiffWorkflow refresh + engine steps": ("runner.py", "_advance"),
    "SpiffWorkflow serialise (dump_state)": ("serializer.py", "dump_state"),
    "runner.fire_timers (all of the above)": ("runner.py", "fire_timers"),
    "store.load (read the dossier)": ("store.py", "load"),
    "store.commit (the transaction)": ("store.py", "commit"),
    "calendar freshness check": ("runtime.py", "fresh_calendar"),
    "claims (batch read, claim, finish)": ("claims.py", "claim_rows"),
    "asyncpg driver (execute)": ("connection.py", "_execute"),
    "tortoise execute_query*": ("client.py", "execute_query"),
}


def breakdown(profiler: cProfile.Profile, fired: int) -> None:
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _callers) in raw.values())
    print(f"  cProfile: {1000 * total / max(fired, 1):.2f} ms of profiled time per fire; cumulative per fire:")
    for label, (filename, name) in PARTS.items():
        cum = sum(v[3] for (f, _line, n), v in raw.items() if f.endswith(filename) and n == name)
        calls = sum(v[1] for (f, _line, n), v in raw.items() if f.endswith(filename) and n == name)
        print(f"    {label:<42} {1000 * cum / max(fired, 1):6.2f} ms  ({calls / max(fired, 1):.1f} calls)")
    print("  top 12 by own time:")
    for (f, line, n), v in sorted(raw.items(), key=lambda kv: -kv[1][2])[:12]:
        print(f"    {1000 * v[2] / max(fired, 1):6.3f} ms  {v[1] / max(fired, 1):6.1f}×  {Path(f).name}:{line} {n}")


async def one(workers: int, pending: int, due: int, database: str, lead: float | None = None,
              profile: bool = False) -> dict[str, float] | str:
    """`workers` 0: in this process (in_process), else real worker processes (fire)."""

    async def run(settings: Settings) -> dict[str, float]:
        t0 = await prepare(settings, pending, due, lead)
        return await (in_process(settings, due, t0, profile) if workers == 0 else fire(settings, workers, due, t0))

    if database == "sqlite":
        return await run(sqlite_settings("motcua-timers-"))
    try:
        async with postgres_settings("motcua_timers_") as settings:
            return await run(settings)
    except Skipped as exc:
        return str(exc)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pending", type=int, default=100_000, help="pending timers in all (100000)")
    ap.add_argument("--due", type=int, default=1_000, help="of which due at the same instant (1000)")
    ap.add_argument("--workers", default="1,2", help="worker process counts to run, one fresh database each; "
                                                     "0 = in this process (CPU and round trips per fire)")
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--lead", type=float, help="seconds from the first submit to T0 (default 10 + 0.035 × due)")
    ap.add_argument("--profile", action="store_true", help="with --workers 0: cProfile breakdown per fire")
    args = ap.parse_args(argv)
    print(f"timers: {args.pending} pending, {args.due} due at once, {args.database}; {load()}\n", flush=True)
    for workers in (int(w) for w in args.workers.split(",")):
        print(f"{workers or 'in-process'} worker{'s' * (workers > 1)}:", flush=True)
        try:
            r: dict[str, float] | str = asyncio.run(one(workers, args.pending, args.due, args.database, args.lead,
                                                        args.profile))
        except TooSlow as exc:
            r = f"not measured: {exc}"
        if isinstance(r, str):
            print(f"  {r}")
        elif workers == 0:
            server = (f", {r['db_ms']:.2f} ms in PostgreSQL, {r['writes']:.1f} socket writes (round trips)"
                      if args.database == "postgres" else "")
            print(f"  {r['fired']:.0f} fired, {r['rate']:.0f} fires/s; per fire: CPU {r['cpu_ms']:.2f} ms in this "
                  f"process{server}{' (cProfile on: CPU inflated)' if args.profile else ''}; {load()}\n", flush=True)
        else:
            print(f"  lag first {r['first']:.2f} s, p50 {r['p50']:.2f} s, p95 {r['p95']:.2f} s, p99 {r['p99']:.2f} s, "
                  f"max {r['max']:.2f} s; {r['rate']:.0f} fires/s (first to last); worker CPU per fire "
                  f"{r['cpu_ms']:.2f} ms until the last fire, {r['cpu_all_ms']:.2f} ms with its outbox deliveries "
                  f"(all delivered {r['drained']:.1f} s after T0); {load()}\n"
                  f"  (targets with 2 workers: p50 < 0.5 s, p99 < 2 s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
