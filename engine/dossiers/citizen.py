"""The citizen's commands on their dossier: the online supplement (its arrival) and the rating."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tortoise.exceptions import IntegrityError

from engine import events as ev
from engine import sql
from engine.dossiers.row import DossierRow
from engine.dossiers.store import Change, commit, load_dossier
from engine.errors import Conflict, InvalidData
from engine.lifecycle import Status

if TYPE_CHECKING:
    from engine.runtime import Runtime


async def add_supplement(rt: Runtime, code: str, files: list[dict[str, Any]], note: str, actor: str,
                         now: datetime) -> DossierRow:
    """The citizen's online answer to a supplement request: it is the supplement's arrival. The
    auto-close timer stops; the one-stop officer then confirms it complete (`receive_supplement`:
    the clock restarts from this arrival) or returns it as still incomplete (`return_supplement`)."""
    loaded = await load_dossier(code=code)
    d = loaded.dossier
    if d.lifecycle_status != int(Status.SUPPLEMENT_REQUESTED):
        raise Conflict("No supplement is requested for this dossier", status=d.lifecycle_status)
    if not files:
        raise InvalidData("Choose at least one file", fields={"files": ["required"]})
    now = now.astimezone(UTC)
    change = Change(audit_data_diff={"note": note[:2000]} if note else None)
    change.cancel_timer_kinds |= {"auto_close"}
    pauses = copy.deepcopy(d.pauses or [])
    for pause in pauses:
        if pause.get("end_at") is None and pause.get("reason") == "supplement":
            pause["arrived_at"] = now.isoformat()  # the end of the pause once the officer confirms it
    change.columns["pauses"] = pauses
    rows = [{"dossier_id": d.id, "component": str(f.get("component") or "supplement")[:200],
             "name": str(f.get("name", ""))[:255], "sha256": str(f.get("sha256", "")), "size": int(f.get("size") or 0),
             "content_type": str(f.get("content_type", ""))[:100], "source": "supplement", "at": now} for f in files]
    change.inserts["attachment"] = rows
    change.event(ev.SupplementReceived, d, d.revision + 1, now, actor, source="online",
                 files=tuple(r["name"] for r in rows))
    change.event(ev.AttachmentsAdded, d, d.revision + 1, now, actor,
                 components=tuple(sorted({r["component"] for r in rows})), source="supplement")
    return await commit(rt, loaded, change, now)


async def rate(rt: Runtime, code: str, score: object, comment: object, now: datetime) -> DossierRow:
    loaded = await load_dossier(code=code)
    d = loaded.dossier
    if d.lifecycle_status not in (int(Status.FINISHED), int(Status.RETURNED)):
        raise Conflict("A dossier can be rated once its result is ready", status=d.lifecycle_status)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidData("Choose a rating", fields={"score": ["choice"]})
    if not isinstance(comment, str) or len(comment) > 2000:
        raise InvalidData("Comment too long", fields={"comment": ["max_length"]})
    if await sql.fetch_one(sql.db(), "SELECT id FROM rating WHERE dossier_id = ?", [d.id]):
        raise Conflict("This dossier has already been rated")
    change = Change()
    change.inserts["rating"] = [{"dossier_id": d.id, "score": score, "comment": comment.strip(), "at": now}]
    change.event(ev.Rated, d, d.revision + 1, now, "citizen", score=score)
    try:
        return await commit(rt, loaded, change, now)
    except IntegrityError:
        raise Conflict("This dossier has already been rated") from None
