"""What the national public-service portal acknowledged (table `portal_sync`), KPI 1.4, and reconcile.

The portal subscriber (integrations/portal.py) calls `acknowledge` after each 2xx answer: one row
per dossier, moved only forward (a late acknowledgement of an older revision never overwrites a
newer one). The row says "the portal holds this dossier, at this status".

* **KPI 1.4 (synced dossiers)**: `synced_dossier_ids(start, end)` = the dossiers accepted in
  ``[start, end)`` that the portal acknowledged (any revision; ``current=True``: at the dossier's
  present national status). Its length ÷ the dossiers accepted in the period is the indicator
  (RULES §4.1: the denominator is the larger of the national counts, which Motcua cannot see).
* **Reconcile** (`motcua portal reconcile`): per local day of submission (Asia/Ho_Chi_Minh), the
  local count, the acknowledged count and the portal's own count (`counts(day)`); what is missing
  is re-sent through the outbox (`outbox.resend`), never by a second queue: dossiers the portal
  never acknowledged or holds at an older status (unless a portal delivery of theirs is still
  waiting), and, when the portal counts fewer than it acknowledged (it lost some, and a count
  cannot say which), every acknowledged dossier of that day.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine import outbox, sql
from engine.workdays import LOCAL_TZ

SUBSCRIBER = "portal"
_FACTS = (
    "SELECT d.id, d.code, d.revision, d.lifecycle_status, d.channel, d.created_at, d.accepted_at, "
    "d.due_original_at, d.due_adjusted_at, d.result_at, d.returned_at, d.completed_at, p.code AS procedure_code, "
    "r.outcome, (SELECT COUNT(*) FROM attachment a WHERE a.dossier_id = d.id) AS files, "
    "(SELECT COUNT(*) FROM attachment a WHERE a.dossier_id = d.id AND a.source = 'reused') AS reused "
    "FROM dossier d JOIN procedure_version v ON v.id = d.procedure_version_id "
    "JOIN procedure p ON p.id = v.procedure_id "
    "LEFT JOIN dossier_result r ON r.dossier_id = d.id WHERE d.code = ?")
_INSTANTS = ("created_at", "accepted_at", "due_original_at", "due_adjusted_at", "result_at", "returned_at",
             "completed_at")


async def dossier_facts(code: str) -> dict[str, Any] | None:
    """What the portal record is made of (integrations/portal.py `record`): the dossier's columns, its
    procedure's national code, its result's outcome, its files and reused components; instants aware UTC."""
    found = await sql.fetch_one(sql.db(), _FACTS, [code])
    return None if found is None else {**found, **{k: sql.instant(found[k]) for k in _INSTANTS}}


async def acknowledge(dossier_id: int, revision: int, status: int, key: str, remote_id: str, at: datetime) -> None:
    """Record that the portal accepted the record of `dossier_id` at `revision` (forward only)."""
    await sql.fetch(sql.db(), (
        "INSERT INTO portal_sync (dossier_id, revision, status, key, remote_id, at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (dossier_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, "
        "key = excluded.key, remote_id = excluded.remote_id, at = excluded.at "
        "WHERE portal_sync.revision <= excluded.revision"),
        [dossier_id, revision, status, key, remote_id[:100], at.astimezone(UTC)])


async def synced_dossier_ids(start: datetime, end: datetime, *, current: bool = False) -> list[int]:
    """KPI 1.4's numerator: ids of the dossiers accepted in [start, end) that the portal acknowledged."""
    same = " AND p.status = d.lifecycle_status" if current else ""
    found = await sql.fetch(sql.db(), (
        "SELECT d.id FROM dossier d JOIN portal_sync p ON p.dossier_id = d.id "
        f"WHERE d.accepted_at >= ? AND d.accepted_at < ?{same} ORDER BY d.id"),
        [start.astimezone(UTC), end.astimezone(UTC)])
    return [int(r["id"]) for r in found]


@dataclass
class Day:
    day: date
    local: int = 0  # dossiers submitted that day
    acknowledged: int = 0  # of them, held by the portal (per portal_sync)
    remote: int | None = None  # the portal's own count
    resent: list[str] = field(default_factory=list)  # codes re-sent by this reconcile


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(LOCAL_TZ)
    return (datetime.combine(start, time.min, tz).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, tz).astimezone(UTC))


async def reconcile(counts: Callable[[date], Awaitable[int]], start: date, end: date, now: datetime, *,
                    resend: bool = True) -> list[Day]:
    """Compare local and remote counts for each day of [start, end]; re-send what is missing."""
    lower, upper = day_bounds(start, end)
    found = await sql.fetch(sql.db(), (
        "SELECT d.id, d.code, d.revision, d.lifecycle_status, d.created_at, p.status AS synced_status, "
        "(SELECT COUNT(*) FROM outbox o WHERE o.subscriber = ? AND o.dossier_id = d.id "
        " AND o.state IN ('pending', 'delivering')) AS waiting "
        "FROM dossier d LEFT JOIN portal_sync p ON p.dossier_id = d.id "
        "WHERE d.created_at >= ? AND d.created_at < ? ORDER BY d.id"), [SUBSCRIBER, lower, upper])
    tz = ZoneInfo(LOCAL_TZ)
    days = {start + timedelta(days=i): Day(start + timedelta(days=i)) for i in range((end - start).days + 1)}
    by_day: dict[date, list[dict[str, Any]]] = {d: [] for d in days}
    for row in found:
        local_day = (sql.instant(row["created_at"]) or now).astimezone(tz).date()
        if local_day in days:
            by_day[local_day].append(row)
    for day, line in days.items():  # every remote count first: a portal that fails them changes nothing here
        line.remote = await counts(day)
    again: list[tuple[int, str, int]] = []
    for day, line in days.items():
        rows = by_day[day]
        line.local = len(rows)
        line.acknowledged = sum(1 for r in rows if r["synced_status"] is not None)
        lost = (line.remote or 0) < line.acknowledged
        for r in rows:
            if int(r["waiting"]):
                continue  # its delivery is on the way: not missing
            if r["synced_status"] is None or int(r["synced_status"]) != int(r["lifecycle_status"]) or lost:
                line.resent.append(r["code"])
                again.append((int(r["id"]), r["code"], int(r["revision"])))
    if resend:
        await outbox.resend(SUBSCRIBER, again, now, tag="reconcile")
    return list(days.values())
