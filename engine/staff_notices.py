"""In-app notices for staff: written by an outbox subscriber, read by the staff pages and the API.

What each delivered event writes (one row per target, never per member of a role):

    task_opened          the task's role, within the dossier's agency ("a task arrived in your inbox")
    due_soon, overdue    each open task's holder: its claimant, else its role
    overdue              + `escalation` to the head of the one-stop unit (ND118 art. 19.4.c)
    due_soon, overdue    + `escalation` for each open step already past its own budget (a consulted
                         agency that has not answered in time, art. 19.4.c and 20.2)
    task_completed late  + `escalation`: a step answered after its budget
    supplement_received  the citizen's online supplement (files): `supplement` to the roles that confirm
                         it (permissions.STEP_ROLES["receive_supplement"]); its confirmation (or a
                         supplement taken at the counter): `task_resumed` to each held task's holder

A task that opens while the dossier waits for the citizen's supplement (status 5: its tasks are held,
409 `waiting_for_citizen`) tells nobody then: "a task arrived" for a task nobody may do yet was noise,
and the same words came again for the loop back to the intake check. Its notice is `task_resumed`,
when the supplement is in.

The head of the one-stop unit is whoever holds the role HEAD_ROLE ("one_stop_head", given under
/quan-tri/nguoi-dung like any role; the demo's `lanhdao` holds it), within the dossier's agency.

Idempotent per outbox key: each row's `key` is "<outbox key>/<kind>/<target>", unique, inserted
with ON CONFLICT DO NOTHING, so a repeated delivery writes nothing more. A role's notice is read
per user (`staff_notice_read`); a user's notice keeps its own `read_at`. Staff see only the
notices of their agencies' dossiers (engine.agencies.visible_agencies, as the inbox); citizens
and administrators see none. Lists and counts cover the last KEEP days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine import agencies, permissions, sql
from engine.errors import NotFound
from engine.lifecycle import Status
from engine.models import User
from engine.outbox import Delivery

HEAD_ROLE = "one_stop_head"
WAITING_FOR_SUPPLEMENT = int(Status.SUPPLEMENT_REQUESTED)
KEEP = timedelta(days=30)
SUBSCRIBER = "staff_notices"
_COLUMNS = ("key", "user_id", "role", "agency_code", "dossier_id", "dossier_code", "task_id", "kind", "text_key",
            "params", "at")


@dataclass(frozen=True)
class Target:
    user_id: int | None = None
    role: str | None = None

    @property
    def label(self) -> str:
        return f"u{self.user_id}" if self.user_id is not None else f"r:{self.role}"


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    text_key: str
    params: dict[str, Any]
    dossier_code: str
    task_id: str | None
    at: datetime
    read: bool
    for_role: str | None  # None: addressed to the user

    @property
    def escalation(self) -> bool:
        return self.text_key.startswith("escalation")


class NoticeSubscriber:
    """The outbox subscriber that writes staff notices (registered by the composition root)."""

    name = SUBSCRIBER
    kinds: frozenset[str] | None = frozenset({"task_opened", "due_soon", "overdue", "task_completed",
                                              "supplement_received"})

    async def deliver(self, delivery: Delivery) -> None:
        rows = await notices_for(delivery)
        if not rows:
            return
        one = "(" + ", ".join("?" for _ in _COLUMNS) + ")"
        await sql.fetch(sql.db(), (
            f"INSERT INTO staff_notice ({', '.join(_COLUMNS)}) VALUES {', '.join(one for _ in rows)} "
            "ON CONFLICT (key) DO NOTHING"), [row[c] for row in rows for c in _COLUMNS])


async def notices_for(delivery: Delivery) -> list[dict[str, Any]]:
    """The rows one delivered event writes (see the module docstring)."""
    event = delivery.payload
    dossier = await sql.fetch_one(sql.db(), "SELECT id, code, agency_code, lifecycle_status FROM dossier "
                                            "WHERE code = ?", [event.get("dossier_code")])
    if dossier is None:
        return []
    at = datetime.fromisoformat(event["at"]) if event.get("at") else datetime.now(UTC)
    due = event.get("due_at")
    out: list[dict[str, Any]] = []

    def add(kind: str, target: Target, text_key: str, task_id: str | None = None, **params: Any) -> None:
        if target.user_id is None and not target.role:
            return  # a task of no role: nobody in particular to tell
        out.append({"key": f"{delivery.key}/{text_key}/{task_id or '-'}/{target.label}"[:200],
                    "user_id": target.user_id, "role": target.role, "agency_code": dossier["agency_code"] or "",
                    "dossier_id": dossier["id"], "dossier_code": dossier["code"], "task_id": task_id,
                    "kind": kind, "text_key": text_key, "params": sql.jsonb({"code": dossier["code"], **params}),
                    "at": sql.utc(at)})

    head = Target(role=HEAD_ROLE)
    if delivery.kind == "task_opened":
        if dossier["lifecycle_status"] == WAITING_FOR_SUPPLEMENT:
            return []  # held until the supplement is in: told then (task_resumed)
        add("task_opened", Target(role=event.get("role")), "task_opened", event.get("task_id"),
            name=event.get("name") or event.get("element_id", ""), role=event.get("role") or "")
    elif delivery.kind == "supplement_received":
        if event.get("files"):  # the citizen's online answer: the one-stop unit checks it and confirms it
            for role in permissions.STEP_ROLES["receive_supplement"]:
                add("supplement", Target(role=role), "supplement_arrived", files=", ".join(event["files"])[:300])
        else:  # confirmed, or taken at the counter: the held tasks go on
            for task in await _open_tasks(dossier["id"]):
                holder = Target(user_id=task["claimed_by_id"]) if task["claimed_by_id"] else Target(role=task["role"])
                add("task_resumed", holder, "task_resumed", task["id"], name=task["name"], role=task["role"] or "")
    elif delivery.kind in ("due_soon", "overdue"):
        for task in await _open_tasks(dossier["id"]):
            holder = Target(user_id=task["claimed_by_id"]) if task["claimed_by_id"] else Target(role=task["role"])
            add(delivery.kind, holder, delivery.kind, task["id"], due=due, name=task["name"], role=task["role"] or "")
            step_due = sql.instant(task["due_at"])
            if step_due is not None and step_due < at:
                add("escalation", head, "escalation_step_late", task["id"], due=step_due.isoformat(),
                    name=task["name"], role=task["role"] or "")
        if delivery.kind == "overdue":
            add("escalation", head, "escalation_overdue", due=due)
    elif delivery.kind == "task_completed" and event.get("verdict") == "late":
        done = await sql.fetch_one(sql.db(), "SELECT name, role, due_at FROM human_task WHERE id = ?",
                                   [event.get("task_id")])
        step_due = sql.instant(done["due_at"]) if done else None
        add("escalation", head, "escalation_step_answered_late", event.get("task_id"),
            due=step_due.isoformat() if step_due else None, name=(done or {}).get("name") or event.get("element_id"),
            role=(done or {}).get("role") or "")
    return out


async def _open_tasks(dossier_id: int) -> list[dict[str, Any]]:
    return await sql.fetch(sql.db(), (
        "SELECT id, name, role, claimed_by_id, due_at FROM human_task WHERE dossier_id = ? AND state = 'ready' "
        "ORDER BY created_at, id"), [dossier_id])


# ------------------------------------------------------------------ the reading side
_UNREAD = ("((n.user_id = ? AND n.read_at IS NULL) OR (n.user_id IS NULL AND NOT EXISTS "
           "(SELECT 1 FROM staff_notice_read r WHERE r.notice_id = n.id AND r.user_id = ?)))")


async def _scope(user: User) -> tuple[str, list[Any]] | None:
    """The agency condition of `user`'s notices ("" = every agency), or None for a user who sees none."""
    if not permissions.is_staff(user):
        return None
    scope = await agencies.visible_agencies(user)
    if scope is None:
        return "", []
    if not scope:
        return None
    return f" AND n.agency_code IN ({', '.join('?' for _ in scope)})", sorted(scope)


async def _visible(user: User, now: datetime) -> tuple[str, list[Any]] | None:
    """The WHERE clause of the notices `user` may see, or None for a user who sees none."""
    scope = await _scope(user)
    if scope is None:
        return None
    roles = sorted(set(user.roles or []))
    target = "(n.user_id = ?" + (f" OR n.role IN ({', '.join('?' for _ in roles)}))" if roles else ")")
    return f"{target} AND n.at >= ?{scope[0]}", [user.id, *roles, sql.utc(now - KEEP), *scope[1]]


async def unread_count(user: User, now: datetime) -> int:
    """The header badge: one statement, each half on its index ((user_id, at) and (role, at))."""
    scope = await _scope(user)
    if scope is None:
        return 0
    where, params = scope
    since = sql.utc(now - KEEP)
    query = (f"SELECT (SELECT COUNT(*) FROM staff_notice n WHERE n.user_id = ? AND n.at >= ?{where} "
             "AND n.read_at IS NULL)")
    values: list[Any] = [user.id, since, *params]
    roles = sorted(set(user.roles or []))
    if roles:
        query += (f" + (SELECT COUNT(*) FROM staff_notice n WHERE n.role IN ({', '.join('?' for _ in roles)}) "
                  f"AND n.at >= ?{where} AND n.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM staff_notice_read r "
                  "WHERE r.notice_id = n.id AND r.user_id = ?))")
        values += [*roles, since, *params, user.id]
    found = await sql.fetch_one(sql.db(), query + " AS n", values)
    return int(found["n"]) if found else 0


async def listing(user: User, now: datetime, *, unread_only: bool = False, before: int | None = None,
                  limit: int = 50) -> list[Notice]:
    """The user's notices, newest first (`before`: a notice id, for the next page)."""
    visible = await _visible(user, now)
    if visible is None:
        return []
    where, params = visible
    if unread_only:
        where += f" AND {_UNREAD}"
        params = [*params, user.id, user.id]
    if before is not None:
        where += " AND n.id < ?"
        params = [*params, before]
    found = await sql.fetch(sql.db(), (
        "SELECT n.id, n.kind, n.text_key, n.params, n.dossier_code, n.task_id, n.at, n.role, n.user_id, "
        f"CASE WHEN {_UNREAD} THEN 0 ELSE 1 END AS is_read FROM staff_notice n WHERE {where} "
        "ORDER BY n.id DESC LIMIT ?"), [user.id, user.id, *params, limit])
    return [Notice(int(r["id"]), r["kind"], r["text_key"], sql.unjson(r["params"]) or {}, r["dossier_code"],
                   r["task_id"], sql.instant(r["at"]) or now, bool(r["is_read"]),
                   r["role"] if r["user_id"] is None else None) for r in found]


async def mark_read(user: User, notice_id: int, now: datetime) -> None:
    """Mark one notice read for `user` (NotFound for one they may not see: no enumeration)."""
    visible = await _visible(user, now)
    found = None
    if visible is not None:
        where, params = visible
        found = await sql.fetch_one(sql.db(), f"SELECT n.id, n.user_id FROM staff_notice n WHERE {where} AND n.id = ?",
                                    [*params, notice_id])
    if found is None:
        raise NotFound("No such notice", id=notice_id)
    if found["user_id"] is not None:
        await sql.fetch(sql.db(), "UPDATE staff_notice SET read_at = ? WHERE id = ? AND read_at IS NULL",
                        [sql.utc(now), notice_id])
    else:
        await sql.fetch(sql.db(), "INSERT INTO staff_notice_read (notice_id, user_id, read_at) VALUES (?, ?, ?) "
                                  "ON CONFLICT (notice_id, user_id) DO NOTHING", [notice_id, user.id, sql.utc(now)])


async def mark_all_read(user: User, now: datetime) -> int:
    """Mark every notice `user` sees read, in one transaction: how many were unread."""
    visible = await _visible(user, now)
    if visible is None:
        return 0
    where, params = visible

    async def body(tx: sql.Tx) -> int:
        unread = await tx.fetch_one(f"SELECT COUNT(*) AS n FROM staff_notice n WHERE {where} AND {_UNREAD}",
                                    [*params, user.id, user.id])  # the row counts of both drivers differ
        await tx.execute(f"UPDATE staff_notice SET read_at = ? WHERE id IN (SELECT n.id FROM staff_notice n "
                         f"WHERE {where} AND n.user_id = ? AND n.read_at IS NULL)", [sql.utc(now), *params, user.id])
        await tx.execute(
            "INSERT INTO staff_notice_read (notice_id, user_id, read_at) SELECT n.id, ?, ? FROM staff_notice n "
            f"WHERE {where} AND n.user_id IS NULL AND NOT EXISTS (SELECT 1 FROM staff_notice_read r "
            "WHERE r.notice_id = n.id AND r.user_id = ?) ON CONFLICT (notice_id, user_id) DO NOTHING",
            [user.id, sql.utc(now), *params, user.id])
        return int(unread["n"]) if unread else 0

    return await sql.transaction(body)

