"""The reads that grow with the number of dossiers are index-backed (issue 11), on PostgreSQL with
real row counts: bench/generate.py fills a fresh database with generated dossiers and their reporting
projections (then VACUUM ANALYZE, as autovacuum does after a bulk insert; planner settings untouched),
the engine runs its own queries (inbox and its next page, dossier view and history, task view, due timers, tracking,
the managers' search, the Decision 766 reports over their projections and the reads of /bao-cao),
Tortoise's query log gives their exact SQL and parameters, and EXPLAIN must show no sequential scan
of a table that grows with the dossiers."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from engine import dossiers, report_dimensions, report_steps, reports, timers, tracking
from engine.db import open_database
from engine.dossiers import search as ds
from engine.models import Dossier, HumanTask, User
from engine.settings import Settings
from tests.conftest import empty_pg_database

ROOT = Path(__file__).resolve().parents[2]
DOSSIERS = int(os.environ.get("MOTCUA_PLAN_DOSSIERS", "20000"))
#: the tables whose size follows the number of dossiers
LARGE = {"dossier", "human_task", "audit_event", "timer", "outbox", "attachment", "dossier_pause",
         "dossier_result", "rating", "report_dossier", "report_task"}


def _generate_module() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def filled() -> AsyncIterator[str]:
    async with empty_pg_database("motcua_plans") as url:
        await _generate_module().generate(url, DOSSIERS, progress=None)
        yield url


class _Queries(logging.Handler):
    """Tortoise logs every statement with its parameters at DEBUG ("%s: %s", query, values)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str, list[Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], str):
            query, values = args
            if query.lstrip().upper().startswith("SELECT"):
                self.seen.append((query, list(values or [])))


def _seq_scans(plan: dict[str, Any]) -> list[str]:
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in LARGE:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += _seq_scans(child)
    return found


async def _explain(url: str, queries: list[tuple[str, list[Any]]]) -> dict[str, list[str]]:
    conn = await asyncpg.connect(url)
    try:
        bad = {}
        for query, values in queries:
            plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {query}", *values)
            scans = _seq_scans(json.loads(plan)[0]["Plan"])
            if scans:
                bad[query] = scans
        return bad
    finally:
        await conn.close()


async def test_the_hot_reads_use_indexes_on_a_filled_database(filled: str, tmp_path: Path) -> None:
    from web.app import build_runtime

    settings = Settings(database_url=filled, secret_key="bench", data_dir=tmp_path)
    await open_database(settings)
    rt = build_runtime(settings)
    await rt.start()
    assert await Dossier.all().count() >= DOSSIERS
    now = datetime.now(UTC)
    open_task = await HumanTask.filter(state="ready", role="specialist").first()
    assert open_task is not None
    dossier = await Dossier.get(id=open_task.dossier_id)
    staff = {role: await User.get(username=f"bench_{who}") for role, who in
             (("one_stop", "officer"), ("specialist", "specialist"), ("leader", "leader"))}
    calendar = rt.calendars.value
    log = logging.getLogger("tortoise.db_client")
    handler, level = _Queries(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    # build_runtime installed the log redaction (engine/redaction.py), which turns an argument whose
    # text looks like a phone number into a masked string: a task's UUID such as 9f0ffec4-0123-4567-89…
    # made the values list a 35-character string here once (CI, 04/12/2026). The plans need the values.
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    groups: dict[str, list[tuple[str, list[Any]]]] = {}

    async def group(name: str, *calls: Any) -> None:
        start = len(handler.seen)
        for call in calls:
            await call
        groups[name] = handler.seen[start:]
        assert groups[name], name

    try:
        for role, user in staff.items():
            first = await dossiers.inbox(rt, user, now, limit=5)
            await group(f"inbox {role}", dossiers.inbox(rt, user, now, limit=5, cursor=first.next_cursor),
                        dossiers.inbox(rt, user, now, overdue_only=True),
                        dossiers.inbox(rt, user, now, procedure="1.001193"),
                        dossiers.inbox_counts(user, now), dossiers.inbox_counts(user, now, procedure="1.001193"))
        await group("dossier view and history", dossiers.view(rt, dossier.code, staff["one_stop"]))
        await group("task view", dossiers.task_view(rt, open_task.id, staff["specialist"]))
        await group("due timers", timers.fire_batch(rt, now - timedelta(days=3650), 100), timers.next_due())
        await group("tracking", tracking.find(rt, dossier.code, dossier.applicant_phone))
        first_page = await ds.search(ds.SearchFilters(), now)
        today = now.date()
        await group("search", *(ds.search(f, now) for f in (
            ds.SearchFilters(name="nguyen van an"), ds.SearchFilters(code=dossier.code[:-5]),
            ds.SearchFilters(status=5), ds.SearchFilters(overdue=True), ds.SearchFilters(procedure="2.000720"),
            ds.SearchFilters(received_from=today - timedelta(days=7), received_to=today),
            ds.SearchFilters(accepted_from=date(today.year - 1, 1, 1), accepted_to=date(today.year - 1, 1, 31)),
            ds.SearchFilters(overdue=True, status=4))),
            ds.search(ds.SearchFilters(), now, cursor=first_page.next_cursor),
            ds.search(ds.SearchFilters(), now, agencies=["000.00.31.H29"]))  # a commune's staff
        quarter = reports.quarter_of(reports.quarter_of(now.date()).start - timedelta(days=1))
        month = reports.month_of(quarter.start)
        await group("reports (Decision 766)", reports.scorecard(quarter, calendar),
                    reports.scorecard(month, calendar, agencies=["000.00.31.H29"], procedure="1.001193"),
                    report_dimensions.breakdown(month, calendar, "official"),
                    report_dimensions.breakdown(month, calendar, "official", agencies=["000.00.31.H29"]),
                    report_dimensions.trend(3, calendar, until=quarter.end, agency="000.00.00.H26"),
                    report_dimensions.breakdown(quarter, calendar, "agency"),
                    report_dimensions.breakdown(month, calendar, "procedure", agency="000.00.31.H29"),
                    reports.members(quarter, calendar, "2.1", "late", limit=50),
                    reports.members(month, calendar, "2.1", "late", agency="000.00.31.H29", after=1, limit=50),
                    reports.members(month, calendar, "3.3", "hits", agency="000.00.31.H29", limit=50),
                    reports.members(month, calendar, "2.2", "population", procedure="1.001193", limit=50),
                    reports.members(quarter, calendar, "2.1", "late", limit=200, counted=False))
        lower, upper = quarter.bounds()
        await group("/bao-cao (Decision 766 page)", report_dimensions.overview(quarter, calendar),
                    report_dimensions.trend(6, calendar, until=quarter.end),
                    report_steps.counts(lower, upper), report_steps.counts(lower, upper, agencies=["000.00.31.H29"]),
                    report_steps.dossiers(lower, upper, "bench_specialist", "tre", limit=50),
                    report_steps.dossiers(lower, upper, "bench_specialist", "tong", procedure="1.001193", limit=50))
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        logging.setLogRecordFactory(factory)
    problems = {}
    for name, queries in groups.items():
        bad = await _explain(filled, queries)
        if bad:
            problems[name] = bad
    assert not problems, f"sequential scans of large tables: {problems}"
