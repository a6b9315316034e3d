"""kill -9 of a process while it writes an uploaded file (issue 10, fault tests): the attachment
store writes `<sha256[:2]>/.part-<pid>-<random>` and renames it to its SHA-256 only when complete
(engine/attachments.py), so a killed writer leaves a part file, never a half file under a final
name. `motcua serve` removes, at start, the part files whose writer is gone; a live writer's part
file and the complete files stay."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from engine.attachments import PARTIAL
from tests.factories import free_port

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import os, sys, tempfile, time
from engine.attachments import PARTIAL
fd, tmp = tempfile.mkstemp(dir=sys.argv[1], prefix=f"{PARTIAL}{os.getpid()}-")
os.write(fd, b"%PDF-1.4 half of a file")
print(tmp, flush=True)
time.sleep(600)  # a slow disk: killed here, mid-write
"""


def test_a_writer_killed_mid_upload_leaves_no_file_after_the_next_start(tmp_path: Path) -> None:
    folder = tmp_path / "uploads" / "ab"
    folder.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    assert writer.stdout is not None
    dead_part = Path(writer.stdout.readline().strip())
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=10)
    assert dead_part.exists()  # what kill -9 leaves behind
    complete = b"%PDF-1.4 a complete file"
    kept = folder / hashlib.sha256(complete).hexdigest()
    kept.write_bytes(complete)
    live_part = folder / f"{PARTIAL}{os.getpid()}-inflight"  # another process still writing (this one)
    live_part.write_bytes(b"%PDF")
    port = free_port()
    server_env = {**env, "DATABASE_URL": f"sqlite://{tmp_path / 'motcua.sqlite3'}", "PORT": str(port),
                  "MOTCUA_DATA_DIR": str(tmp_path), "MOTCUA_SECRET_KEY": "kill9-upload", "MOTCUA_LOG_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "web.cli", "migrate"], env=server_env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve"], env=server_env, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert sorted(p.name for p in folder.iterdir()) == sorted([kept.name, live_part.name])
    assert "removed 1 partial upload file" in (tmp_path / "server.log").read_text()
