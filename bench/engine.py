"""Engine benchmark on the shared `dossier5` workload (../shared/bench/): prints figures, not a test.

    python bench/engine.py [--dossiers N] [--http-dossiers M] [--repeat R] [--variants a,b,c,d,e]
    python bench/engine.py --variants c --count-sql      # SQL statements per command on SQLite

One dossier = start + 4 user-task completions (reception sets `categorie`, alternating "simple" →
examen_simple and "complexe" → the default flow, examen_approfondi; then decision, remise).
Variants:
  a  SpiffWorkflow in memory, spec parsed once
  b  the floor: a + state-only JSON (engine.workflow.serializer) + one raw sqlite3 commit per step
  c  Motcua's engine commands (dossiers.submit / complete_task) on a fresh SQLite file
  d  the same on a fresh PostgreSQL database (dropped at the end)
  e  Motcua's HTTP API under uvicorn (subprocess) on 127.0.0.1, SQLite, httpx; 1 and 4 clients
Each figure is the median of R repetitions; per-task latency is one user-task completion
(for e: the POST /tasks/{id}/complete round trip).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # bench/ must not shadow the `engine` package with this file
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

from lxml import etree  # noqa: E402
from SpiffWorkflow import TaskState  # noqa: E402
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402

from engine.workflow.extensions import BPMN_NS, MOTCUA_NS, NSMAP  # noqa: E402
from engine.workflow.serializer import MotcuaWorkflow, dump_state, load_state  # noqa: E402

WORKLOAD = ROOT.parent / "shared" / "bench" / "dossier5.bpmn"
PROCESS_ID = "dossier5"
CODE = "BENCH.5"
PASSWORD = "bench-password-2026"
PG_DSN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
LANE_ROLES = {"lane_guichet": "guichet", "lane_instructeur": "instructeur", "lane_chef": "chef"}
ROLES = {"guichet": ("Guichet", "Front desk"), "instructeur": ("Instructeur", "Case officer"),
         "chef": ("Chef de service", "Head of department")}
PEERS = [("SpiffWorkflow 3.2.0 in memory", "1,499", "–", "0.13"),
         ("floor: + state JSON + SQLite commit/step", "418", "333", "0.47"),
         ("SpiffArena REST, PostgreSQL 15", "2.9", "4.5", "65")]


@dataclass
class Run:
    seconds: float
    dossiers: int
    latencies: list[float]  # seconds per user-task completion


@dataclass
class Figures:
    rate: float
    p50: float | None  # ms
    p95: float | None


def task_data(element_id: str, i: int) -> dict[str, Any]:
    """Small data per task; reception decides the path: even → "simple", odd → "complexe"."""
    return {
        "reception": {"categorie": "simple" if i % 2 == 0 else "complexe", "pieces": 3, "recu": True},
        "examen_simple": {"avis": "favorable", "observations": f"dossier {i} complet"},
        "examen_approfondi": {"avis": "favorable", "observations": f"dossier {i} vérifié", "visite": True},
        "decision": {"decision": "accordé", "signataire": "Chef"},
        "remise": {"remis": True, "mode": "guichet"},
    }[element_id]


def motcua_xml() -> bytes:
    """The workload with <motcua:role> on each lane (a copy in memory; the flow is untouched)."""
    root = etree.fromstring(WORKLOAD.read_bytes(), etree.XMLParser(remove_comments=True))
    for lane in root.iterfind(".//bpmn:lane", NSMAP):
        ext = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        etree.SubElement(ext, f"{{{MOTCUA_NS}}}role", {"code": LANE_ROLES[lane.get("id", "")]},
                         nsmap={"motcua": MOTCUA_NS})
        lane.insert(0, ext)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def parse_spec(xml: bytes) -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml, etree.XMLParser(remove_comments=True)), filename="dossier5.bpmn")
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


def figures(runs: list[Run]) -> Figures:
    def pct(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000

    return Figures(statistics.median(r.dossiers / r.seconds for r in runs),
                   statistics.median(pct(r.latencies, 50) for r in runs),
                   statistics.median(pct(r.latencies, 95) for r in runs))


# --- (a) and (b): SpiffWorkflow alone, then the floor --------------------------------------------

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
    return Run(time.perf_counter() - t0, n, lat)


def run_floor(n: int, spec: Any, subs: dict[str, Any], db_path: Path) -> Run:
    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     "CREATE TABLE IF NOT EXISTS dossier (id INTEGER PRIMARY KEY, state TEXT NOT NULL,"
                     " revision INTEGER NOT NULL, ready TEXT)")
    lat: list[float] = []
    t0 = time.perf_counter()
    for i in range(n):
        wf = MotcuaWorkflow(spec, subs)
        wf.do_engine_steps()
        ready = wf.get_tasks(state=TaskState.READY, manual=True)
        db.execute("BEGIN")
        row_id = db.execute("INSERT INTO dossier (state, revision, ready) VALUES (?, 1, ?)",
                            (dump_state(wf), str(ready[0].id))).lastrowid
        db.execute("COMMIT")
        while True:
            t1 = time.perf_counter()
            state, revision, task_id = db.execute("SELECT state, revision, ready FROM dossier WHERE id = ?",
                                                  (row_id,)).fetchone()
            if task_id is None:
                break
            wf = load_state(state, spec, subs)
            task = wf.get_task_from_id(uuid.UUID(task_id))
            task.data.update(task_data(task.task_spec.bpmn_id, i))
            task.run()
            wf.do_engine_steps()
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            db.execute("BEGIN")
            db.execute("UPDATE dossier SET state = ?, revision = ?, ready = ? WHERE id = ? AND revision = ?",
                       (dump_state(wf), revision + 1, str(ready[0].id) if ready else None, row_id, revision))
            db.execute("COMMIT")
            lat.append(time.perf_counter() - t1)
        assert wf.is_completed()
    db.close()
    return Run(time.perf_counter() - t0, n, lat)


# --- (c) and (d): Motcua's engine commands ---------------------------------------------------------

async def setup_motcua(settings: Any, xml: bytes) -> dict[str, Any]:
    """Migrated, open database with the roles, the published procedure and one staff user per role."""
    from engine import accounts, procedures
    from engine.db import migrate, open_database
    from engine.workflow.serializer import SPEC_CACHE

    SPEC_CACHE.clear()  # version ids restart at 1 in every fresh database
    await migrate(settings)
    await open_database(settings)
    await accounts.ensure_roles(ROLES)
    await procedures.create_or_update(CODE, name="Dossier 5 étapes (benchmark)")
    await procedures.publish(CODE, xml, published_by="bench")
    return {role: await accounts.create_user(f"bench_{role}", PASSWORD, "staff", roles=[role]) for role in ROLES}


async def drive_engine(users: dict[str, Any], i: int, lat: list[float]) -> None:
    from engine import dossiers
    from engine.models import HumanTask

    dossier = await dossiers.submit(CODE, {"demandeur": f"Nguyễn Văn {i}", "telephone": "0900000000"},
                                    now=datetime.now(UTC), user=users["guichet"], channel="counter",
                                    submitter_kind="officer_assisted")
    done = 0
    while tasks := await HumanTask.filter(dossier_id=dossier.id, state="ready"):
        for task in tasks:
            t1 = time.perf_counter()
            dossier = await dossiers.complete_task(task.id, task_data(task.element_id, i), users[task.role],
                                                   datetime.now(UTC))
            lat.append(time.perf_counter() - t1)
            done += 1
    assert dossier.status == "completed" and done == 4, (dossier.status, done)


async def run_engine(n: int, repeat: int, settings: Any, xml: bytes) -> list[Run]:
    from engine.db import close_database

    users = await setup_motcua(settings, xml)
    try:
        runs = []
        for _ in range(repeat):
            lat: list[float] = []
            t0 = time.perf_counter()
            for i in range(n):
                await drive_engine(users, i, lat)
            runs.append(Run(time.perf_counter() - t0, n, lat))
        return runs
    finally:
        await close_database()


async def run_postgres(n: int, repeat: int, xml: bytes) -> list[Run]:
    import asyncpg

    from engine.settings import Settings

    name = f"motcua_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_DSN, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = PG_DSN.rsplit("/", 1)[0] + f"/{name}"
            return await run_engine(n, repeat, Settings(database_url=url, secret_key="bench"), xml)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def count_sql(settings: Any, xml: bytes, n: int = 10) -> None:
    """Statements (as logged by tortoise.db_client, plus BEGIN/COMMIT) per engine command."""
    from engine import dossiers
    from engine.db import close_database

    counts = {"submit": [0, 0], "complete_task": [0, 0]}  # command -> [calls, statements]
    current: list[str] = []

    class Counter(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if current and not str(record.msg).startswith(("Created", "Closed")):
                counts[current[0]][1] += 1

    def wrap(name: str, fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            current.append(name)
            try:
                return await fn(*args, **kwargs)
            finally:
                current.pop()
                counts[name][0] += 1
                counts[name][1] += 2  # BEGIN + COMMIT of its transaction (not logged by Tortoise)
        return counted

    users = await setup_motcua(settings, xml)
    log = logging.getLogger("tortoise.db_client")
    handler, level = Counter(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    originals = dossiers.submit, dossiers.complete_task
    dossiers.submit, dossiers.complete_task = wrap("submit", originals[0]), wrap("complete_task", originals[1])
    try:
        for i in range(n):
            await drive_engine(users, i, [])
    finally:
        dossiers.submit, dossiers.complete_task = originals
        log.removeHandler(handler)
        log.setLevel(level)
        await close_database()
    for name, (calls, statements) in counts.items():
        print(f"  {name:14} {statements / calls:5.1f} SQL statements per call (incl. BEGIN/COMMIT)")


# --- (e): the HTTP API under uvicorn ---------------------------------------------------------------

def serve(database_url: str, port: int) -> None:
    import uvicorn

    from engine.settings import Settings
    from web.app import create_app

    settings = Settings(database_url=database_url, secret_key="bench", data_dir=Path(database_url[9:]).parent)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def drive_http(client: Any, tokens: dict[str, dict[str, str]], i: int, lat: list[float]) -> None:
    r = await client.post("/api/v1/dossiers", headers=tokens["guichet"],
                          json={"procedure": CODE, "data": {"demandeur": f"Nguyễn Văn {i}"}, "channel": "counter"})
    r.raise_for_status()
    body, done = r.json(), 0
    while body["tasks"]:
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


async def run_http(n: int, repeat: int, clients: list[int], xml: bytes, folder: Path) -> dict[int, list[Run]]:
    import httpx

    from engine.db import close_database
    from engine.settings import Settings

    url = f"sqlite://{folder / 'http.sqlite3'}"
    await setup_motcua(Settings(database_url=url, secret_key="bench"), xml)
    await close_database()
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", url, "--port", str(port)], cwd=ROOT)
    runs: dict[int, list[Run]] = {c: [] for c in clients}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30,
                                     limits=httpx.Limits(max_connections=max(clients))) as client:
            for _ in range(200):
                try:
                    if (await client.get("/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
            tokens = {}
            for role in ROLES:
                r = await client.post("/api/v1/auth/token", json={"username": f"bench_{role}", "password": PASSWORD})
                r.raise_for_status()
                tokens[role] = {"authorization": f"Bearer {r.json()['access_token']}"}
            for _ in range(repeat):
                for c in clients:
                    lat: list[float] = []

                    async def worker(k: int, c: int = c, lat: list[float] = lat) -> None:
                        for i in range(k, n, c):
                            await drive_http(client, tokens, i, lat)

                    t0 = time.perf_counter()
                    await asyncio.gather(*(worker(k) for k in range(c)))
                    runs[c].append(Run(time.perf_counter() - t0, n, lat))
    finally:
        server.terminate()
        server.wait(10)
    return runs


# --- main ------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dossiers", type=int, default=200, help="dossiers per repetition for a-d (200)")
    ap.add_argument("--http-dossiers", type=int, default=60, help="dossiers per repetition for e (60)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; medians are printed (3)")
    ap.add_argument("--variants", default="a,b,c,d,e", help="comma-separated subset of a,b,c,d,e")
    ap.add_argument("--count-sql", action="store_true", help="also count SQL statements per command (SQLite)")
    ap.add_argument("--serve", help=argparse.SUPPRESS)  # internal: the uvicorn subprocess of variant e
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0
    from engine.settings import Settings

    logging.getLogger("spiff").setLevel(logging.WARNING)
    variants = set(args.variants.split(","))
    n, repeat, xml = args.dossiers, args.repeat, motcua_xml()
    rows: list[tuple[str, Figures | str, str]] = []
    started = time.perf_counter()

    def report(label: str, result: Figures | str, note: str = "") -> None:
        rows.append((label, result, note))
        shown = (f"{result.rate:8.1f} dossiers/s   per task p50 {result.p50:7.2f} ms  p95 {result.p95:7.2f} ms"
                 if isinstance(result, Figures) else result)
        print(f"{label:34} {shown} {note}", flush=True)

    print(f"dossier5: {n} dossiers x {repeat} repetitions (e: {args.http_dossiers}), 4 user tasks each")
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        folder = Path(tmp)
        if "a" in variants:
            spec, subs = parse_spec(WORKLOAD.read_bytes())
            report("(a) SpiffWorkflow in memory", figures([run_memory(n, spec, subs) for _ in range(repeat)]))
        if "b" in variants:
            spec, subs = parse_spec(xml)
            report("(b) floor: state JSON + sqlite3", figures(
                [run_floor(n, spec, subs, folder / "floor.sqlite3") for _ in range(repeat)]))
        if "c" in variants:
            settings = Settings(database_url=f"sqlite://{folder / 'engine.sqlite3'}", secret_key="bench")
            report("(c) Motcua engine, SQLite", figures(asyncio.run(run_engine(n, repeat, settings, xml))))
            if args.count_sql:
                counted = Settings(database_url=f"sqlite://{folder / 'count.sqlite3'}", secret_key="bench")
                asyncio.run(count_sql(counted, xml))
        if "d" in variants:
            try:
                report("(d) Motcua engine, PostgreSQL", figures(asyncio.run(run_postgres(n, repeat, xml))))
            except OSError as exc:  # refused, unreachable, timed out
                report("(d) Motcua engine, PostgreSQL", f"skipped: {exc}")
            except Exception as exc:  # asyncpg errors (no such role, …)
                if type(exc).__module__.startswith("asyncpg"):
                    report("(d) Motcua engine, PostgreSQL", f"skipped: {type(exc).__name__}: {exc}")
                else:
                    raise
        if "e" in variants:
            http = asyncio.run(run_http(args.http_dossiers, repeat, [1, 4], xml, folder))
            report("(e) HTTP API, SQLite, 1 client", figures(http[1]))
            report("(e) HTTP API, SQLite, 4 clients", figures(http[4]))
    elapsed = time.perf_counter() - started

    print(f"\nSummary (medians of {repeat}; total {elapsed:.0f} s)")
    print(f"{'variant':34} {'dossiers/s':>11} {'p50 ms':>8} {'p95 ms':>8}")
    for label, result, _ in rows:
        if isinstance(result, Figures):
            print(f"{label:34} {result.rate:11.1f} {result.p50:8.2f} {result.p95:8.2f}")
        else:
            print(f"{label:34} {result}")
    rates = {label[:3]: r.rate for label, r, _ in rows if isinstance(r, Figures)}
    if "(b)" in rates and "(c)" in rates:
        print(f"(c) ÷ (b) = {rates['(c)'] / rates['(b)']:.3f}   (target ≥ 0.3)")
    http1 = next((r.rate for label, r, _ in rows if "1 client" in label and isinstance(r, Figures)), None)
    if http1 is not None:
        print(f"(e) 1 client = {http1:.1f} dossiers/s   (target ≥ 50)")
    print("\nPeers (shared/bench/README.md, same kind of machine)")
    print(f"{'system':42} {'1 client':>9} {'4 clients':>10} {'p50 ms':>7}")
    for system, one, four, p50 in PEERS:
        print(f"{system:42} {one:>9} {four:>10} {p50:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
