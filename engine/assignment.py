"""Lane → role → staff: who may work on a task, claims, and the inbox of a user's roles (most urgent first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import calendars
from engine import dossier_rows as rows
from engine.errors import Conflict, NotFound, PermissionDenied
from engine.models import AuditEvent, Dossier, HumanTask, User


@dataclass(frozen=True)
class InboxRow:
    task_id: str
    element_id: str
    task_name: str
    kind: str
    role: str | None
    claimed_by_id: int | None
    claimed_by: str | None
    created_at: datetime
    due_at: datetime | None
    dossier_code: str
    procedure_code: str
    procedure_name: str
    lifecycle_status: int
    dossier_due_at: datetime | None
    remaining: timedelta | None  # working time left until the task's (else the dossier's) due; < 0 = overdue

    @property
    def is_overdue(self) -> bool:
        return self.remaining is not None and self.remaining < timedelta(0)


async def inbox(user: User, now: datetime, *, procedure: str = "", overdue_only: bool = False,
                mine_only: bool = False, limit: int = 200) -> list[InboxRow]:
    roles = list(user.roles or []) or [""]
    found = await rows.fetch(rows.db(), (
        "SELECT t.id, t.element_id, t.name, t.kind, t.role, t.claimed_by_id, u.username AS claimed_by, t.created_at, "
        "t.due_at, d.code, d.lifecycle_status, d.due_adjusted_at, p.code AS procedure_code, p.name AS procedure_name "
        "FROM human_task t JOIN dossier d ON d.id = t.dossier_id "
        "JOIN procedure_version pv ON pv.id = d.procedure_version_id JOIN procedure p ON p.id = pv.procedure_id "
        "LEFT JOIN user_account u ON u.id = t.claimed_by_id "
        "WHERE t.state = 'ready' AND t.role IN (" + ", ".join("?" for _ in roles) + ")"
        + (" AND p.code = ?" if procedure else "") + (" AND t.claimed_by_id = ?" if mine_only else "")
        + " ORDER BY t.created_at LIMIT ?"),
        [*roles, *([procedure] if procedure else []), *([user.id] if mine_only else []), limit])
    cal = calendars.current()
    result = []
    for r in found:
        due = rows.instant(r["due_at"]) or rows.instant(r["due_adjusted_at"])
        remaining = None
        if due is not None:
            remaining = cal.working_time_between(now, due) if due >= now else -cal.working_time_between(due, now)
        result.append(InboxRow(
            r["id"], r["element_id"], r["name"], r["kind"], r["role"], r["claimed_by_id"], r["claimed_by"],
            rows.instant(r["created_at"]) or now, rows.instant(r["due_at"]), r["code"], r["procedure_code"],
            r["procedure_name"], r["lifecycle_status"], rows.instant(r["due_adjusted_at"]), remaining))
    if overdue_only:
        result = [r for r in result if r.is_overdue]
    # most urgent first: overdue, then least working time left; no due date last; ties by arrival
    result.sort(key=lambda r: (r.remaining is None, r.remaining or timedelta(0), r.created_at))
    return result


def remaining_label(remaining: timedelta | None, day_hours: float = 8.0) -> dict[str, Any]:
    """'Còn 1,5 ngày làm việc' / 'Quá hạn 2 giờ làm việc' parts for the page (formatting only there)."""
    if remaining is None:
        return {"overdue": False, "value": None, "unit": None}
    hours = abs(remaining.total_seconds()) / 3600
    if hours >= day_hours:
        return {"overdue": remaining.total_seconds() < 0, "value": round(hours / day_hours, 1), "unit": "days"}
    return {"overdue": remaining.total_seconds() < 0, "value": round(hours, 1), "unit": "hours"}


def can_work_on(user: User, role: str | None) -> bool:
    return user.kind in ("staff", "manager") and (role is None or user.has_role(role))


async def _task_for(task_id: str, user: User) -> HumanTask:
    task = await HumanTask.get_or_none(id=task_id)
    if task is None:
        raise NotFound("No such task", task_id=task_id)
    if not can_work_on(user, task.role):
        raise PermissionDenied("This task belongs to another role", task_id=task_id)
    return task


async def claim(task_id: str, user: User, now: datetime) -> HumanTask:
    task = await _task_for(task_id, user)
    updated = await HumanTask.filter(id=task.id, state="ready", claimed_by_id=None).update(
        claimed_by_id=user.id, claimed_at=now)
    if not updated:
        await task.refresh_from_db()
        if task.state == "ready" and task.claimed_by_id == user.id:
            return task
        raise Conflict("The task was claimed or completed by someone else", task_id=task_id)
    return await _audited(task, user, now, "task_claimed")


async def release(task_id: str, user: User, now: datetime) -> HumanTask:
    task = await _task_for(task_id, user)
    if not await HumanTask.filter(id=task.id, state="ready", claimed_by_id=user.id).update(
            claimed_by_id=None, claimed_at=None):
        raise Conflict("You do not hold this task", task_id=task_id)
    return await _audited(task, user, now, "task_released")


async def _audited(task: HumanTask, user: User, now: datetime, action: str) -> HumanTask:
    """Record a claim or a release on the dossier's trail; return the task as stored now."""
    await task.refresh_from_db()
    dossier = await Dossier.get(id=task.dossier_id)
    await AuditEvent.create(dossier=dossier, at=now, actor=user.username, action=action,
                            element_id=task.element_id, task_id=task.id, revision=dossier.revision)
    return task
