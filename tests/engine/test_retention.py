"""Retention (Law 91/2025, SECURITY.md §2.1 item 5): after a procedure's retention period a dossier
loses its personal data (applicant columns, workflow data, files, rating comment) and keeps its
register row (code, procedure, dates, statuses, channel, verdicts); a younger one is untouched;
re-running is a no-op. Both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx

from engine import dossiers, metadata, retention
from engine.models import Attachment, AuditEvent, Dossier, HumanTask, ProcedureVersion, Rating
from tests.factories import APPLICATIONS, ROOT, page_login, publish_shipped, rt

OLD = datetime(2019, 3, 4, 2, 0, tzinfo=UTC)
YOUNG = datetime(2025, 6, 2, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
OWNER, ID_NUMBER = "Lê Văn Nam", "001088004567"


def _text(state: str) -> str:
    return json.dumps(json.loads(state), ensure_ascii=False)


async def _refused(users: dict[str, Any], at: datetime) -> Dossier:
    d = await dossiers.submit(rt(), "2.000720", APPLICATIONS["household-business"], now=at, user=users["citizen"])
    task = await HumanTask.get(dossier_id=d.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "refuse", "intake_note": "Không thuộc thẩm quyền"},
                                 users["officer"], at)
    return await Dossier.get(id=d.id)


def _file(content: bytes) -> str:
    import hashlib

    digest = hashlib.sha256(content).hexdigest()
    path = rt().settings.data_dir / "uploads" / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return digest


async def _attach(d: Dossier, digest: str, name: str) -> None:
    await Attachment.create(dossier_id=d.id, component="owner_id_card", name=name, sha256=digest, size=10,
                            content_type="application/pdf", at=d.created_at)


async def test_purge_removes_personal_data_and_keeps_the_register(db: object, users: dict[str, Any],
                                                                   client: httpx.AsyncClient) -> None:
    await publish_shipped("household-business")
    old, young = await _refused(users, OLD), await _refused(users, YOUNG)
    shared, own = _file(b"%PDF-shared"), _file(b"%PDF-only-old")
    await _attach(old, shared, "cccd-le-van-nam.pdf")
    await _attach(old, own, "so-ho-khau-le-van-nam.pdf")
    await _attach(young, shared, "cccd.pdf")
    await Rating.create(dossier_id=old.id, score=2, comment="Tôi là Lê Văn Nam, gọi 0912345678", at=OLD)
    assert OWNER in _text(old.state) and old.applicant_name == OWNER and old.lifecycle_status == 3

    tasks_before = [(t.element_id, t.verdict, t.completed_at) for t in
                    await HumanTask.filter(dossier_id=old.id).order_by("created_at")]
    dry = await retention.purge(rt(), NOW, apply=False)
    assert dry.due == [old.code] and dry.purged == []
    assert (await Dossier.get(id=old.id)).revision == old.revision

    report = await retention.purge(rt(), NOW, apply=True)
    assert report.purged == [old.code] and report.files_deleted == 1
    d = await Dossier.get(id=old.id)
    # personal data gone
    assert (d.applicant_name, d.applicant_name_folded, d.applicant_id_hash, d.applicant_phone, d.applicant_email) == (
        "", "", "", "", "")
    text = _text(d.state)
    assert OWNER not in text and ID_NUMBER not in text and "Cầu Giấy" not in text and "business_name" in text
    files = await Attachment.filter(dossier_id=old.id)
    assert [(a.sha256, a.name) for a in files] == [("", ""), ("", "")]
    uploads = rt().settings.data_dir / "uploads"
    assert not (uploads / own[:2] / own).exists() and (uploads / shared[:2] / shared).exists()  # young one keeps it
    assert (await Rating.get(dossier_id=old.id)).comment == ""
    diffs = [json.dumps(e.data_diff, ensure_ascii=False) for e in await AuditEvent.filter(dossier_id=old.id)]
    assert not [x for x in diffs if OWNER in x or ID_NUMBER in x]
    # the register stays
    assert (d.code, d.procedure_version_id, d.lifecycle_status, d.channel, d.created_at) == (
        old.code, old.procedure_version_id, 3, old.channel, old.created_at)
    assert d.refusal == old.refusal and d.purged_at == NOW
    assert tasks_before and tasks_before == [(t.element_id, t.verdict, t.completed_at) for t in
                                             await HumanTask.filter(dossier_id=old.id).order_by("created_at")]
    assert await AuditEvent.filter(dossier_id=old.id, action="personal_data_purged").count() == 1
    # the younger dossier is untouched
    y = await Dossier.get(id=young.id)
    assert (y.state, y.applicant_name, y.revision, y.purged_at) == (young.state, OWNER, young.revision, None)
    assert (await Attachment.get(dossier_id=young.id)).sha256 == shared
    # re-running is a no-op
    again = await retention.purge(rt(), NOW, apply=True)
    assert again.due == [] and again.purged == [] and (await Dossier.get(id=old.id)).revision == d.revision

    # the staff page still opens, says so, and shows no personal data
    await page_login(client, "officer")
    page = await client.get(f"/can-bo/ho-so/{old.code}")
    assert page.status_code == 200 and "Đã xoá dữ liệu cá nhân theo thời hạn lưu trữ" in page.text
    assert OWNER not in page.text and ID_NUMBER not in page.text


async def test_a_procedure_s_own_retention_period_wins(db: object, users: dict[str, Any]) -> None:
    await publish_shipped("household-business")
    young = await _refused(users, YOUNG)
    assert await retention.purge(rt(), NOW, apply=False) == retention.Report()
    version = await ProcedureVersion.get(id=young.procedure_version_id)
    version.metadata = {**(version.metadata or {}), "retention_years": 1}
    await version.save()
    assert (await retention.purge(rt(), NOW, apply=False)).due == [young.code]


def test_the_retention_period_is_checked_in_the_metadata() -> None:
    base = {"name": "Thủ tục", "time_limit": "3"}
    clean, problems = metadata.check({**base, "retention_years": "10"}, None, "1.0")
    assert clean["retention_years"] == 10 and not [p for p in problems if p.component == "retention_years"]
    clean, problems = metadata.check(base, None, "1.0")
    assert clean["retention_years"] is None
    for bad in ("0", "abc", "101", "2.5"):
        _, problems = metadata.check({**base, "retention_years": bad}, None, "1.0")
        assert [p.code for p in problems if p.component == "retention_years"] == ["metadata_number"], bad
    assert retention.years_of({"retention_years": 10}, 5) == 10 and retention.years_of({}, 5) == 5


async def test_abandoned_drafts_and_their_own_files_are_purged(db: object, users: dict[str, Any]) -> None:
    from datetime import timedelta

    from engine import drafts

    own, shared = _file(b"%PDF-draft-only"), _file(b"%PDF-draft-shared")
    ref = {"name": "a.pdf", "content_type": "application/pdf", "size": 10}
    await drafts.save(users["citizen"], "2.000720", {"owner_full_name": OWNER}, NOW - timedelta(days=32),
                      files={"owner_id_card": [{**ref, "sha256": own}, {**ref, "sha256": shared}]})
    await drafts.save(users["citizen2"], "2.000720", {"owner_full_name": "Khác"}, NOW - timedelta(days=2),
                      files={"owner_id_card": [{**ref, "sha256": shared}]})
    dry = await retention.purge(rt(), NOW, apply=False)
    assert dry.drafts == 1 and await drafts.ApplicationDraft.all().count() == 2
    report = await retention.purge(rt(), NOW, apply=True)
    assert (report.drafts, report.files_deleted) == (1, 1)
    left = await drafts.ApplicationDraft.all()
    assert [d.user_id for d in left] == [users["citizen2"].id]
    uploads = rt().settings.data_dir / "uploads"
    assert not (uploads / own[:2] / own).exists() and (uploads / shared[:2] / shared).exists()
    assert (await retention.purge(rt(), NOW, apply=True)).drafts == 0


async def test_the_purge_command_dry_run_then_apply(db: Any, users: dict[str, Any]) -> None:
    """`motcua purge` in its own process on the test's database (SQLite file or PostgreSQL)."""
    import asyncio
    import os
    import subprocess
    import sys

    await publish_shipped("household-business")
    old = await _refused(users, OLD)  # ended in 2019: past the default 5 years whatever today is
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_") and k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=db.database_url, MOTCUA_DATA_DIR=str(db.data_dir),
               MOTCUA_SECRET_KEY=db.secret_key or "k" * 32)

    def run(flag: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "web.cli", "purge", flag], cwd=db.data_dir, env=env,
                              capture_output=True, text=True, timeout=120)

    dry = await asyncio.to_thread(run, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"due: {old.code}" in dry.stdout and "dry run" in dry.stdout
    assert (await Dossier.get(id=old.id)).purged_at is None
    done = await asyncio.to_thread(run, "--apply")
    assert done.returncode == 0, done.stderr
    assert f"purged: {old.code}" in done.stdout
    d = await Dossier.get(id=old.id)
    assert d.purged_at is not None and d.applicant_name == ""
