"""A newcomer's first minute: `motcua demo` starts by saying what to open and with which accounts,
and every file it makes (the SQLite database included) lands in MOTCUA_DATA_DIR."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.factories import free_port

ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d |INFO:|WARNING:|ERROR:|DEBUG:)")


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_") and k != "DATABASE_URL"}
    return {**env, "PYTHONPATH": str(ROOT), "MOTCUA_DATA_DIR": str(data), **extra}


def test_migrate_puts_the_sqlite_database_in_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = subprocess.run([sys.executable, "-m", "web.cli", "migrate"], cwd=tmp_path, env=_env(data),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (data / "motcua.sqlite3").stat().st_size > 0
    assert (data / "secret_key").exists()
    assert not (tmp_path / "motcua-data").exists()  # nothing left in the working directory


def test_demo_output_begins_with_the_address_and_the_accounts(tmp_path: Path) -> None:
    from web.cli import DEMO_USERS

    data, port = tmp_path / "data", free_port()
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "demo"], cwd=tmp_path, env=_env(data, PORT=str(port)),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Uvicorn running" in line or "Application startup complete" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert any("Application startup complete" in line for line in lines), "\n".join(lines)
    url = f"http://127.0.0.1:{port}/"
    assert url in lines[0], lines[:3]
    first_log = next(i for i, line in enumerate(lines) if LOG_LINE.match(line))
    banner = "\n".join(lines[:first_log])
    for username, password, _kind, roles, _name in DEMO_USERS:
        assert re.search(rf"\b{username}\b.*{password}", banner), f"{username} missing from:\n{banner}"
        for role in roles:
            assert role in banner
    assert f"{url}dang-ky" in banner
    assert not any("shutdown" in line.lower() for line in lines), lines
    assert (data / "motcua.sqlite3").exists()
    assert not (tmp_path / "motcua-data").exists()


PLACEMENT = """
import asyncio, tomllib
from engine import agencies
from engine.db import database
from engine.settings import Settings
from web.cli import SHIPPED_PROCEDURES, _demo_setup, procedure_folders

async def main():
    settings = Settings.from_environ()
    await _demo_setup(settings)
    async with database(settings):
        for folder in procedure_folders(SHIPPED_PROCEDURES):
            code = tomllib.loads((folder / "procedure.toml").read_text(encoding="utf-8"))["code"]
            choices = [c for c, _name in await agencies.receiving_choices(code)]
            print(code, repr(await agencies.agency_for_dossier(code, "", None)), repr(choices))

asyncio.run(main())
"""


def test_the_demo_agencies_handle_the_shipped_procedures(tmp_path: Path) -> None:
    """An online dossier (no reception point) of every shipped procedure lands in a demo commune, so the
    demo's reports per agency and /cong-khai show it: the household business names its commune, the
    birth registration names the level and its applicant chooses among the demo's communes."""
    from web.cli import DEMO_AGENCIES

    done = subprocess.run([sys.executable, "-c", PLACEMENT], cwd=tmp_path, env=_env(tmp_path / "data"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    placed = {code: rest.split(" ", 1) for code, rest in (line.split(" ", 1) for line in done.stdout.splitlines())}
    assert len(placed) == len(list((ROOT / "bpmn" / "procedures").glob("*/procedure.toml"))), done.stdout
    communes = [a[0] for a in sorted(DEMO_AGENCIES, key=lambda a: a[1]) if a[2] == "commune"]  # by name
    assert placed["2.000720"] == [repr("000.01.02.H00"), "[]"]
    assert placed["1.001193"] == ["''", repr(communes)]
