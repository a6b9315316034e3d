"""What the legal clock's timers do when they fire (registered with engine/timers.py).

    sla_due_soon  audit "sla_due_soon": the dossier is 2 working days from its due
    sla_apology   opens the apology task for the specialists, MOTCUA_APOLOGY_LEAD_DAYS (2) working days
                  before the due (the re-appointment itself is refused later than 1 before), unless
                  the dossier was already re-appointed or is no longer in process (ND118 art. 19.6)
    sla_overdue   audit "sla_overdue"
    auto_close    stops a dossier whose supplement request went unanswered (ND118 art. 19.5)

Each effect and the timer's 'fired' mark are one transaction, so a crash repeats nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from engine import dossier_rows as rows
from engine import dossiers, timers
from engine.dossier_lifecycle import Step
from engine.dossier_rows import Tx
from engine.errors import Conflict
from engine.lifecycle import Command, Status

APOLOGY_TASK = {"element_id": "apology", "name": "Văn bản xin lỗi và hẹn lại ngày trả kết quả", "lane": None,
                "role": "specialist", "form_ref": None, "kind": "apology"}
IN_PROCESS = (int(Status.ACCEPTED), int(Status.IN_PROCESS))


async def _dossier(dossier_id: int) -> dict[str, Any] | None:
    return await rows.fetch_one(rows.db(), "SELECT id, revision, lifecycle_status, extension FROM dossier "
                                           "WHERE id = ?", [dossier_id])


def _audit_row(dossier: dict[str, Any], action: str, now: datetime, details: dict[str, Any]) -> dict[str, Any]:
    return {"dossier_id": dossier["id"], "at": now, "actor": "engine", "action": action, "element_id": None,
            "task_id": None, "revision": dossier["revision"], "data_diff": "{}", "details": rows.jsonb(details)}


async def _mark(tx: Tx, timer: dict[str, Any], now: datetime) -> None:
    await tx.execute("UPDATE timer SET state = 'fired', fired_at = ? WHERE id = ? AND state = 'firing'",
                     [now, timer["id"]])


def _audit_only(action: str) -> timers.Handler:
    async def handler(timer: dict[str, Any], now: datetime) -> None:
        dossier = await _dossier(timer["dossier_id"])
        if dossier is None:
            return

        async def body(tx: Tx) -> None:
            await tx.insert_many("audit_event", [_audit_row(dossier, action, now, timer.get("payload") or {})])
            await _mark(tx, timer, now)

        await rows.transaction(body)

    return handler


async def open_apology_task(timer: dict[str, Any], now: datetime) -> None:
    dossier = await _dossier(timer["dossier_id"])
    if dossier is None or dossier["lifecycle_status"] not in IN_PROCESS or rows.unjson(dossier["extension"]):
        return  # finished, paused or already re-appointed: nothing to apologise for
    open_already = await rows.fetch_one(rows.db(), "SELECT id FROM human_task WHERE dossier_id = ? "
                                                   "AND kind = 'apology' AND state = 'ready'", [dossier["id"]])
    if open_already:
        return
    task_id = str(uuid.uuid4())

    async def body(tx: Tx) -> None:
        await tx.insert_many("human_task", [{**APOLOGY_TASK, "id": task_id, "dossier_id": dossier["id"],
                                             "state": "ready", "created_at": now, "due_at": None}])
        await tx.insert_many("audit_event", [_audit_row(dossier, "apology_task_opened", now,
                                                        {"task_id": task_id, **(timer.get("payload") or {})})])
        await _mark(tx, timer, now)

    await rows.transaction(body)


async def auto_close(timer: dict[str, Any], now: datetime) -> None:
    dossier = await _dossier(timer["dossier_id"])
    if dossier is None or dossier["lifecycle_status"] != int(Status.SUPPLEMENT_REQUESTED):
        return  # the citizen answered (the timer would have been cancelled) or the dossier ended
    try:
        await dossiers.engine_step(dossier["id"], Step(Command.STOP.value, note="auto_close"), now)
    except Conflict as exc:
        if exc.params.get("command"):  # the lifecycle no longer allows it: nothing to do
            return
        raise


timers.register("sla_due_soon", _audit_only("sla_due_soon"))
timers.register("sla_overdue", _audit_only("sla_overdue"))
timers.register("sla_apology", open_apology_task)
timers.register("auto_close", auto_close)
