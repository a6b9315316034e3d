"""bench/generate.py on both databases (issue 11): 300 generated dossiers spread over statuses,
channels, agencies and years with about 3 % open; their reporting projections are what
`report_facts.rebuild` computes from their event log; a generated open dossier goes on through the
engine's own commands (its workflow state, tasks and trail are consistent)."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench import generate as gen
from engine import dossiers, report_facts, sql
from engine.db import close_database, open_database
from engine.models import HumanTask, User
from engine.settings import Settings
from tests.conftest import empty_pg_database

N = 300


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "postgres":
        async with empty_pg_database("motcua_gen") as found:
            yield found
        return
    try:
        yield f"sqlite://{tmp_path / 'gen.sqlite3'}"
    finally:
        await close_database()


def _rows(found: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in found}


async def test_generated_dossiers_are_spread_and_their_projection_is_a_rebuild(url: str) -> None:
    from web.app import build_runtime

    stats = await gen.generate(url, N, progress=None)
    assert stats.dossiers == N and stats.seeds >= 20
    await open_database(Settings(database_url=url, secret_key="t", data_dir=Path(tempfile.mkdtemp())))
    rt = build_runtime(Settings(database_url=url, secret_key="t", data_dir=Path(tempfile.mkdtemp())))
    await rt.start()
    made = await sql.fetch(
        sql.db(), "SELECT * FROM dossier WHERE id > (SELECT MAX(id) FROM dossier) - ? ORDER BY id", [N]
    )
    assert len(made) == N and len({d["code"] for d in made}) == N
    statuses = Counter(int(d["lifecycle_status"]) for d in made)
    assert {1, 3, 4, 7, 10} <= set(statuses) and len(statuses) >= 6, statuses
    open_share = sum(d["status"] == "processing" for d in made) / N
    assert 0.005 <= open_share <= 0.08, open_share
    assert set(Counter(d["channel"] for d in made)) == {"online", "counter", "post"}
    assert len(Counter(d["submitter_kind"] for d in made)) >= 3
    assert len(Counter(d["agency_code"] for d in made)) >= 4
    created = sorted(sql.instant(d["created_at"]) for d in made)  # type: ignore[type-var]
    assert created[-1] - created[0] > timedelta(days=3 * 365)  # type: ignore[operator]
    assert created[-1] < datetime.now(UTC)  # type: ignore[operator]
    # ids and codes ascend with the submit instant
    assert [sql.instant(d["created_at"]) for d in made] == created
    counts = {
        t: (
            await sql.fetch_one(sql.db(), f"SELECT COUNT(*) AS n FROM {t} WHERE dossier_id >= ?", [made[0]["id"]])
            or {"n": 0}
        )["n"]
        for t in ("rating", "dossier_pause")
    }
    assert counts["rating"] > 0 and counts["dossier_pause"] > 0, counts
    late = await sql.fetch(sql.db(), "SELECT kpi_late, COUNT(*) AS n FROM report_dossier GROUP BY kpi_late")
    assert {bool(r["kpi_late"]) for r in late if r["kpi_late"] is not None} == {True, False}, late

    # the projections equal a rebuild from the event log
    facts = _rows(await sql.fetch(sql.db(), "SELECT * FROM report_dossier"), "dossier_id")
    tasks = _rows(await sql.fetch(sql.db(), "SELECT * FROM report_task"), "task_id")
    assert len(facts) >= N + stats.seeds
    await report_facts.rebuild(rt.calendars.value)
    rebuilt = _rows(await sql.fetch(sql.db(), "SELECT * FROM report_dossier"), "dossier_id")
    assert [k for k in rebuilt if rebuilt[k] != facts.get(k)] == []
    assert _rows(await sql.fetch(sql.db(), "SELECT * FROM report_task"), "task_id") == tasks

    # a generated received dossier goes on through the engine: its intake task completes
    received = next(d for d in made if d["lifecycle_status"] == 1)
    task = await HumanTask.get(dossier_id=received["id"], state="ready")
    officer = await User.get(username="bench_officer")
    after = await dossiers.complete_task(rt, task.id, {"intake_decision": "accept"}, officer, datetime.now(UTC))
    assert after.lifecycle_status == 4
    history = [e.kind for e in await dossiers.history(received["id"])]
    assert history[0] == "submitted" and "accepted" in history
