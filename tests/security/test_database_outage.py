"""PostgreSQL stopped for 10 s under load (issue 10, fault tests; SECURITY.md): a throwaway cluster
the test starts on its own port serves a real `motcua serve` process. While it is down every
answer is 503 with Retry-After (never a 500, no traceback); after it is back the server recovers by
itself within 10 s; no dossier whose submission was answered 201 is lost, and retries with the same
Idempotency-Key never duplicate one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import APPLICATIONS, CODES, PASSWORD, free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _need_cluster_tools() -> Path:
    if BIN is None or not (BIN / "initdb").exists() or os.geteuid() != 0 or shutil.which("runuser") is None:
        reason = "needs root, runuser and PostgreSQL's initdb/pg_ctl to start a throwaway cluster"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return BIN


def _as_postgres(*args: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def cluster() -> Iterator[tuple[Path, int]]:
    bin_ = _need_cluster_tools()
    home = Path(tempfile.mkdtemp(prefix="motcua-pgfault-"))  # not under pytest's 0700 tmp: postgres must reach it
    shutil.chown(home, "postgres", "postgres")
    data = home / "data"
    port = free_port()
    _as_postgres(str(bin_ / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
    _as_postgres(str(bin_ / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data.parent / "pg.log"), "-w", "start")
    try:
        _as_postgres(str(bin_ / "createdb"), "-h", "127.0.0.1", "-p", str(port), "motcua")
        yield data, port
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bin_ / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def _pg_ctl(data: Path, port: int, action: str) -> None:
    options = f"-p {port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off"
    args = [str(BIN / "pg_ctl"), "-D", str(data), "-w"] + (
        ["-o", options, "-l", str(data.parent / "pg.log"), "start"] if action == "start" else ["-m", "fast", "stop"])
    _as_postgres(*args)


def test_database_outage_is_503_then_recovers_without_loss(cluster: tuple[Path, int], tmp_path: Path) -> None:
    data, pg_port = cluster
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/motcua", "PYTHONPATH": str(ROOT),
           "PORT": str(port), "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_SECRET_KEY": "fault-test",
           "MOTCUA_LOG_LEVEL": "WARNING"}
    cli = [sys.executable, "-m", "web.cli"]
    subprocess.run([*cli, "load-procedures", str(ROOT / "bpmn" / "procedures")], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    subprocess.run([*cli, "createuser", "citizen", "--kind", "citizen", "--password", PASSWORD], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=60)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([*cli, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(200):
                try:
                    if client.get("/api/v1/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            r = client.post("/api/v1/auth/token", json={"username": "citizen", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            body = {"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]}
            answers: dict[str, int] = {}

            def submit(key: str) -> int:
                r = client.post("/api/v1/dossiers", json=body, headers={**headers, "Idempotency-Key": key})
                assert r.status_code != 500, r.text
                if r.status_code == 503:
                    assert r.headers["retry-after"].isdigit() and r.json()["error"]["code"] == "unavailable"
                else:
                    assert r.status_code in (200, 201), r.text
                answers[key] = r.status_code
                return r.status_code

            for i in range(5):
                assert submit(f"before-{i}") == 201
            _pg_ctl(data, pg_port, "stop")
            down_until = time.monotonic() + 10
            during = 0
            while time.monotonic() < down_until:
                submit(f"during-{during}")
                health = client.get("/api/v1/health")
                assert health.status_code == 503 and "Traceback" not in health.text
                during += 1
                time.sleep(0.2)
            assert during >= 10 and all(answers[f"during-{i}"] == 503 for i in range(during))
            _pg_ctl(data, pg_port, "start")
            back = time.monotonic()
            while client.get("/api/v1/health").status_code != 200:
                assert time.monotonic() - back < 10, "not recovered within 10 s"
                time.sleep(0.1)
            recovery = time.monotonic() - back
            for i in range(during):  # the clients retry what was answered 503, with the same key
                assert submit(f"during-{i}") in (200, 201)
            for i in range(5):  # and a retry of what was committed replays, never duplicates
                assert submit(f"before-{i}") == 200
        count = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "-d", "motcua", "-tAc",
                                "SELECT count(*), count(DISTINCT idempotency_key) FROM dossier"],
                               capture_output=True, text=True, check=True).stdout.strip()
        assert count == f"{5 + during}|{5 + during}", count
        print(f"outage 10 s: {during} submissions answered 503, recovery {recovery:.2f} s, 0 lost, 0 duplicated")
        server_log = (tmp_path / "server.log").read_text()
        assert "Traceback" not in server_log and server_log.count("database unavailable") == 1, server_log[-3000:]
    finally:
        server.terminate()
        server.wait(timeout=10)
