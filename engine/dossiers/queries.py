"""Read side of the dossier runtime: what pages and the API show, each in one call.

    view(rt, code, user)        DossierView: row, version, open tasks, events, data and element
                                states from ONE deserialisation of the workflow state
    task_view(rt, task_id, user) TaskView: the task, its dossier, its form and the task's data
    inbox(rt, user, now, …)     the one inbox (API and page): most urgent first, keyset pages
    rebuild_projections / stored_projections: the house invariant (projections == state)
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine import agencies, permissions, readsets, sql
from engine import events as ev
from engine.dossiers.row import TASK_COLUMNS, DossierRow, TaskRow, task_from_db
from engine.dossiers.store import (
    HISTORY_SQL,
    STATUS_OF_ENGINE,
    Loaded,
    expected_tasks,
    history,
    load,
    load_task,
    recorded,
)
from engine.errors import InvalidData, NotFound
from engine.models import User
from engine.versions import VersionInfo
from engine.workflow import runner

if TYPE_CHECKING:
    from engine.runtime import Runtime


@dataclass(frozen=True)
class DossierView:
    dossier: DossierRow
    procedure_code: str
    version_number: int
    tasks: list[TaskRow]  # open (READY) tasks
    events: list[ev.Recorded] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    element_states: dict[str, list[str]] = field(default_factory=dict)
    version: VersionInfo | None = None
    every_task: list[TaskRow] | None = None  # every task, oldest first (view(..., every_task=True) only)


@dataclass(frozen=True)
class TaskView:
    task: TaskRow
    dossier: DossierRow
    version: VersionInfo
    form_ref: str | None
    form_schema: dict[str, Any] | None
    data: dict[str, Any]


async def _tasks(dossier_id: int, state: str | None = "ready") -> list[TaskRow]:
    """The dossier's tasks in `state` (None: all of them), oldest first."""
    found = await sql.fetch(sql.db(), (
        f"SELECT {', '.join(TASK_COLUMNS)} FROM human_task WHERE dossier_id = ? "
        + ("AND state = ? " if state is not None else "") + "ORDER BY created_at, id"),
        [dossier_id] if state is None else [dossier_id, state])
    return [task_from_db(r) for r in found]


async def summary(rt: Runtime, dossier: DossierRow, version: VersionInfo | None = None) -> DossierView:
    """A command's answer: the row it wrote, its version and open tasks (no deserialisation).
    `version`: the caller's, used when it is the dossier's (saves reading the dossier again)."""
    if version is None or version.id != dossier.procedure_version_id:
        loaded = await load("d.id", dossier.id)
        version = loaded.version if loaded else None
    return DossierView(dossier, version.procedure_code if version else "", version.number if version else 0,
                       await _tasks(dossier.id), version=version)


async def view(rt: Runtime, code: str, user: User | None, *, with_data: bool = False,
               every_task: bool = False) -> DossierView:
    """A dossier the user may see (NotFound otherwise, the same for a missing one). `every_task`:
    also every task of the dossier (the staff page). Its tasks and history are one round trip."""
    return (await view_and_reads(rt, code, user, with_data, every_task))[0]


#: more reads batched with a view's tasks and history, made from the dossier and its version
Extra = Callable[[DossierRow, VersionInfo], Sequence[readsets.Query]]


async def view_and_reads(rt: Runtime, code: str, user: User | None, with_data: bool, every_task: bool,
                         extra: Extra | None = None) -> tuple[DossierView, list[list[dict[str, Any]]]]:
    """`view`, and the rows of `extra`'s queries read in the same round trip as its tasks and history."""
    loaded = await load("d.code", code)
    if (loaded is None or not permissions.can_see(user, loaded.dossier.submitted_by_id)
            or not await agencies.may_see(user, loaded.dossier.agency_code)):
        raise NotFound("No such dossier", code=code)
    d, v = loaded.dossier, loaded.version
    data: dict[str, Any] = {}
    states: dict[str, list[str]] = {}
    if with_data:
        wf = runner.load(d.state, v.spec, v.subprocess_specs, engine=rt.script_engine)
        data, states = runner.data_of(wf), runner.states_of(wf)
    tasks_sql = (f"SELECT {', '.join(TASK_COLUMNS)} FROM human_task WHERE dossier_id = ? "
                 + ("" if every_task else "AND state = 'ready' ") + "ORDER BY created_at, id")
    found_tasks, events, *rest = await readsets.fetch_sets([(tasks_sql, [d.id]), (HISTORY_SQL, [d.id]),
                                                                     *(extra(d, v) if extra else ())])
    tasks = [task_from_db(r) for r in found_tasks]
    ready = [t for t in tasks if t.state == "ready"]
    return DossierView(d, v.procedure_code, v.number, ready, [recorded(r) for r in events], data, states, v,
                       tasks if every_task else None), rest


async def procedure_names(code: str | None = None) -> list[dict[str, str]]:
    """{code, name} of every procedure by name (the inbox's filter), or of the one `code`: one raw
    statement, no model objects (pages ask on every request)."""
    found = await sql.fetch(sql.db(), "SELECT code, name FROM procedure " + (
        "WHERE code = ?" if code is not None else "ORDER BY name"), [code] if code is not None else [])
    return [{"code": str(r["code"]), "name": str(r["name"])} for r in found]


async def visible_task(task_id: str, user: User) -> Loaded:
    """The task with its dossier and version if it is in the user's inbox scope (NotFound otherwise,
    the same for a missing one); the workflow is not read (the hot path of claim and complete)."""
    try:
        loaded: Loaded | None = await load_task(task_id)
    except NotFound:
        loaded = None
    if (loaded is None or loaded.task is None or not permissions.can_work_on(user, loaded.task.role)
            or not await agencies.may_see(user, loaded.dossier.agency_code)):
        raise NotFound("No such task in your inbox", task_id=task_id)
    return loaded


async def task_view(rt: Runtime, task_id: str, user: User) -> TaskView:
    loaded = await visible_task(task_id, user)
    task, d, v = loaded.task, loaded.dossier, loaded.version
    assert task is not None
    ref, schema = v.form(task.element_id)
    data: dict[str, Any] = {}
    if task.kind == "bpmn" and task.state == "ready":
        data = runner.task_data(d.state, v.spec, v.subprocess_specs, task.id, engine=rt.script_engine)
    return TaskView(task, d, v, ref, schema, data)


# ------------------------------------------------------------------ the inbox
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
    form_ref: str | None = None
    lane: str | None = None

    @property
    def is_overdue(self) -> bool:
        return self.remaining is not None and self.remaining < timedelta(0) and not self.waiting

    @property
    def waiting(self) -> bool:
        """Held: the dossier waits for the citizen (supplement, fees); not due meanwhile."""
        return self.lifecycle_status in (5, 6) and self.kind == "bpmn"


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str | None


def _cursor(row: dict[str, Any]) -> str:
    """The last row's sort key: (task's else dossier's due or nothing, arrival, task id)."""
    due = sql.instant(row["due_at"]) or sql.instant(row["due_adjusted_at"])
    created = sql.instant(row["created_at"])
    assert created is not None
    text = f"k{due.isoformat() if due else ''}|{created.isoformat()}|{row['id']}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[datetime | None, datetime, str] | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("k"):
            raise ValueError(text)
        due, created, task_id = text[1:].split("|")
        instants = [datetime.fromisoformat(v) if v else None for v in (due, created)]
        if instants[1] is None or any(i is not None and i.tzinfo is None for i in instants) or not task_id:
            raise ValueError(text)
        return sql.utc(instants[0]), sql.utc(instants[1]) or instants[1], task_id
    except (ValueError, UnicodeDecodeError):
        raise InvalidData("Invalid cursor", fields={"cursor": ["as returned by the previous page"]}) from None


#: counts per inbox filter stop here (shown as "1000+"): the count reads at most this many index entries
COUNT_CAP = 1000
_INBOX_FROM = ("FROM human_task t JOIN dossier d ON d.id = t.dossier_id "
               "JOIN procedure_version pv ON pv.id = d.procedure_version_id "
               "JOIN procedure p ON p.id = pv.procedure_id ")
_DUE = "COALESCE(t.due_at, d.due_adjusted_at)"


_INBOX_SELECT = ("SELECT t.id, t.element_id, t.name, t.kind, t.role, t.lane, t.form_ref, t.claimed_by_id, "
                 "u.username AS claimed_by, t.created_at, t.due_at, d.code, d.lifecycle_status, d.due_adjusted_at, "
                 f"p.code AS procedure_code, p.name AS procedure_name, {_DUE} AS sort_due " + _INBOX_FROM
                 + "LEFT JOIN user_account u ON u.id = t.claimed_by_id ")


def _keyset(where: list[str], params: list[Any], due: str, after: tuple[datetime | None, datetime, str] | None,
            nullable: bool = True) -> None:
    """Strictly after the previous page's last row, in the inbox's order (`due`: the sort instant;
    `nullable=False` where it is never null: the bare row comparison is then an index range of
    `human_task_ready (role, due_at, created_at, id)`, which `due IS NULL OR …` is not — at 1 M dossiers
    the next inbox page took 35 ms at p95 with the OR, the first page 10)."""
    if after is None:
        return
    due_after, created_after, id_after = after
    if due_after is None:
        where.append(f"{due} IS NULL AND (t.created_at, t.id) > (?, ?)" if nullable else "1 = 0")
        params += [created_after, id_after] if nullable else []
    else:
        where.append(f"({due} IS NULL OR ({due}, t.created_at, t.id) > (?, ?, ?))" if nullable
                     else f"({due}, t.created_at, t.id) > (?, ?, ?)")
        params += [due_after, created_after, id_after]


def _inbox_where(user: User, scope: frozenset[str] | None, now: datetime, procedure: str, overdue_only: bool,
                 mine_only: bool, due: str = _DUE) -> tuple[list[str], list[Any]]:
    """The WHERE of the inbox and its counts: READY tasks of the user's roles in the user's agencies
    (`scope`: agencies.visible_agencies(user), read once per request; `due`: the expression of the
    sort instant, simpler where the caller knows which due applies)."""
    roles = list(user.roles or []) or [""]
    where = ["t.state = 'ready'", "t.role IN (" + ", ".join("?" for _ in roles) + ")"]
    params: list[Any] = [*roles]
    if procedure:
        where.append("p.code = ?")
        params.append(procedure)
    if mine_only:
        where.append("t.claimed_by_id = ?")
        params.append(user.id)
    if overdue_only:
        where += [f"{due} < ?", "d.lifecycle_status NOT IN (5, 6)"]
        params.append(sql.utc(now))
    if scope is not None:  # staff see their agency's dossiers only (engine/agencies.py)
        where.append("d.agency_code IN (" + ", ".join("?" for _ in scope) + ")" if scope else "1 = 0")
        params.extend(sorted(scope))
    return where, params


async def inbox_counts(user: User, now: datetime, *, procedure: str = "") -> dict[str, int]:
    """How many tasks each inbox filter shows (all, mine, overdue), each capped at COUNT_CAP + 1 so a
    15,000-task backlog costs a bounded index read, not a scan: a value > COUNT_CAP means "more than".
    Only the tables a filter reads are joined (every task has its dossier, every dossier its
    version): "all" and "mine" then read the ready tasks' index alone (migration 0025). The three
    counts are one statement (one round trip)."""
    scope = await agencies.visible_agencies(user)
    counts: list[str] = []
    params: list[Any] = []
    for name, overdue_only, mine_only in (("all", False, False), ("mine", False, True), ("overdue", True, False)):
        # overdue: the tasks past their own due (a range of the ready tasks' index), then those
        # without one past the dossier's; one COALESCE over the join made PostgreSQL hash every dossier
        halves = ((("t.due_at", "t.due_at IS NOT NULL"), ("d.due_adjusted_at", "t.due_at IS NULL")) if overdue_only
                  else ((_DUE, ""),))
        parts: list[str] = []
        for due, extra in halves:
            where, found = _inbox_where(user, scope, now, procedure, overdue_only, mine_only, due)
            where += [extra] if extra else []
            text = " ".join(where)
            joins = (_INBOX_FROM if re.search(r"\bp\.", text) else _INBOX_FROM.split("JOIN procedure_version")[0]
                     if re.search(r"\bd\.", text) else "FROM human_task t ")
            parts.append(f"SELECT 1 AS one FROM (SELECT 1 {joins}WHERE {' AND '.join(where)} LIMIT ?) h{len(parts)}")
            params += [*found, COUNT_CAP + 1]
        counts.append(f"(SELECT COUNT(*) FROM ({' UNION ALL '.join(parts)} LIMIT ?) c) AS {name}_n")
        params.append(COUNT_CAP + 1)
    row = await sql.fetch_one(sql.db(), "SELECT " + ", ".join(counts), params)  # one statement, three counts
    return {name: int(row[f"{name}_n"]) if row else 0 for name in ("all", "mine", "overdue")}


async def inbox(rt: Runtime, user: User, now: datetime, *, procedure: str = "", overdue_only: bool = False,
                mine_only: bool = False, limit: int = 50, cursor: str | None = None) -> InboxPage:
    """READY tasks of the user's roles, most urgent first: by the task's (else the dossier's) due
    instant, which orders them by remaining working time too; no due last; ties by arrival."""
    if not 1 <= limit <= 500:
        raise InvalidData("Invalid limit", fields={"limit": ["1 to 500"]})
    after = _after(cursor)
    scope = await agencies.visible_agencies(user)
    # Two halves, each read in its own order, then merged: the tasks with their own due (nearly all)
    # in the order of the (state, role, due_at) index, so a 15,000-task backlog reads one page of it
    # instead of sorting all of it by COALESCE(...) across the join; those without, by the dossier's.
    halves: list[str] = []
    params: list[Any] = []
    for own, due in ((True, "t.due_at"), (False, "d.due_adjusted_at")):
        where, found_params = _inbox_where(user, scope, now, procedure, overdue_only, mine_only, due)
        where.append("t.due_at IS NOT NULL" if own else "t.due_at IS NULL")
        _keyset(where, found_params, due, after, nullable=not own)
        nulls_last = "" if own else f"CASE WHEN {due} IS NULL THEN 1 ELSE 0 END, "  # own: never null, index order
        halves.append(f"SELECT * FROM ({_INBOX_SELECT}WHERE {' AND '.join(where)} ORDER BY "
                      f"{nulls_last}{due}, t.created_at, t.id LIMIT ?) h{len(halves)}")
        params += [*found_params, limit + 1]
    found = await sql.fetch(sql.db(), (
        f"SELECT * FROM ({' UNION ALL '.join(halves)}) merged "
        "ORDER BY CASE WHEN sort_due IS NULL THEN 1 ELSE 0 END, sort_due, created_at, id LIMIT ?"),
        [*params, limit + 1])
    cal = await rt.fresh_calendar()
    dues = [sql.instant(r["due_at"]) or sql.instant(r["due_adjusted_at"]) for r in found[:limit]]
    # working time from now to each due (< 0 = overdue), the page's rows in one sweep over the days
    known = iter(cal.working_times_from(now, [due for due in dues if due is not None]))
    rows = []
    for r, due_at in zip(found[:limit], dues, strict=True):
        remaining = next(known) if due_at is not None else None
        rows.append(InboxRow(
            r["id"], r["element_id"], r["name"], r["kind"], r["role"], r["claimed_by_id"], r["claimed_by"],
            sql.instant(r["created_at"]) or now, sql.instant(r["due_at"]), r["code"], r["procedure_code"],
            r["procedure_name"], r["lifecycle_status"], sql.instant(r["due_adjusted_at"]), remaining,
            r["form_ref"], r["lane"]))
    return InboxPage(rows, _cursor(found[limit - 1]) if len(found) > limit else None)


def remaining_label(remaining: timedelta | None, day_hours: float = 8.0) -> dict[str, Any]:
    """'Còn 1,5 ngày làm việc' / 'Quá hạn 2 giờ làm việc' parts for the page (formatting only there)."""
    if remaining is None:
        return {"overdue": False, "value": None, "unit": None}
    hours = abs(remaining.total_seconds()) / 3600
    if hours >= day_hours:
        return {"overdue": remaining.total_seconds() < 0, "value": round(hours / day_hours, 1), "unit": "days"}
    return {"overdue": remaining.total_seconds() < 0, "value": round(hours, 1), "unit": "hours"}


# ------------------------------------------------------------------ the house invariant
def _task_key(t: dict[str, Any]) -> dict[str, Any]:
    return {k: t[k] for k in ("id", "element_id", "name", "lane", "role", "form_ref")}


async def rebuild_projections(rt: Runtime, code: str) -> dict[str, Any]:
    """Recompute status, open tasks and timers from the stored state alone; engine-owned tasks
    (apology) from the event log (opened and not completed or cancelled)."""
    loaded: Loaded | None = await load("d.code", code)
    if loaded is None:
        raise NotFound("No such dossier", code=code)
    d, v = loaded.dossier, loaded.version
    result = runner.project(d.state, v.spec, v.subprocess_specs, engine=rt.script_engine)
    engine_tasks: dict[str, str] = {}
    for e in await history(d.id):
        if e.kind == "task_opened" and e.details.get("task_kind", "bpmn") != "bpmn":
            engine_tasks[e.details["task_id"]] = e.details["task_kind"]
        elif e.kind in ("task_completed", "task_cancelled"):
            engine_tasks.pop(str(e.details.get("task_id")), None)
    status = "cancelled" if d.status == "cancelled" else STATUS_OF_ENGINE[result.status]
    bpmn_tasks = [] if d.status == "cancelled" else sorted(map(_task_key, expected_tasks(v, result)),
                                                           key=lambda t: t["id"])
    return {"status": status, "tasks": bpmn_tasks, "engine_tasks": sorted(engine_tasks.items()),
            "timers": sorted((t.task_id, t.element_id, t.due_at) for t in result.timers)}


async def stored_projections(rt: Runtime, code: str) -> dict[str, Any]:
    loaded = await load("d.code", code)
    if loaded is None:
        raise NotFound("No such dossier", code=code)
    d = loaded.dossier
    tasks = await _tasks(d.id)
    timers = await sql.fetch(sql.db(), "SELECT task_id, element_id, due_at FROM timer WHERE dossier_id = ? "
                                       "AND state = 'pending' AND kind = 'bpmn'", [d.id])
    return {"status": d.status,
            "tasks": sorted((_task_key(t.__dict__) for t in tasks if t.kind == "bpmn"), key=lambda t: t["id"]),
            "engine_tasks": sorted((t.id, t.kind) for t in tasks if t.kind != "bpmn"),
            "timers": sorted((t["task_id"], t["element_id"], sql.instant(t["due_at"])) for t in timers)}
