"""Retention of personal data (Law 91/2025, Decree 356/2025; SECURITY.md §2.1 item 5, ASVS V14.2.7).

A procedure keeps a dossier's personal data for `retention_years` after the dossier ended (its
metadata, engine/metadata.py; blank = MOTCUA_RETENTION_YEARS). After that `purge()` removes it and
keeps the register row (Form 07, the KPIs): code, procedure version, channel, dates, national status,
refusal and extension records, task projections and verdicts, the trail's events.

Removed, per dossier in ONE transaction (engine/dossiers/store.commit): the applicant columns; the
workflow state's data (every value of every `data` map in the serialized state becomes null: the
keys and the task tree stay, so the staff page and the diagram still open); the trail's data diffs;
attachments' names and content references (`sha256` emptied: the document can no longer be opened)
and the result document's reference; rating comments; the channel-exception reason. The dossier
gets `purged_at` and a `personal_data_purged` event. Files are deleted after the commit when no
other attachment still references the same content (storage is content-addressed).

Abandoned application drafts (engine/drafts.py keeps one 30 days) are deleted one day after that
(SECURITY.md: "a 31-day-old abandoned draft and its files are purged"), with the files they alone
referenced.

A dossier "ended" when its national status is 3 (not accepted), 7 (withdrawn), 8 (stopped) or 10
(result returned); it ended at `returned_at`, else `completed_at`, else its last update. Re-running
is a no-op: purged dossiers are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine import drafts, sql
from engine import events as ev
from engine.dossiers.store import Change, commit, load_dossier
from engine.errors import Conflict
from engine.models import ApplicationDraft

if TYPE_CHECKING:
    from engine.runtime import Runtime

ENDED_STATUSES = (3, 7, 8, 10)
DRAFTS_AFTER = drafts.KEEP_FOR + timedelta(days=1)
MAX_YEARS = 100


@dataclass
class Report:
    due: list[str] = field(default_factory=list)  # dossier codes past their retention period
    purged: list[str] = field(default_factory=list)
    files_deleted: int = 0
    skipped: list[str] = field(default_factory=list)  # changed by another command meanwhile: next run
    drafts: int = 0  # abandoned drafts past DRAFTS_AFTER (deleted when applied)


def years_of(metadata: dict[str, Any] | None, default: int) -> int:
    value = (metadata or {}).get("retention_years")
    return value if isinstance(value, int) and 1 <= value <= MAX_YEARS else default


def _years_before(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


async def due(now: datetime, default_years: int) -> list[tuple[int, str, int]]:
    """(id, code, years) of the dossiers whose retention period is over and that still hold personal data."""
    marks = ", ".join("?" for _ in ENDED_STATUSES)
    rows = await sql.fetch(sql.db(), (
        "SELECT d.id, d.code, d.returned_at, d.completed_at, d.updated_at, pv.metadata FROM dossier d "
        "JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        f"WHERE d.purged_at IS NULL AND d.lifecycle_status IN ({marks}) ORDER BY d.id"), list(ENDED_STATUSES))
    out = []
    for row in rows:
        years = years_of(sql.unjson(row["metadata"]), default_years)
        ended = sql.instant(row["returned_at"] or row["completed_at"] or row["updated_at"])
        if ended is not None and ended < _years_before(now.astimezone(UTC), years):
            out.append((int(row["id"]), str(row["code"]), years))
    return out


def redact_state(state: str) -> str:
    """The serialized workflow with every value of every `data` map set to null (keys and tree kept)."""
    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: ({dk: None for dk in v} if k == "data" and isinstance(v, dict) else walk(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node
    return json.dumps(walk(json.loads(state)), ensure_ascii=False, separators=(",", ":"))


async def purge_one(rt: Runtime, dossier_id: int, years: int, now: datetime) -> list[str]:
    """Purge one dossier in one transaction; the content hashes whose files may now be deleted."""
    loaded = await load_dossier(dossier_id=dossier_id)
    d = loaded.dossier
    if d.purged_at is not None:
        return []
    hashes = [str(r["sha256"]) for r in await sql.fetch(
        sql.db(), "SELECT sha256 FROM attachment WHERE dossier_id = ? AND sha256 <> ''", [d.id])]
    exception = dict(d.channel_exception or {})
    if "reason" in exception:
        exception["reason"] = ""
    change = Change(columns={
        "applicant_name": "", "applicant_name_folded": "", "applicant_id_hash": "", "applicant_phone": "",
        "applicant_email": "", "state": redact_state(d.state), "purged_at": now.astimezone(UTC),
        "channel_exception": exception or None})
    change.statements += [
        ("UPDATE attachment SET name = '', sha256 = '' WHERE dossier_id = ?", [d.id], False),
        ("UPDATE audit_event SET data_diff = ? WHERE dossier_id = ?", [sql.jsonb({}), d.id], False),
        ("UPDATE rating SET comment = '' WHERE dossier_id = ?", [d.id], False),
        ("UPDATE dossier_result SET document = NULL WHERE dossier_id = ?", [d.id], False),
        # the trail's copy of the channel exception loses its reason too
        ("UPDATE audit_event SET details = ? WHERE dossier_id = ? AND action = 'channel_exception'",
         [sql.jsonb({"details": exception}), d.id], False),
    ]
    change.event(ev.PersonalDataPurged, d, d.revision + 1, now, "engine", retention_years=years, files=len(hashes))
    await commit(rt, loaded, change, now)
    return hashes


def _draft_hashes(found: list[ApplicationDraft]) -> set[str]:
    return {str(ref.get("sha256")) for d in found for refs in drafts.files(d).values() for ref in refs
            if isinstance(ref, dict) and ref.get("sha256")}


async def _unreferenced(hashes: list[str]) -> list[str]:
    """Those no attachment and no remaining draft references (the store is content-addressed)."""
    candidates = sorted(set(hashes))
    if not candidates:
        return []
    in_drafts = _draft_hashes(await ApplicationDraft.all())
    out = []
    for digest in candidates:
        if digest in in_drafts:
            continue
        if await sql.fetch_one(sql.db(), "SELECT 1 AS x FROM attachment WHERE sha256 = ?", [digest]) is None:
            out.append(digest)
    return out


async def purge_drafts(now: datetime, folder: Path, *, apply: bool) -> tuple[int, int]:
    """(abandoned drafts, files deleted): drafts untouched for DRAFTS_AFTER go, with the files only they held."""
    old = await ApplicationDraft.filter(updated_at__lt=now.astimezone(UTC) - DRAFTS_AFTER)
    if not apply or not old:
        return len(old), 0
    hashes = _draft_hashes(old)
    await ApplicationDraft.filter(id__in=[d.id for d in old]).delete()
    return len(old), sum(_delete(folder, h) for h in await _unreferenced(sorted(hashes)))


def _delete(folder: Path, digest: str) -> bool:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        return False
    path = folder / digest[:2] / digest
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


async def purge(rt: Runtime, now: datetime, *, apply: bool) -> Report:
    """The dossiers past retention (dry run), or purge them (`apply`): one transaction per dossier."""
    default = rt.settings.retention_years
    report = Report()
    folder = rt.settings.data_dir / "uploads"
    for dossier_id, code, years in await due(now, default):
        report.due.append(code)
        if not apply:
            continue
        try:
            hashes = await purge_one(rt, dossier_id, years, now)
        except Conflict:
            report.skipped.append(code)
            continue
        report.purged.append(code)
        report.files_deleted += sum(_delete(folder, h) for h in await _unreferenced(hashes))
    report.drafts, deleted = await purge_drafts(now, folder, apply=apply)
    report.files_deleted += deleted
    return report
