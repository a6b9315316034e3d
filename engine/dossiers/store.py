"""Load a dossier, and commit a command: the only writer of dossier, human_task, timer, audit_event,
outbox, dossier_pause, attachment and dossier_result.

    load(where, value) → Loaded(DossierRow, VersionInfo, TaskRow | None)   one joined read
    commit(rt, loaded, change, now)                                       ONE transaction:
        UPDATE dossier … WHERE id = ? AND revision = r   (0 rows: someone else won → Conflict)
        task and timer projections, pause rows, extra rows (attachments, result, rating)
        audit_event rows (the events) and outbox rows (the same events, per subscriber)

A crash anywhere before COMMIT leaves the previous state, its projections and its events intact.
A `Change` says what a command changes; `workflow_change` builds the common part from a runner
result (tasks opened, completed and cancelled; BPMN timers re-armed; status).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from engine import events as ev
from engine import outbox, sla, sql, timers
from engine.dossiers import onetrip
from engine.dossiers.row import (
    DOSSIER_COLUMNS,
    TASK_COLUMNS,
    DossierRow,
    TaskRow,
    db_value,
    dossier_from_db,
    select_list,
    task_from_db,
)
from engine.errors import Conflict, NotFound
from engine.versions import VersionInfo, version_info
from engine.workflow.runner import StepResult

if TYPE_CHECKING:
    from engine.runtime import Runtime

STATUS_OF_ENGINE = {"waiting": "processing", "completed": "completed", "error": "failed"}


@dataclass(frozen=True)
class Loaded:
    """One read: the dossier row, its version, and optionally the task being worked on."""

    dossier: DossierRow
    version: VersionInfo
    task: TaskRow | None = None

    @property
    def form_schema(self) -> dict[str, Any] | None:
        return self.version.form(self.task.element_id)[1] if self.task else None


_DOSSIER_SELECT = select_list("d", DOSSIER_COLUMNS)
_TASK_SELECT = select_list("t", TASK_COLUMNS, "task_")


async def load(where: str, param: Any, *, with_task: bool = False) -> Loaded | None:
    source = "human_task t JOIN dossier d ON d.id = t.dossier_id" if with_task else "dossier d"
    cols = f"{_TASK_SELECT}, {_DOSSIER_SELECT}" if with_task else _DOSSIER_SELECT
    raw = await sql.fetch_one(sql.db(), (
        f"SELECT {cols}, pv.digest AS version_digest FROM {source} "
        f"JOIN procedure_version pv ON pv.id = d.procedure_version_id WHERE {where} = ?"), [param])
    if raw is None:
        return None
    version = await version_info(raw["procedure_version_id"], raw["version_digest"])
    task = task_from_db(raw, "task_") if with_task else None
    return Loaded(dossier_from_db(raw), version, task)


async def load_many(dossier_ids: Sequence[int]) -> dict[int, Loaded]:
    """`load` of several dossiers by id in one read (a batch of due timers); missing ids are left out."""
    found = await sql.fetch(sql.db(), (
        f"SELECT {_DOSSIER_SELECT}, pv.digest AS version_digest FROM dossier d "
        f"JOIN procedure_version pv ON pv.id = d.procedure_version_id WHERE d.id IN "
        f"({', '.join('?' for _ in dossier_ids)})"), list(dossier_ids)) if dossier_ids else []
    return {raw["id"]: Loaded(dossier_from_db(raw), await version_info(raw["procedure_version_id"],
                                                                       raw["version_digest"])) for raw in found}


async def load_dossier(code: str | None = None, dossier_id: int | None = None) -> Loaded:
    loaded = await (load("d.code", code) if code is not None else load("d.id", dossier_id))
    if loaded is None:
        raise NotFound("No such dossier", **({"code": code} if code is not None else {"dossier_id": dossier_id}))
    return loaded


async def load_task(task_id: str) -> Loaded:
    loaded = await load("t.id", task_id, with_task=True)
    if loaded is None:
        raise NotFound("No such task", task_id=task_id)
    return loaded


@dataclass
class Change:
    """What one command writes besides the dossier's revision bump."""

    columns: dict[str, Any] = field(default_factory=dict)  # dossier columns to set
    events: list[ev.Event] = field(default_factory=list)
    new_tasks: list[dict[str, Any]] = field(default_factory=list)  # human_task rows to insert
    #: (sql, params, must_touch): statements on projection rows; must_touch → 0 rows = Conflict
    statements: list[tuple[str, list[Any], bool]] = field(default_factory=list)
    timers: list[dict[str, Any]] = field(default_factory=list)  # timer rows to insert
    cancel_timer_kinds: set[str] = field(default_factory=set)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # other tables (attachment, rating…)
    audit_data_diff: dict[str, Any] | None = None  # stored on the first event's audit row
    mark_timers_fired: list[int] = field(default_factory=list)  # the timer rows this command fired

    def event(self, cls: type[ev.Event], dossier: DossierRow, revision: int, at: datetime, actor: str,
              **fields: Any) -> None:
        self.events.append(cls(dossier_code=dossier.code, revision=revision, at=at, actor=actor, **fields))


def step_due(rt: Runtime, version: VersionInfo, element_id: str, now: datetime) -> datetime | None:
    budget = (version.elements.get(element_id) or {}).get("budget")
    if not budget or not budget.get("valid"):
        return None
    return sql.utc(sla.step_due(now, Decimal(budget["value"]), budget["unit"], rt.calendar))


def expected_tasks(version: VersionInfo, result: StepResult) -> list[dict[str, Any]]:
    """The HumanTask rows a StepResult implies (also used to verify the stored projection)."""
    lanes, elements = version.lanes or {}, version.elements or {}
    return [{"id": t.task_id, "element_id": t.element_id, "name": t.name, "lane": t.lane,
             "role": lanes.get(t.lane) if t.lane else None,
             "form_ref": (elements.get(t.element_id) or {}).get("form")} for t in result.ready]


def workflow_change(rt: Runtime, loaded: Loaded, result: StepResult, now: datetime, actor: str, revision: int,
                    *, completed_task: TaskRow | None = None, change: Change | None = None,
                    version: VersionInfo | None = None) -> Change:
    """The projections and events of a workflow step (status, tasks, BPMN timers)."""
    change = change or Change()
    d = loaded.dossier
    version = version or loaded.version
    status = STATUS_OF_ENGINE[result.status]
    change.columns.update(state=result.state, status=status, error=result.error,
                          next_timer_at=min((t.due_at for t in result.timers), default=None),
                          completed_at=now if result.status == "completed" else None)
    ready_ids = {t.task_id for t in result.ready}
    if completed_task is not None:
        verdict = sla.verdict(completed_task.due_at, now).value if completed_task.due_at else None
        change.statements.append((
            "UPDATE human_task SET state = 'completed', completed_at = ?, completed_by = ?, verdict = ? "
            "WHERE id = ? AND state = 'ready'", [now, actor, verdict, completed_task.id], True))
        change.event(ev.TaskCompleted, d, revision, now, actor, task_id=completed_task.id,
                     element_id=completed_task.element_id, verdict=verdict,
                     data_keys=tuple(sorted(result.data_diff)),
                     engine_steps=tuple(st.element_id for st in result.steps)[:100])
    done_id = completed_task.id if completed_task else None
    cancelled = sorted(result.previous_ready - ready_ids - {done_id})
    if cancelled:
        change.statements.append((
            "UPDATE human_task SET state = 'cancelled', completed_at = ? WHERE id IN ("
            + ", ".join("?" for _ in cancelled) + ") AND state = 'ready'", [now, *cancelled], False))
        change.events += [ev.TaskCancelled(dossier_code=d.code, revision=revision, at=now, actor=actor,
                                           task_id=t, element_id="") for t in cancelled]
    for t in expected_tasks(version, result):
        if t["id"] in result.previous_ready:
            continue
        due = step_due(rt, version, t["element_id"], now)
        change.new_tasks.append({**t, "state": "ready", "created_at": now, "kind": "bpmn", "due_at": due})
        change.event(ev.TaskOpened, d, revision, now, actor, task_id=t["id"], element_id=t["element_id"],
                     name=t["name"], role=t["role"], due_at=due)
    if d.next_timer_at is not None or result.timers:
        change.statements.append(("DELETE FROM timer WHERE dossier_id = ? AND state = 'pending' AND kind = 'bpmn'",
                                  [d.id], False))
        change.statements.append(("UPDATE timer SET state = 'fired' WHERE dossier_id = ? AND state = 'firing' "
                                  "AND kind = 'bpmn'", [d.id], False))
        change.timers += [{"task_id": t.task_id, "element_id": t.element_id, "kind": "bpmn",
                           "due_at": sql.utc(t.due_at), "state": "pending", "payload": "{}"} for t in result.timers]
    for event in result.events:
        change.event(ev.BpmnEventThrown, d, revision, now, "engine", event=event)
        if event["type"] == "error":  # an uncaught BPMN error must not vanish (SPIFFWORKFLOW.md §8)
            change.event(ev.UncaughtBpmnError, d, revision, now, "engine", name=str(event.get("name") or ""),
                         code=event.get("code"))
    if result.status == "completed" and d.status != "completed":
        change.event(ev.WorkflowCompleted, d, revision, now, "engine")
    if result.status == "error" and d.status != "failed":
        error = result.error or {}
        change.event(ev.WorkflowFailed, d, revision, now, "engine", element_id=error.get("element_id"),
                     error_code=str(error.get("code") or error.get("type") or "error"))
    if change.audit_data_diff is None and result.data_diff:
        change.audit_data_diff = result.data_diff
    return change


async def commit(rt: Runtime, loaded: Loaded, change: Change, now: datetime) -> DossierRow:
    """Write `change` in one transaction guarded by the revision; the dossier row as it is now.
    On PostgreSQL that is one statement, one round trip (engine/dossiers/onetrip.py)."""
    now = now.astimezone(UTC)
    d = loaded.dossier
    revision = d.revision + 1
    columns = {**change.columns, "revision": revision, "updated_at": now}
    values = [(c, db_value(c, v)) for c, v in columns.items()]
    conn = sql.db()
    postgres = sql.is_postgres(conn)
    ops = writes(d.id, change, now, outbox.rows_for(change.events, list(rt.subscribers.values()), d.id, now),
                 postgres=postgres)
    one = onetrip.statement(d.id, d.revision, values, ops) if postgres else None
    if one is not None:
        onetrip.check(await sql.fetch_one(conn, *one), d.code)
        return d.replace(**columns)

    async def body(tx: sql.Tx) -> None:
        updated = await tx.execute(
            "UPDATE dossier SET " + ", ".join(f"{c} = ?" for c, _v in values) + " WHERE id = ? AND revision = ?",
            [v for _c, v in values] + [d.id, d.revision])
        if not updated:
            raise Conflict("The dossier was changed by someone else; reload and try again", code=d.code)
        await _write(tx, ops)

    await sql.transaction(body)
    return d.replace(**columns)


def writes(dossier_id: int, change: Change, now: datetime, rows_out: list[dict[str, Any]],
           *, postgres: bool) -> list[onetrip.Write]:
    """The writes of `change` besides the dossier row, in order: UPDATE/DELETEs, then every INSERT."""
    ops: list[onetrip.Write] = [
        onetrip.Statement(query, [sql.utc(p) if isinstance(p, datetime) else p for p in params], must_touch)
        for query, params, must_touch in change.statements]
    if change.cancel_timer_kinds:
        kinds = sorted(change.cancel_timer_kinds)
        ops.append(onetrip.Statement("UPDATE timer SET state = 'cancelled' WHERE dossier_id = ? AND state = "
                                     "'pending' AND kind IN (" + ", ".join("?" for _ in kinds) + ")",
                                     [dossier_id, *kinds]))
    if change.mark_timers_fired:
        ids = change.mark_timers_fired
        ops.append(onetrip.Statement("UPDATE timer SET state = 'fired', fired_at = ? WHERE state = 'firing' "
                                     "AND id IN (" + ", ".join("?" for _ in ids) + ")", [now, *ids]))
    ops.append(onetrip.Insert("human_task", [
        {"id": t["id"], "dossier_id": dossier_id, "element_id": t["element_id"], "name": t["name"],
         "lane": t.get("lane"), "role": t.get("role"), "form_ref": t.get("form_ref"), "state": "ready",
         "created_at": sql.utc(t["created_at"]), "kind": t.get("kind", "bpmn"), "due_at": sql.utc(t.get("due_at"))}
        for t in change.new_tasks]))
    ops.append(onetrip.Insert("timer", [
        {"dossier_id": dossier_id, "task_id": t.get("task_id", ""), "element_id": t.get("element_id", ""),
         "kind": t["kind"], "due_at": sql.utc(t["due_at"]), "state": "pending",
         "payload": t["payload"] if isinstance(t["payload"], str) else sql.jsonb(t["payload"])}
        for t in change.timers]))
    soonest = min((due for t in change.timers if (due := sql.utc(t["due_at"])) is not None), default=None)
    if soonest is not None and soonest < now + timers.NOTIFY_WITHIN and postgres:
        # delivered at COMMIT: a worker's wake-up moves to it at once (engine.scheduler LISTENs)
        ops.append(onetrip.Notify(timers.CHANNEL, soonest.isoformat()))
    ops += [onetrip.Insert(table, rows) for table, rows in change.inserts.items()]
    audit = []
    for i, event in enumerate(change.events):
        details = event.fields()
        audit.append({"dossier_id": dossier_id, "at": sql.utc(event.at), "actor": event.actor[:150],
                      "action": event.kind, "element_id": details.get("element_id") or None,
                      "task_id": details.get("task_id"), "revision": event.revision,
                      "data_diff": sql.jsonb(change.audit_data_diff if i == 0 and change.audit_data_diff else {}),
                      "details": sql.jsonb(details)})
    ops += [onetrip.Insert("audit_event", audit), onetrip.Insert("outbox", rows_out)]
    return ops


async def _write(tx: sql.Tx, ops: list[onetrip.Write]) -> None:
    """The writes one after the other, inside the caller's transaction."""
    for op in ops:
        if isinstance(op, onetrip.Statement):
            if not await tx.execute(op.query, op.params) and op.must_touch:
                raise Conflict("The task was changed by someone else; reload and try again")
        elif isinstance(op, onetrip.Insert):
            await tx.insert_many(op.table, op.rows)
        else:
            await tx.fetch_one("SELECT pg_notify(?, ?) AS sent", [op.channel, op.payload])


async def insert_dossier(tx: sql.Tx, values: dict[str, Any]) -> int:
    """The INSERT of a new dossier row (submit), columns from the model."""
    names = [c for c in DOSSIER_COLUMNS if c in values]
    found = await tx.fetch_one(
        f"INSERT INTO dossier ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) RETURNING id",
        [db_value(c, values[c]) for c in names])
    assert found is not None
    return int(found["id"])


async def create(rt: Runtime, values: dict[str, Any], change: Change, now: datetime, counter_key: str,
                 code_prefix: str, attachments: Sequence[dict[str, Any]] = ()) -> DossierRow:
    """Insert a new dossier with `change`; its code is `code_prefix` + the day's counter (at least 4
    digits), drawn in the same transaction. On PostgreSQL one statement (onetrip.creation)."""
    now = now.astimezone(UTC)
    subscribers = list(rt.subscribers.values())

    def ops(dossier_id: Any, code: str, postgres: bool) -> list[onetrip.Write]:
        events = [e.__class__(**{**_event_fields(e), "dossier_code": code}) for e in change.events]
        inserts = {**change.inserts, "attachment": [{**a, "dossier_id": dossier_id} for a in attachments]}
        return writes(dossier_id, Change(**{**change.__dict__, "events": events, "inserts": inserts}), now,
                      outbox.rows_for(events, subscribers, dossier_id, now), postgres=postgres)

    conn = sql.db()
    if sql.is_postgres(conn):
        token = f"@@{uuid.uuid4().hex}@@"
        row = {c: db_value(c, values[c]) for c in DOSSIER_COLUMNS if c in values and c != "code"}
        one = onetrip.creation(row, counter_key, code_prefix, ops(token + "id", token + "code", True), token)
        if one is not None:
            found = await sql.fetch_one(conn, *one)
            assert found is not None
            return _new_row({**values, "id": found["id"], "code": found["code"]})

    async def body(tx: sql.Tx) -> dict[str, Any]:
        counted = await tx.fetch_one((
            "INSERT INTO dossier_counter (key, value) VALUES (?, 1) "
            "ON CONFLICT (key) DO UPDATE SET value = dossier_counter.value + 1 RETURNING value"), [counter_key])
        assert counted is not None
        row = {**values, "code": f"{code_prefix}{counted['value']:04d}"}
        row["id"] = await insert_dossier(tx, row)
        await _write(tx, ops(row["id"], row["code"], sql.is_postgres(sql.db())))
        return row

    return _new_row(await sql.transaction(body))


def _new_row(row: dict[str, Any]) -> DossierRow:
    full: dict[str, Any] = {c: row.get(c) for c in DOSSIER_COLUMNS}
    return DossierRow(**full)


def _event_fields(event: ev.Event) -> dict[str, Any]:
    import dataclasses

    return {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}


#: the dossier's events, oldest first (also batched with other reads: engine/dossiers/queries.py)
HISTORY_SQL = ("SELECT at, actor, action, element_id, task_id, revision, data_diff, details FROM audit_event "
               "WHERE dossier_id = ? ORDER BY at, id")


def recorded(r: dict[str, Any]) -> ev.Recorded:
    """One row of `HISTORY_SQL` as its event."""
    return ev.Recorded(r["action"], sql.instant(r["at"]) or datetime.min.replace(tzinfo=UTC), r["actor"],
                       r["revision"], sql.unjson(r["details"]) or {}, r["element_id"], r["task_id"],
                       sql.unjson(r["data_diff"]) or {})


async def history(dossier_id: int) -> list[ev.Recorded]:
    """The dossier's events, oldest first."""
    return [recorded(r) for r in await sql.fetch(sql.db(), HISTORY_SQL, [dossier_id])]


def pause_statements(dossier_id: int, before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]],
                     change: Change) -> None:
    """Mirror the plan's pause list into dossier_pause rows (new pauses inserted, ends written)."""
    known = {p["start_at"]: p for p in before}
    for pause in after:
        old = known.get(pause["start_at"])
        if old is None:
            change.inserts.setdefault("dossier_pause", []).append({
                "dossier_id": dossier_id, "reason": pause["reason"], "start_at": sql.instant(pause["start_at"]),
                "end_at": sql.instant(pause.get("end_at"))})
        elif pause.get("end_at") and not old.get("end_at"):
            change.statements.append((
                "UPDATE dossier_pause SET end_at = ? WHERE dossier_id = ? AND start_at = ? AND end_at IS NULL",
                [sql.instant(pause["end_at"]), dossier_id, sql.instant(pause["start_at"])], False))
