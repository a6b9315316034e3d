"""The reads that grow with the number of dossiers are index-backed (issue 11), on PostgreSQL with
real row counts: bench/generate.py fills a fresh database with generated dossiers (then VACUUM
ANALYZE, as autovacuum does after a bulk insert; planner settings untouched), the engine runs its
own queries (inbox and its next page, dossier view and history, task view, due timers, tracking,
the managers' search, the Decision 766 reports over their projections and the reads of /bao-cao),
Tortoise's query log gives their exact SQL and parameters, and EXPLAIN must show no sequential scan
of a table that grows with the dossiers."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from engine import dossiers, report_dimensions, report_steps, reports, sql, timers, tracking
from engine.db import close_database, open_database
from engine.dossiers import search as ds
from engine.models import Dossier, HumanTask, User
from engine.settings import Settings
from tests.conftest import PG_DSN

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
async def filled(tmp_path: Path) -> AsyncIterator[str]:
    name = f"motcua_plans_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(PG_DSN, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_DSN} is not reachable: {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_DSN.rsplit("/", 1)[0] + f"/{name}"
        await _generate_module().generate(url, DOSSIERS, progress=None)
        yield url
    finally:
        await close_database()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


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


async def _fill_projections() -> None:
    """The KPI projections of the generated dossiers, copied from their columns in two statements
    (`report_facts.rebuild` folds the event log in Python: minutes here; the plans depend on the
    rows' number and spread, which the columns give as well), then ANALYZE."""
    await sql.fetch(sql.db(), (
        "INSERT INTO report_dossier (dossier_id, code, procedure_code, sector, agency_code, reception_point, channel, "
        "submitter_kind, identity_verified, received_at, accepted_at, due_original_at, due_adjusted_at, reappointed, "
        "ended_at, result_at, returned_at, completed_at, lifecycle_status, late_flag, supplement_requests, pauses, "
        "paused_hours, time_limit, time_unit, paper_result, result_channel, e_result, has_components, reused, rating, "
        "applied_revision, applied_n, first_due_at, kpi_due_at, late_anyway, span_s) "
        "SELECT d.id, d.code, p.code, '', d.agency_code, d.reception_point, d.channel, "
        "d.submitter_kind, false, d.created_at, d.accepted_at, d.due_original_at, d.due_adjusted_at, false, "
        "COALESCE(d.result_at, d.returned_at, CASE WHEN d.lifecycle_status IN (3, 7, 8) THEN d.completed_at END), "
        "d.result_at, d.returned_at, d.completed_at, d.lifecycle_status, d.late_flag, d.supplement_requests, "
        "d.pauses, 0, pv.time_limit, pv.time_unit, true, '', d.channel = 'online', true, false, r.score, d.revision, "
        "0, "
        "d.due_original_at, d.due_adjusted_at, d.late_flag OR d.supplement_requests > 1, "
        "EXTRACT(EPOCH FROM COALESCE(d.result_at, d.returned_at, CASE WHEN d.lifecycle_status IN (3, 7, 8) "
        "THEN d.completed_at END) - d.accepted_at)::bigint + 1 "
        "FROM dossier d JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        "JOIN procedure p ON p.id = pv.procedure_id LEFT JOIN rating r ON r.dossier_id = d.id"))
    await sql.fetch(sql.db(), (
        "INSERT INTO report_task (task_id, dossier_id, element_id, name, role, kind, opened_at, due_at, completed_at, "
        "official, state, verdict) SELECT id, dossier_id, element_id, name, COALESCE(role, ''), kind, created_at, "
        "due_at, completed_at, COALESCE(completed_by, ''), state, COALESCE(verdict, '') FROM human_task"))
    await sql.fetch(sql.db(), "ANALYZE report_dossier")
    await sql.fetch(sql.db(), "ANALYZE report_task")


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
    await _fill_projections()
    log = logging.getLogger("tortoise.db_client")
    handler, level = _Queries(), log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
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
    problems = {}
    for name, queries in groups.items():
        bad = await _explain(filled, queries)
        if bad:
            problems[name] = bad
    assert not problems, f"sequential scans of large tables: {problems}"
