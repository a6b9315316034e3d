"""Migrate the running dossiers of a procedure from one published version to another.

A dry run reports, per dossier, whether it can move (no active step removed by the new model) and
what changed; the real run moves those that can, each in its own revision-checked transaction,
audited as "migrated". Dossiers that cannot move stay on their version."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine import dossiers, procedures
from engine.errors import Conflict, InvalidData, NotFound
from engine.models import Dossier, ProcedureVersion
from engine.versions import version_info

if TYPE_CHECKING:
    from engine.runtime import Runtime


async def migrate(rt: Runtime, code: str, from_number: int, to_number: int, actor: str, now: datetime,
                  *, dry_run: bool = True) -> dict[str, Any]:
    if from_number == to_number:
        raise InvalidData("Choose two different versions", fields={"from": ["same_version"]})
    procedure = await procedures.get(code)
    versions = {v.number: v for v in await ProcedureVersion.filter(procedure_id=procedure.id,
                                                                   number__in=[from_number, to_number])}
    if from_number not in versions or to_number not in versions:
        raise NotFound("No such version", code=code, numbers=[from_number, to_number])
    target = await version_info(versions[to_number].id, versions[to_number].digest)
    running = await Dossier.filter(procedure_version_id=versions[from_number].id, status="processing").order_by("id")
    reports = []
    for dossier in running:
        try:
            reports.append(await dossiers.migrate_to(rt, dossier.id, target, actor, now, dry_run=dry_run))
        except Conflict:  # changed while we looked: report it, the admin runs the migration again
            reports.append({"code": dossier.code, "ok": False, "blockers": ["changed concurrently"]})
    return {"procedure": code, "from": from_number, "to": to_number, "dry_run": dry_run,
            "dossiers": reports, "movable": sum(1 for r in reports if r["ok"]), "total": len(reports)}
