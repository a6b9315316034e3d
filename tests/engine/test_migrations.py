"""The migrations in engine/migrations describe exactly the current models."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from tortoise import Tortoise
from tortoise.cli.cli import tortoise_cli_context
from tortoise.migrations.api.migrate import migrate as _migrate
from tortoise.migrations.autodetector import MigrationAutodetector

from engine.db import connection_name, tortoise_config
from tests.conftest import empty_pg_database, run_sync

T = TypeVar("T")


def _on_fresh_postgresql(check: Callable[[str], T]) -> T:
    """`check(url)` on a fresh, empty PostgreSQL database (tests.conftest.empty_pg_database: skipped
    without the server, failed in CI), dropped after."""

    async def fresh() -> T:
        async with empty_pg_database("motcua_mig") as url:
            return await asyncio.to_thread(check, url)

    return run_sync(fresh)


async def test_models_have_no_changes_missing_from_the_migrations() -> None:
    config = tortoise_config("sqlite://:memory:")
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    assert not writers, "models changed: run `tortoise -c engine.db.TORTOISE_ORM makemigrations`"


def _backfilled_version(url: str) -> tuple[object, str]:
    """Migrate to 0005, store a version published under the old schema, migrate on; its limit."""

    async def run() -> tuple[object, str]:
        config = tortoise_config(url)
        await _migrate(config=config, target="models.0005_drafts")
        conn = Tortoise.get_connection(connection_name(url))
        await conn.execute_query(
            "INSERT INTO procedure (code, slug, name, name_en, agency, time_limit, time_unit, fee, online_level, "
            "components, created_at) VALUES ('9.999', '', 'P', '', '', 3, 'calendar_days', '', 'partial', '[]', "
            "'2026-01-01T00:00:00+00:00')")
        await conn.execute_query(
            "INSERT INTO procedure_version (procedure_id, number, status, process_id, bpmn_xml, digest, spec_json, "
            "forms, lanes, elements, published_by, published_at) SELECT id, 1, 'published', 'p', '', 'd', '', "
            "'{}', '{}', '{}', '', '2026-01-01T00:00:00+00:00' FROM procedure")
        await Tortoise.close_connections()
        await _migrate(config=config)
        conn = Tortoise.get_connection(connection_name(url))
        _, rows = await conn.execute_query("SELECT time_limit, time_unit FROM procedure_version")
        await Tortoise.close_connections()
        return rows[0]["time_limit"], rows[0]["time_unit"]

    return run_sync(run)


def test_0006_copies_each_procedures_time_limit_onto_its_existing_versions(tmp_path: Path) -> None:
    limit, unit = _backfilled_version(f"sqlite://{tmp_path / 'old.sqlite3'}")
    assert (Decimal(str(limit)), unit) == (Decimal(3), "calendar_days")


def test_0006_backfill_runs_on_postgresql() -> None:
    limit, unit = _on_fresh_postgresql(_backfilled_version)
    assert (Decimal(str(limit)), unit) == (Decimal(3), "calendar_days")


def _backfilled_names(url: str) -> list[tuple[str, str]]:
    """Migrate to 0008, store dossiers with applicant names, migrate on; (name, folded) pairs."""

    async def run() -> list[tuple[str, str]]:
        config = tortoise_config(url)
        await _migrate(config=config, target="models.0008_spine")
        conn = Tortoise.get_connection(connection_name(url))
        await conn.execute_query(
            "INSERT INTO procedure (code, slug, name, name_en, agency, time_limit, time_unit, fee, online_level, "
            "components, created_at) VALUES ('9.999', '', 'P', '', '', 3, 'calendar_days', '', 'partial', '[]', "
            "'2026-01-01T00:00:00+00:00')")
        await conn.execute_query(
            "INSERT INTO procedure_version (procedure_id, number, status, process_id, bpmn_xml, digest, spec_json, "
            "forms, lanes, elements, published_by, published_at) SELECT id, 1, 'published', 'p', '', 'd', '', "
            "'{}', '{}', '{}', '', '2026-01-01T00:00:00+00:00' FROM procedure")
        for i, name in enumerate(["Đặng  Thị HOÀ", "", "Nguyễn Văn Ánh"]):
            await conn.execute_query(
                "INSERT INTO dossier (code, procedure_version_id, status, revision, state, serializer_version, "
                "channel, submitter_kind, lifecycle_status, reception_point, applicant_name, supplement_requests, "
                "supplement_overridden, pauses, created_at, updated_at) SELECT "
                f"'C-{i}', id, 'processing', 0, '{{}}', '1.5', 'online', 'citizen', 1, '', '{name}', 0, false, '[]', "
                "'2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00' FROM procedure_version")
        await Tortoise.close_connections()
        await _migrate(config=config)
        conn = Tortoise.get_connection(connection_name(url))
        _, rows = await conn.execute_query("SELECT applicant_name, applicant_name_folded FROM dossier ORDER BY code")
        await Tortoise.close_connections()
        return [(r["applicant_name"], r["applicant_name_folded"]) for r in rows]

    return run_sync(run)


EXPECTED_NAMES = [("Đặng  Thị HOÀ", "dang thi hoa"), ("", ""), ("Nguyễn Văn Ánh", "nguyen van anh")]


def test_0013_folds_the_names_of_existing_dossiers(tmp_path: Path) -> None:
    assert _backfilled_names(f"sqlite://{tmp_path / 'old.sqlite3'}") == EXPECTED_NAMES


def test_0013_backfill_runs_on_postgresql() -> None:
    assert _on_fresh_postgresql(_backfilled_names) == EXPECTED_NAMES


def _backfilled_spans(url: str) -> list[tuple[object, object]]:
    """Migrate to 0027, store facts rows (ended 1.5 s after acceptance and late-flagged; open), migrate
    on: (span_s, late_anyway) filled by 0028 without the calendar."""

    async def run() -> list[tuple[object, object]]:
        config = tortoise_config(url)
        await _migrate(config=config, target="models.0027_target_audit")
        conn = Tortoise.get_connection(connection_name(url))
        for i, (ended, flag) in enumerate((("'2026-10-05T01:00:01.500000+00:00'", "true"), ("NULL", "false"))):
            await conn.execute_query(
                "INSERT INTO report_dossier (dossier_id, code, procedure_code, sector, agency_code, reception_point, "
                "channel, submitter_kind, identity_verified, accepted_at, ended_at, reappointed, lifecycle_status, "
                "late_flag, supplement_requests, pauses, paused_hours, time_limit, time_unit, paper_result, "
                "result_channel, e_result, has_components, reused, applied_revision, applied_n) VALUES "
                f"({i + 1}, 'C-{i}', '', '', '', '', 'online', 'citizen', false, '2026-10-05T01:00:00+00:00', {ended}, "
                f"false, 4, {flag}, 0, '[]', 0, 2, 'working_days', true, '', false, false, false, 0, -1)")
        await Tortoise.close_connections()
        await _migrate(config=config)
        conn = Tortoise.get_connection(connection_name(url))
        _, rows = await conn.execute_query("SELECT span_s, late_anyway FROM report_dossier ORDER BY dossier_id")
        await Tortoise.close_connections()
        return [(r["span_s"], bool(r["late_anyway"])) for r in rows]

    return run_sync(run)


def _spans_ok(spans: list[tuple[object, object]]) -> None:
    assert spans[1] == (None, False) and spans[0][1] is True
    assert 2 <= int(str(spans[0][0])) <= 4  # 1.5 s, rounded up: a bound, never short


def test_0028_fills_the_span_and_the_late_flag_of_existing_facts(tmp_path: Path) -> None:
    _spans_ok(_backfilled_spans(f"sqlite://{tmp_path / 'old.sqlite3'}"))


def test_0028_backfill_runs_on_postgresql() -> None:
    _spans_ok(_on_fresh_postgresql(_backfilled_spans))
