"""Engine benchmark on the shared `dossier5` workload (../shared/bench/): prints figures, it is not a test.

    python bench/engine.py [--dossiers N] [--repeat R] [--variants a,b,c,d,e,f] [--http-dossiers M]
                           [--http-databases sqlite,postgres] [--web-processes N]
    python bench/engine.py --variants c,d --breakdown   # + per engine command: SQL statements (SQLite),
                                                        #   network round trips (PostgreSQL), costs

One dossier = start + 4 user-task completions: reception sets `categorie`, alternating "simple"
(→ examen_simple) and "complexe" (default flow → examen_approfondi), then decision and remise.
  a  SpiffWorkflow in memory, spec parsed once
  b  the floor: a + state-only JSON (engine.workflow.serializer) + one raw sqlite3 commit per step
  c  Motcua's engine commands (dossiers.submit / complete_task) on a fresh SQLite file
  d  the same on a fresh PostgreSQL database, dropped at the end (MOTCUA_BENCH_PG, default local)
  e  Motcua's HTTP API: N uvicorn subprocesses on 127.0.0.1 (--web-processes, clients spread over
     them), SQLite and PostgreSQL, httpx; 1 then 4 concurrent clients. Beside dossiers/s it prints
     the servers' CPU time per dossier, read from their own kernel counters (/proc/PID/stat), so
     the figure does not include the test client's cost
     (MOTCUA_BENCH_PROFILE=<folder>: each server writes its cProfile stats there when it stops)
  f  outbox delivery: the events of c's dossiers delivered to a no-op subscriber (events/s)
c and d write every command's events to the trail and, for one no-op subscriber, to the outbox,
in the command's transaction, as production does with one integration configured.
Figures are medians of R repetitions; per-task latency is one user-task completion (e: the
POST /tasks/{id}/complete round trip). Run from the repository root with the project's venv.
"""

from __future__ import annotations

# The imports of `engine` must come after the sys.path fix below.
# ruff: noqa: E402
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # `python bench/engine.py` puts bench/ first on sys.path, where this file
    # would shadow the `engine` package: put the repository root there instead.
    sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import argparse
import asyncio
import contextlib
import cProfile
import logging
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from lxml import etree
from SpiffWorkflow import TaskState
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine import accounts, dossiers, outbox, procedures, sql
from engine.db import close_database, connection, migrate, open_database
from engine.outbox import Delivery
from engine.runtime import Runtime
from engine.settings import Settings
from engine.workflow import runner
from engine.workflow.extensions import BPMN_NS, MOTCUA_NS, NSMAP
from engine.workflow.serializer import SPEC_CACHE, MotcuaWorkflow, dump_state, load_state
from web.app import build_runtime

WORKLOAD = ROOT.parent / "shared" / "bench" / "dossier5.bpmn"
PROCESS_ID, CODE, PASSWORD = "dossier5", "BENCH.5", "bench-password-2026"
PG_DSN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
LANE_ROLES = {"lane_guichet": "guichet", "lane_instructeur": "instructeur", "lane_chef": "chef"}
ROLES = {"guichet": ("Guichet", "Front desk"), "instructeur": ("Instructeur", "Case officer"),
         "chef": ("Chef de service", "Head of department")}
PEERS = [("SpiffWorkflow 3.2.0 in memory", "1,499", "–", "0.13"),
         ("floor: + state JSON + SQLite commit/step", "418", "333", "0.47"),
         ("SpiffArena REST, PostgreSQL 15", "2.9", "4.5", "65")]
Run = tuple[float, list[float]]  # seconds for all dossiers, seconds per user-task completion


@dataclass
class Figures:
    rate: float  # dossiers/s
    p50: float  # ms per task
    p95: float


def figures(n: int, runs: list[Run]) -> Figures:
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    return Figures(statistics.median(n / seconds for seconds, _ in runs),
                   statistics.median(pct(lat, 50) for _, lat in runs),
                   statistics.median(pct(lat, 95) for _, lat in runs))


def task_data(element_id: str, i: int) -> dict[str, Any]:
    """A few fields per task; reception decides the path: even dossiers "simple", odd "complexe"."""
    return {
        "reception": {"categorie": "simple" if i % 2 == 0 else "complexe", "pieces": 3, "recu": True},
        "examen_simple": {"avis": "favorable", "observations": f"dossier {i} complet"},
        "examen_approfondi": {"avis": "favorable", "observations": f"dossier {i} vérifié", "visite": True},
        "decision": {"decision": "accordé", "signataire": "Chef"},
        "remise": {"remis": True, "mode": "guichet"},
    }[element_id]


def motcua_xml() -> bytes:
    """A copy of the workload with <motcua:role> first in each lane; the flow is untouched."""
    root = etree.fromstring(WORKLOAD.read_bytes(), etree.XMLParser(remove_comments=True))
    for lane in root.iterfind(".//bpmn:lane", NSMAP):
        ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        etree.SubElement(ext, f"{{{MOTCUA_NS}}}role", {"code": LANE_ROLES[lane.get("id", "")]},
                         nsmap={"motcua": MOTCUA_NS})
        lane.insert(0, ext)
    for task in root.iterfind(".//bpmn:userTask", NSMAP):  # each step's form: the fields its data carries
        ext = task.find(f"{{{BPMN_NS}}}extensionElements")
        if ext is None:
            ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
            task.insert(0, ext)
        etree.SubElement(ext, f"{{{MOTCUA_NS}}}form", {"ref": task.get("id", "")}, nsmap={"motcua": MOTCUA_NS})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def task_forms() -> dict[str, Any]:
    """form-js schemas for the workload's steps (the engine checks every completion against them)."""
    def component(key: str, value: Any) -> dict[str, Any]:
        kind = "checkbox" if isinstance(value, bool) else "number" if isinstance(value, int) else "textfield"
        return {"id": f"Field_{key}", "key": key, "type": kind, "label": key}

    return {step: {"type": "default", "id": step, "schemaVersion": 19,
                   "components": [component(k, v) for k, v in task_data(step, 0).items()]}
            for step in ("reception", "examen_simple", "examen_approfondi", "decision", "remise")}


def parse_spec(xml: bytes) -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml, etree.XMLParser(remove_comments=True)), filename="d5.bpmn")
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


# --- (a) SpiffWorkflow alone, (b) the floor --------------------------------------------------------

def run_memory(n: int, spec: Any, subs: dict[str, Any]) -> Run:
    lat: list[float] = []
    t0 = time.perf_counter()
    for i in range(n):
        wf = BpmnWorkflow(spec, subs)
        wf.do_engine_steps()
        while ready := wf.get_tasks(state=TaskState.READY, manual=True):
            for task in ready:
                t1 = time.perf_counter()
                task.data.update(task_data(task.task_spec.bpmn_id, i))
                task.run()
                wf.do_engine_steps()
                lat.append(time.perf_counter() - t1)
        assert wf.is_completed()
    return time.perf_counter() - t0, lat


def run_floor(n: int, spec: Any, subs: dict[str, Any], path: Path) -> Run:
    """Per step: SELECT the row, deserialize, complete, serialize, UPDATE, commit (WAL, NORMAL)."""
    def ready_id(wf: Any) -> str | None:
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        return str(ready[0].id) if ready else None

    db = sqlite3.connect(path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE IF NOT EXISTS dossier"
                     " (id INTEGER PRIMARY KEY, state TEXT NOT NULL, revision INTEGER NOT NULL, ready TEXT)")
    lat: list[float] = []
    t0 = time.perf_counter()
    for i in range(n):
        wf = MotcuaWorkflow(spec, subs)
        wf.do_engine_steps()
        db.execute("BEGIN")
        row = db.execute("INSERT INTO dossier (state, revision, ready) VALUES (?, 1, ?)",
                         (dump_state(wf), ready_id(wf))).lastrowid
        db.execute("COMMIT")
        while True:
            t1 = time.perf_counter()
            state, revision, task_id = db.execute("SELECT state, revision, ready FROM dossier WHERE id = ?",
                                                  (row,)).fetchone()
            if task_id is None:
                break
            wf = load_state(state, spec, subs)
            task = wf.get_task_from_id(uuid.UUID(task_id))
            task.data.update(task_data(task.task_spec.bpmn_id, i))
            task.run()
            wf.do_engine_steps()
            db.execute("BEGIN")
            db.execute("UPDATE dossier SET state = ?, revision = ?, ready = ? WHERE id = ? AND revision = ?",
                       (dump_state(wf), revision + 1, ready_id(wf), row, revision))
            db.execute("COMMIT")
            lat.append(time.perf_counter() - t1)
        assert wf.is_completed()
    db.close()
    return time.perf_counter() - t0, lat


# --- (c) and (d): Motcua's engine commands ---------------------------------------------------------

class NoOp:
    """A subscriber that accepts every event (what is measured is the engine's side)."""

    name = "noop"
    kinds: frozenset[str] | None = None

    async def deliver(self, delivery: Delivery) -> None:
        return None


RUNTIME: list[Runtime] = []


def rt() -> Runtime:
    return RUNTIME[-1]


async def setup_motcua(settings: Any, xml: bytes) -> dict[str, Any]:
    """Migrate and open the database; the runtime (with the no-op subscriber), roles, the published
    procedure, one staff user per role."""
    SPEC_CACHE.clear()  # each database starts cold, as in a fresh process
    await migrate(settings)
    await open_database(settings)
    runtime = build_runtime(settings)
    runtime.subscribe(NoOp())
    await runtime.start()
    RUNTIME.append(runtime)
    await accounts.ensure_roles(ROLES)
    await procedures.create_or_update(CODE, name="Dossier 5 étapes (benchmark)")
    await procedures.publish(CODE, xml, task_forms(), published_by="bench")
    return {role: await accounts.create_user(f"bench_{role}", PASSWORD, "staff", roles=[role])
            for role in ROLES}


async def drive_engine(users: dict[str, Any], i: int, lat: list[float], *, claim_first: bool = False) -> None:
    dossier = await dossiers.submit(rt(), CODE, {"demandeur": f"Nguyễn Văn {i}", "telephone": "0900000000"},
                                    now=datetime.now(UTC), user=users["guichet"], channel="counter",
                                    submitter_kind="officer_assisted")
    done = 0
    while tasks := await sql.fetch(sql.db(), "SELECT id, element_id, role FROM human_task WHERE dossier_id = ? "
                                             "AND state = 'ready'", [dossier.id]):  # the inbox's view of it
        for task in tasks:
            if claim_first:  # the breakdown also measures a claim (the inbox's "take this task")
                await dossiers.claim(rt(), task["id"], users[task["role"]], datetime.now(UTC))
            t1 = time.perf_counter()
            dossier = await dossiers.complete_task(rt(), task["id"], task_data(task["element_id"], i),
                                                   users[task["role"]], datetime.now(UTC))
            lat.append(time.perf_counter() - t1)
            done += 1
    assert dossier.status == "completed" and done == 4, (dossier.status, done)


async def run_engine(n: int, repeat: int, settings: Any, xml: bytes,
                     deliveries: list[float] | None = None) -> Figures:
    """c/d; with `deliveries`, then also f: drain the outbox those dossiers filled (events/s appended)."""
    users = await setup_motcua(settings, xml)
    runs: list[Run] = []
    try:
        for _ in range(repeat):
            lat: list[float] = []
            t0 = time.perf_counter()
            for i in range(n):
                await drive_engine(users, i, lat)
            runs.append((time.perf_counter() - t0, lat))
        if deliveries is not None:
            deliveries.append(await drain_outbox())
    finally:
        await close_database()
    return figures(n, runs)


async def drain_outbox() -> float:
    """Deliver every pending outbox row to the no-op subscriber, as `motcua worker` does; events/s."""
    pending = await sql.fetch_one(sql.db(), "SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'")
    total = int(pending["n"]) if pending else 0
    t0 = time.perf_counter()
    while (await outbox.dispatch(rt(), datetime.now(UTC), limit=500)).seen:
        pass
    return total / (time.perf_counter() - t0)


@contextlib.asynccontextmanager
async def pg_database() -> AsyncIterator[str | None]:
    """A fresh PostgreSQL database (its URL), dropped at the end; None when the server is not there."""
    name = f"motcua_bench_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(PG_DSN, timeout=5)
        await admin.execute(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"    PostgreSQL skipped: {type(exc).__name__}: {exc}")
        yield None
        return
    try:
        yield PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run_postgres(n: int, repeat: int, xml: bytes) -> Figures | str:
    async with pg_database() as url:
        if url is None:
            return "skipped: PostgreSQL is not reachable"
        return await run_engine(n, repeat, Settings(database_url=url, secret_key="bench"), xml)


class CountingProtocol:
    """asyncpg's protocol behind a counter: each awaited exchange with the server (prepare, bind +
    execute, simple query…) is one network round trip."""

    EXCHANGES = frozenset({"prepare", "bind_execute", "bind_execute_many", "query", "bind", "execute",
                           "close_statement", "copy_in", "copy_out"})

    def __init__(self, protocol: Any, count: Callable[[str], None]) -> None:
        self._protocol, self._count = protocol, count

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._protocol, name)
        if name not in self.EXCHANGES:
            return found

        def exchange(*args: Any, **kwargs: Any) -> Any:
            self._count(name)
            return found(*args, **kwargs)
        return exchange


async def breakdown(settings: Any, xml: bytes, n: int = 50) -> None:
    """Per command: on SQLite the SQL statements (sqlite3 trace, so BEGIN, COMMIT and
    last_insert_rowid count), on PostgreSQL the network round trips (asyncpg's protocol calls, so
    BEGIN, COMMIT and the pool's reset on release count); wall time, and the part of it spent in
    engine.workflow.runner (SpiffWorkflow + serializer)."""
    postgres = not settings.database_url.startswith("sqlite")
    now = {"sql": 0.0, "runner": 0.0}

    def count(_statement: str) -> None:
        now["sql"] += 1

    init = asyncpg.connection.Connection.__init__
    if postgres:  # every pool connection opened from here on counts its exchanges
        def counting_init(self: Any, protocol: Any, *args: Any, **kwargs: Any) -> None:
            init(self, CountingProtocol(protocol, count), *args, **kwargs)
        asyncpg.connection.Connection.__init__ = counting_init  # type: ignore[method-assign]
    try:
        users = await setup_motcua(settings, xml)
    finally:
        asyncpg.connection.Connection.__init__ = init  # type: ignore[method-assign]
    totals = {name: dict.fromkeys(("calls", "sql", "runner", "wall"), 0.0)
              for name in ("submit", "complete_task", "claim")}

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                now["runner"] += time.perf_counter() - t0
        return run

    def measured(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def command(*args: Any, **kwargs: Any) -> Any:
            before, t0 = dict(now), time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                row = totals[name]
                row["calls"], row["wall"] = row["calls"] + 1, row["wall"] + time.perf_counter() - t0
                row.update({key: row[key] + now[key] - before[key] for key in now})
        return command

    patched = [(dossiers, "submit"), (dossiers, "complete_task"), (dossiers, "claim"), (runner, "start"),
               (runner, "complete_task")]
    originals = [getattr(module, name) for module, name in patched]
    for (module, name), original in zip(patched, originals, strict=True):
        setattr(module, name, measured(name, original) if module is dossiers else timed(original))
    if not postgres:
        raw = connection(settings.database_url)._connection  # the aiosqlite.Connection behind Tortoise
        await raw._execute(raw._conn.set_trace_callback, count)  # runs in aiosqlite's thread (reads)
        writer = sql._writer(str(settings.database_url).removeprefix("sqlite://"))  # the commits' connections:
        writer.reader().set_trace_callback(count)  # on the loop's thread, and the thread's when the lock is busy
        await asyncio.get_running_loop().run_in_executor(
            writer.pool, lambda: writer._connect().set_trace_callback(count))
    try:
        for i in range(n):
            await drive_engine(users, i, [], claim_first=True)
    finally:
        for (module, name), original in zip(patched, originals, strict=True):
            setattr(module, name, original)
        await close_database()
    unit = "round trips" if postgres else "SQL statements"
    for name, t in totals.items():
        calls = t["calls"]
        print(f"    {name:14} {t['sql'] / calls:4.1f} {unit}, {t['wall'] / calls * 1000:4.2f} ms"
              f" per call, of which runner (SpiffWorkflow + serializer) {t['runner'] / calls * 1000:4.2f} ms")


async def breakdown_postgres(xml: bytes) -> None:
    async with pg_database() as url:
        if url is not None:
            await breakdown(Settings(database_url=url, secret_key="bench"), xml)


# --- (e): the HTTP API under uvicorn ---------------------------------------------------------------

def serve(database_url: str, port: int, data_dir: str) -> None:
    import uvicorn

    from web.app import create_app

    settings = Settings(database_url=database_url, secret_key="bench", data_dir=Path(data_dir))
    profile_dir = os.environ.get("MOTCUA_BENCH_PROFILE")  # a folder: each server's cProfile stats go there
    profiler = cProfile.Profile() if profile_dir else None
    if profiler is not None:
        # uvicorn re-raises the SIGTERM that stopped it once it has shut down, with the handler found
        # before it started: a no-op one lets this function go on and write the stats (it never did)
        signal.signal(signal.SIGTERM, lambda *_: None)
        profiler.enable()
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(Path(str(profile_dir)) / f"server-{port}.prof")


def cpu_seconds(pid: int) -> float:
    """The process's own user + system CPU time (all its threads), from the kernel's counters."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drive_http(client: Any, tokens: dict[str, dict[str, str]], i: int, lat: list[float]) -> None:
    submission = {"procedure": CODE, "data": {"demandeur": f"Nguyễn Văn {i}"}, "channel": "counter"}
    r = await client.post("/api/v1/dossiers", headers=tokens["guichet"], json=submission)
    r.raise_for_status()
    body, done = r.json(), 0
    while body["tasks"]:  # the officer of the next task's role finds it in their inbox, then completes it
        headers = tokens[body["tasks"][0]["role"]]
        inbox = await client.get("/api/v1/tasks", headers=headers)
        inbox.raise_for_status()
        task = next(t for t in inbox.json()["items"] if t["dossier"] == body["code"])
        t1 = time.perf_counter()
        r = await client.post(f"/api/v1/tasks/{task['id']}/complete", headers=headers,
                              json={"data": task_data(task["element_id"], i)})
        r.raise_for_status()
        lat.append(time.perf_counter() - t1)
        body, done = r.json(), done + 1
    assert body["status"] == "completed" and done == 4, (body["status"], done)


async def wait_healthy(client: Any, server: Any) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            if (await client.get("/api/v1/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("the server did not answer /api/v1/health")


async def run_http(n: int, repeat: int, xml: bytes, folder: Path, url: str,
                   processes: int) -> dict[int, tuple[Figures, float]]:
    """1 then 4 clients against `processes` uvicorn processes (each its own port, clients spread
    over them); per client count: figures and the servers' CPU milliseconds per dossier."""
    await setup_motcua(Settings(database_url=url, secret_key="bench"), xml)
    await close_database()
    ports = []
    for _ in range(processes):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    # starting the server processes does not block; they are waited for with asyncio.sleep below
    servers = [subprocess.Popen([sys.executable, __file__, "--serve", url, "--port", str(port),  # noqa: ASYNC220
                                 "--data-dir", str(folder)], cwd=ROOT) for port in ports]
    runs: dict[int, list[Run]] = {1: [], 4: []}
    cpu: dict[int, list[float]] = {1: [], 4: []}
    clients_of = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) for port in ports]
    try:
        for client, server in zip(clients_of, servers, strict=True):
            await wait_healthy(client, server)
        tokens = {}
        for role in ROLES:
            credentials = {"username": f"bench_{role}", "password": PASSWORD}
            r = await clients_of[0].post("/api/v1/auth/token", json=credentials)
            r.raise_for_status()
            tokens[role] = {"authorization": f"Bearer {r.json()['access_token']}"}
        for _ in range(repeat):
            for clients in runs:
                lat: list[float] = []

                async def drive(first: int, step: int = clients, lat: list[float] = lat) -> None:
                    client = clients_of[first % len(clients_of)]
                    for i in range(first, n, step):
                        await drive_http(client, tokens, i, lat)

                before = sum(cpu_seconds(server.pid) for server in servers)
                t0 = time.perf_counter()
                await asyncio.gather(*(drive(k) for k in range(clients)))
                runs[clients].append((time.perf_counter() - t0, lat))
                cpu[clients].append((sum(cpu_seconds(server.pid) for server in servers) - before) / n * 1000)
    finally:
        for client in clients_of:
            await client.aclose()
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(10)
    return {clients: (figures(n, r), statistics.median(cpu[clients])) for clients, r in runs.items()}


async def run_http_postgres(n: int, repeat: int, xml: bytes, folder: Path,
                            processes: int) -> dict[int, tuple[Figures, float]] | str:
    async with pg_database() as url:
        if url is None:
            return "skipped: PostgreSQL is not reachable"
        return await run_http(n, repeat, xml, folder, url, processes)


def http_rows(database: str, found: dict[int, tuple[Figures, float]] | str, processes: int) -> dict[str, Any]:
    where = f"{database}, {processes} proc{'s' * (processes > 1)}"
    if isinstance(found, str):
        return {f"(e) HTTP API, {where}": found}
    return {f"(e) HTTP API, {where}, {c} client{'s' * (c > 1)}": f for c, f in found.items()}


# --- main ------------------------------------------------------------------------------------------

def measure(variants: set[str], n: int, n_http: int, repeat: int, with_breakdown: bool,
            http_databases: list[str] | None = None, processes: int = 1) -> dict[str, Any]:
    """Print one table row per result as it comes; label -> Figures, or a "skipped/failed: …" line."""
    xml, rows = motcua_xml(), {}
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        def sqlite(name: str) -> Settings:
            return Settings(database_url=f"sqlite://{Path(tmp) / name}.sqlite3", secret_key="bench")

        def spec_runs(run: Callable[..., Run], source: bytes, *extra: Any) -> Figures:
            spec, subs = parse_spec(source)  # parsed once, outside the timings
            return figures(n, [run(n, spec, subs, *extra) for _ in range(repeat)])

        jobs: dict[str, Callable[[], dict[str, Any]]] = {
            "a": lambda: {"(a) SpiffWorkflow in memory": spec_runs(run_memory, WORKLOAD.read_bytes())},
            "b": lambda: {"(b) floor: state JSON + sqlite3": spec_runs(run_floor, xml, Path(tmp) / "b.db")},
            "c": lambda: {"(c) Motcua engine, SQLite": asyncio.run(run_engine(n, repeat, sqlite("c"), xml,
                                                                              deliveries))},
            "d": lambda: {"(d) Motcua engine, PostgreSQL": asyncio.run(run_postgres(n, repeat, xml))},
            "e": lambda: {label: f for database in (http_databases or ["sqlite", "postgres"])
                          for label, f in http_rows(database, asyncio.run(
                              run_http(n_http, repeat, xml, Path(tmp), f"sqlite://{Path(tmp) / 'http.sqlite3'}",
                                       processes) if database == "sqlite" else
                              run_http_postgres(n_http, repeat, xml, Path(tmp), processes)), processes).items()},
        }
        deliveries: list[float] = []
        print(f"{'variant':44} {'dossiers/s':>11} {'p50 ms':>8} {'p95 ms':>8}   (per user-task completion)"
              "   server CPU ms/dossier")
        for key in (k for k in jobs if k in variants):
            try:
                results = jobs[key]()
            except Exception as exc:  # report it and go on with the other variants
                results = {f"({key})": f"failed: {type(exc).__name__}: {exc}"}
            for label, found in results.items():
                r, cpu = found if isinstance(found, tuple) else (found, None)
                rows[label] = r
                shown = f"{r.rate:11.1f} {r.p50:8.2f} {r.p95:8.2f}" if isinstance(r, Figures) else r
                if cpu is not None:
                    rows[f"{label} cpu"] = cpu
                    shown += f"   {cpu:33.1f}"
                print(f"{label:44} {shown}", flush=True)
            if key == "c" and with_breakdown:
                asyncio.run(breakdown(sqlite("breakdown"), xml))
            if key == "d" and with_breakdown:
                asyncio.run(breakdown_postgres(xml))
            if key == "c" and "f" in variants and deliveries:
                rows["(f) outbox delivery"] = f"{deliveries[0]:.0f} events/s"
                print(f"{'(f) outbox delivery, no-op, SQLite':44} {deliveries[0]:11.0f} events/s", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=200, help="dossiers per repetition, a-d (200)")
    ap.add_argument("--http-dossiers", type=int, help="dossiers per repetition and client count, e (N/3)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; medians are printed (3)")
    ap.add_argument("--variants", default="a,b,c,d,e,f", help="comma-separated subset of a,b,c,d,e,f (f needs c)")
    ap.add_argument("--breakdown", action="store_true", help="with c: SQL statements and time per command")
    ap.add_argument("--http-databases", default="sqlite,postgres", help="e: sqlite, postgres or both")
    ap.add_argument("--web-processes", type=int, default=1, help="e: uvicorn processes, clients spread over them")
    ap.add_argument("--serve", help=argparse.SUPPRESS)  # internal: the uvicorn subprocess of variant e
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.data_dir)
        return 0
    logging.getLogger("spiff").setLevel(logging.WARNING)
    n, repeat = args.dossiers, args.repeat
    n_http = args.http_dossiers or max(4, n // 3)
    print(f"dossier5: {n} dossiers (e: {n_http}), start + 4 user tasks each; medians of {repeat} runs\n")
    started = time.perf_counter()
    rows = measure(set(args.variants.split(",")), n, n_http, repeat, args.breakdown,
                   args.http_databases.split(","), args.web_processes)
    rates = {label[:3]: r.rate for label, r in rows.items() if isinstance(r, Figures)}
    if "(b)" in rates and "(c)" in rates:
        print(f"\n(c) ÷ (b) = {rates['(c)'] / rates['(b)']:.3f}   (target ≥ 0.5)")
    for label, r in rows.items():
        if label.startswith("(e)") and label.endswith("4 clients") and isinstance(r, Figures):
            ratio = f", ÷ (b) = {r.rate / rates['(b)']:.3f} (target ≥ 0.35 on PostgreSQL)" if "(b)" in rates else ""
            print(f"{label}: {r.rate:.1f} dossiers/s{ratio}, server CPU {rows[label + ' cpu']:.1f} ms"
                  " per dossier (target ≤ 10)")
    print(f"whole run: {time.perf_counter() - started:.0f} s")
    print("\nPeers (shared/bench/README.md, same kind of machine)")
    print(f"{'system':42} {'1 client':>9} {'4 clients':>10} {'p50 ms':>7}")
    for system, one, four, p50 in PEERS:
        print(f"{system:42} {one:>9} {four:>10} {p50:>7}")
    return 1 if any(str(r).startswith("failed") for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
