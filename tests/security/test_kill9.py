"""kill -9 of the web process and of the worker under load (issue 10, fault tests; SECURITY.md F1,
F2): a real `motcua serve` and a real `motcua worker` on a fresh PostgreSQL database; citizens
submit dossiers and an officer completes intake tasks from several threads, every call with an
`Idempotency-Key`, retried on connection errors and 503 until answered. The web process is killed
(SIGKILL) and restarted several times mid-load; the worker is killed while BPMN timers are due.

Afterwards: every key answered 2xx is exactly one dossier with the answered code (0 lost, 0
duplicated); every completion took effect once (one task_completed event) and its retries were
replays of the first answer (or, after a kill between the commit and the stored answer, the task's
own 409: no second effect); the stored projections equal those rebuilt from the workflow state;
each due timer fired exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from engine.settings import Settings
from tests.conftest import PG_DSN
from tests.engine.test_timers import duration, timer_model
from tests.factories import APPLICATIONS, CODES, PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "web.cli"]
TIMED = "T.KILL9"
SUBMITTERS, PER_SUBMITTER, TIMED_DOSSIERS, WEB_KILLS = 3, 10, 8, 2


@pytest.fixture
def fresh_db() -> Iterator[str]:
    """A database of its own on the shared PostgreSQL, dropped afterwards."""
    name = f"motcua_kill9_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(PG_DSN, timeout=5)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    try:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
    try:
        yield PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class Figures:
    requests: int = 0
    retries: int = 0
    replays: int = 0
    late_409: int = 0  # a retry after a kill between commit and stored answer: the task's own 409
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class Fleet:
    """The web and worker processes, started, killed with SIGKILL and restarted."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.procs, self.starts = env, logs, {}, Counter()  # type: dict[str, subprocess.Popen]

    def start(self, kind: str) -> None:
        self.starts[kind] += 1
        log = (self.logs / f"{kind}-{self.starts[kind]}.log").open("w")
        self.procs[kind] = subprocess.Popen([*CLI, kind], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def kill(self, kind: str) -> None:
        proc = self.procs[kind]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _answered(client: httpx.Client, figures: Figures, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """The call, retried with the same key on connection errors, 503 and "still being processed"."""
    tries = 0
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, f"{url} never answered"
        tries += 1
        try:
            r = client.request(method, url, **kwargs)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        assert r.status_code != 500, r.text
        busy = r.status_code == 409 and r.json().get("error", {}).get("details", {}).get(
            "rule") == "idempotency_in_progress"
        if r.status_code in (502, 503) or busy:
            time.sleep(0.2)
            continue
        figures.add(requests=tries, retries=tries - 1)
        return r


def _write_timed_procedure(folder: Path) -> Path:
    proc = folder / "procedures" / "timed"
    proc.mkdir(parents=True)
    (proc / "procedure.toml").write_text(f'code = "{TIMED}"\nname = "Thử hẹn giờ"\ntime_limit = 5\n'
                                           'time_unit = "working_days"\nagency = "UBND"\n', encoding="utf-8")
    (proc / "model.bpmn").write_bytes(timer_model(duration("PT3S")))
    return proc.parent


def test_kill9_of_web_and_worker_under_load_loses_and_duplicates_nothing(fresh_db: str, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": fresh_db, "PYTHONPATH": str(ROOT), "PORT": str(port),
           "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_SECRET_KEY": "kill9-test", "MOTCUA_LOG_LEVEL": "WARNING",
           "MOTCUA_LEASE_SECONDS": "3"}
    asyncio.run(_prepare(fresh_db, tmp_path))  # set-up in this process; the processes under test are real
    fleet = Fleet(env, tmp_path)
    base = f"http://127.0.0.1:{port}"
    figures = Figures()
    submitted: dict[str, str] = {}  # client key -> the dossier code answered
    completed: dict[str, httpx.Response] = {}  # task id -> the (last) answer
    errors: list[BaseException] = []
    loaded = threading.Event()

    def up(timeout: float = 30) -> float:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError("web process not back")

    def token(client: httpx.Client, username: str) -> dict[str, str]:
        r = _answered(client, figures, "POST", "/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    def submitter(n: int, procedure: str, count: int, pause: float) -> None:
        try:
            with httpx.Client(base_url=base, timeout=10) as client:
                auth = token(client, "citizen")
                data = APPLICATIONS["household-business"] if procedure != TIMED else {}
                for i in range(count):
                    key = f"s{n}-{i}-{uuid.uuid4().hex[:6]}"
                    r = _answered(client, figures, "POST", "/api/v1/dossiers", headers={**auth, "Idempotency-Key": key},
                                  json={"procedure": procedure, "data": data})
                    assert r.status_code in (200, 201), r.text
                    figures.add(replays=r.status_code == 200)
                    with figures.lock:
                        submitted[key] = r.json()["code"]
                    time.sleep(pause)
        except BaseException as exc:
            errors.append(exc)

    def officer() -> None:
        try:
            with httpx.Client(base_url=base, timeout=10) as client:
                auth = token(client, "officer")
                idle_since = None
                while True:
                    r = _answered(client, figures, "GET", "/api/v1/tasks",
                                  params={"procedure": CODES["household-business"], "limit": 500}, headers=auth)
                    assert r.status_code == 200, r.text
                    todo = [t["id"] for t in r.json()["items"]
                            if t["element_id"] == "intake" and t["id"] not in completed]
                    if not todo:
                        if loaded.is_set():
                            idle_since = idle_since or time.monotonic()
                            if time.monotonic() - idle_since > 2:
                                return
                        time.sleep(0.1)
                        continue
                    idle_since = None
                    for task_id in todo:
                        r = _answered(client, figures, "POST", f"/api/v1/tasks/{task_id}/complete",
                                      headers={**auth, "Idempotency-Key": f"done-{task_id}"},
                                      json={"data": {"intake_decision": "accept"}})
                        if r.status_code == 409:
                            figures.add(late_409=1)
                        else:
                            assert r.status_code == 200, r.text
                            figures.add(replays=r.headers.get("idempotent-replayed") == "true")
                        completed[task_id] = r
        except BaseException as exc:
            errors.append(exc)

    fleet.start("serve")
    fleet.start("worker")
    try:
        up()
        threads = [threading.Thread(target=submitter, args=(n, CODES["household-business"], PER_SUBMITTER, 0.05))
                   for n in range(SUBMITTERS)]
        threads.append(threading.Thread(target=submitter, args=(99, TIMED, TIMED_DOSSIERS, 0.25)))
        threads.append(threading.Thread(target=officer))
        for t in threads:
            t.start()
        downtimes = []
        rng = random.Random(10)
        for kill in range(WEB_KILLS):
            time.sleep(rng.uniform(0.6, 1.5))
            fleet.kill("serve")
            if kill == 1:  # the timed dossiers' timers (PT3S) fall due while the worker is dead
                fleet.kill("worker")
            fleet.start("serve")
            downtimes.append(up())
            print(f"kill {kill}: back in {downtimes[-1]:.2f} s", flush=True)
        time.sleep(3)
        fleet.start("worker")
        for t in threads[:-1]:
            t.join(timeout=80)
        loaded.set()
        threads[-1].join(timeout=60)
        assert not errors, errors
        assert not any(t.is_alive() for t in threads)
        # replays survive the kills: each completion's key answers its first answer again
        verified = 0
        with httpx.Client(base_url=base, timeout=10) as client:
            auth = token(client, "officer")
            for task_id, first in completed.items():
                if first.status_code != 200:
                    continue
                again = _answered(client, figures, "POST", f"/api/v1/tasks/{task_id}/complete",
                                  headers={**auth, "Idempotency-Key": f"done-{task_id}"},
                                  json={"data": {"intake_decision": "accept"}})
                assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
                assert again.json() == first.json()
                verified += 1
        timers_fired = asyncio.run(_check(fresh_db, submitted, completed, deadline=time.monotonic() + 30))
    finally:
        fleet.stop()
    print(f"\nkill -9: {figures.requests} requests, {WEB_KILLS} web kills (back in "
          f"{max(downtimes):.2f} s at most), 1 worker kill, {figures.retries} retries, {figures.replays} replays, "
          f"{figures.late_409} completions answered 409 after a lost answer, "
          f"{verified} completion replays checked after the run; {len(submitted)} dossiers, "
          f"{len(completed)} completions, {timers_fired} timers fired once; lost 0, duplicated 0 (asserted above)")


async def _prepare(url: str, tmp_path: Path) -> None:
    from engine import accounts
    from engine.db import database, migrate
    from web.cli import load_procedures

    settings = Settings(database_url=url, secret_key="kill9-test", data_dir=tmp_path)
    await migrate(settings)
    for folder in (ROOT / "bpmn" / "procedures", _write_timed_procedure(tmp_path)):
        await load_procedures(settings, folder)
    async with database(settings):
        await accounts.create_user("citizen", PASSWORD, "citizen")
        await accounts.create_user("officer", PASSWORD, "staff", roles=["one_stop"])


async def _check(url: str, submitted: dict[str, str], completed: dict[str, httpx.Response], deadline: float) -> int:
    from engine.db import database
    from engine.dossiers.queries import rebuild_projections, stored_projections
    from engine.models import AuditEvent, Dossier, HumanTask, Timer
    from web.app import build_runtime

    settings = Settings(database_url=url, secret_key="kill9-test")
    async with database(settings):
        rows = await Dossier.all().values_list("idempotency_key", "code")
        keys = Counter(key for key, _ in rows)
        assert [k for k, n in keys.items() if n > 1] == [], "duplicated dossiers"
        answered = {key.split(":", 1)[1]: code for key, code in rows}  # stored as "<user id>:<client key>"
        assert answered == submitted, "lost or unanswered dossiers"  # 0 lost, 0 extra
        for task_id in completed:
            assert await AuditEvent.filter(task_id=task_id, action="task_completed").count() == 1, task_id
        rt = build_runtime(settings)
        await rt.start()
        timed = await Dossier.filter(procedure_version__procedure__code=TIMED).values_list("id", flat=True)
        assert len(timed) == TIMED_DOSSIERS
        while await Timer.filter(dossier_id__in=timed, kind="bpmn", state__not="fired").exists():
            assert time.monotonic() < deadline, "due timers not fired after the worker came back"
            await asyncio.sleep(0.3)
        for dossier_id in timed:
            assert await Timer.filter(dossier_id=dossier_id, kind="bpmn").count() == 1
            assert await AuditEvent.filter(dossier_id=dossier_id, action="timer_fired").count() == 1, dossier_id
            assert await HumanTask.filter(dossier_id=dossier_id, element_id="late0").count() == 1, dossier_id
        for code in submitted.values():
            assert await stored_projections(rt, code) == await rebuild_projections(rt, code), code
    return len(timed)
