"""Reporting projections: the facts row of each dossier (`report_dossier`) and of each staff task
(`report_task`), folded from the dossier events, so the Decision 766 indicators (engine/reports.py)
read plain columns (no workflow is deserialised, no trail is parsed at report time).

* Incremental: `ReportsSubscriber` (outbox subscriber ``reports``, registered on every Runtime by
  web.app.build_runtime, so the web process and the worker always carry it) applies each delivered
  event with `apply`. Idempotent per event key ``<code>:<revision>:<n>``: the row keeps the last
  (revision, n) applied and skips anything not newer (the outbox delivers in order per dossier).
* Rebuild: `rebuild()` replays the event log (audit_event rows, the same events) through the same
  `fold`; a dossier without any event (imported rows) is seeded from its own columns.

What comes from where: the event fields give the times, channel, submitter kind, pauses, due dates,
supplement count and late flag, result channel (`e_result` = an electronic result: the channel
of the result or of its return is electronic or both), attachments (`has_components`; `reused` = a
component of source "reused"), rating and the task sheet. Attributes that do not change
(procedure, sector, agency, reception point, time limit, the submitter's verified account) are
read from the dossier's row. `synced` stays None until a national-portal sync exists (KPI 1.4;
that integration fills the column).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from engine import sla, sql
from engine.outbox import Delivery
from engine.workdays import Calendar

NAME = "reports"
#: the event kinds that can change a verdict, a processing time or the KPI due (the others skip `judge`)
_JUDGED = frozenset({"accepted", "status_changed", "supplement_requested", "paused", "resumed", "supplement_received",
                     "refused", "withdrawn", "stopped", "result_ready", "returned"})
ENDED_WITHOUT_RESULT = (3, 7, 8)  # refused, withdrawn, stopped: completed_at is their end
_TIMES = ("received_at", "accepted_at", "due_original_at", "due_adjusted_at", "ended_at", "result_at",
          "returned_at", "completed_at", "kpi_due_at", "first_due_at", "paused_from", "paused_until")
FACT_COLUMNS = ("dossier_id", "code", "procedure_code", "sector", "agency_code", "reception_point", "channel",
                "submitter_kind", "identity_verified", *_TIMES, "reappointed", "lifecycle_status", "late_flag",
                "kpi_late", "work_units", "supplement_requests", "pauses", "paused_hours", "time_limit", "time_unit",
                "paper_result", "result_channel", "e_result", "has_components", "reused", "synced", "rating",
                "applied_revision", "applied_n", "late_anyway", "span_s")
TASK_COLUMNS = ("task_id", "dossier_id", "element_id", "name", "role", "kind", "opened_at", "due_at", "completed_at",
                "official", "state", "verdict")
_STATIC = (
    "SELECT d.id, d.code, d.agency_code, d.reception_point, d.channel, d.submitter_kind, pv.time_limit, "
    "pv.time_unit, pv.metadata, p.code AS procedure_code, "
    "(SELECT COUNT(*) FROM registration_code rc WHERE rc.address = u.username AND rc.used_at IS NOT NULL) "
    "AS verified FROM dossier d JOIN procedure_version pv ON pv.id = d.procedure_version_id "
    "JOIN procedure p ON p.id = pv.procedure_id LEFT JOIN user_account u ON u.id = d.submitted_by_id ")


def seed(r: dict[str, Any]) -> dict[str, Any]:
    """A dossier's facts before any event: its unchanging attributes (a `_STATIC` row)."""
    meta = sql.unjson(r["metadata"]) or {}
    row: dict[str, Any] = {c: None for c in FACT_COLUMNS}
    row.update(dossier_id=r["id"], code=r["code"], procedure_code=r["procedure_code"],
               sector=str(meta.get("sector") or "")[:200], agency_code=r["agency_code"] or "",
               reception_point=r["reception_point"] or "", channel=r["channel"], submitter_kind=r["submitter_kind"],
               identity_verified=bool(r["verified"]), reappointed=False, lifecycle_status=1, late_flag=False,
               supplement_requests=0, pauses=[], paused_hours=Decimal(0),
               time_limit=Decimal(str(r["time_limit"] or 0)), time_unit=r["time_unit"] or "working_days",
               paper_result=paper_result(meta),
               result_channel="", e_result=False, has_components=False, reused=False, synced=None, rating=None,
               applied_revision=0, applied_n=-1, late_anyway=False)
    return row


def paper_result(meta: dict[str, Any]) -> bool:
    """The procedure hands over a paper document: a counter or postal delivery, or none stated."""
    delivery = meta.get("delivery") or []
    return not delivery or any(d in ("counter", "post") for d in delivery)


def seed_from_columns(row: dict[str, Any], d: dict[str, Any]) -> None:
    """A dossier with no event at all (imported rows): its lifecycle columns stand in for the trail."""
    for c in ("accepted_at", "due_original_at", "due_adjusted_at", "result_at", "returned_at", "completed_at"):
        row[c] = sql.instant(d[c])
    row["received_at"] = sql.instant(d["created_at"])
    row.update(lifecycle_status=int(d["lifecycle_status"]), late_flag=bool(d["late_flag"]),
               supplement_requests=int(d["supplement_requests"] or 0), pauses=sql.unjson(d["pauses"]) or [])
    rating = d.get("score")
    row["rating"] = None if rating is None else int(rating)
    _ended(row)


def _ended(row: dict[str, Any]) -> None:
    status = row["lifecycle_status"]
    row["ended_at"] = row["result_at"] or row["returned_at"] or (
        row["completed_at"] if status in ENDED_WITHOUT_RESULT else None)


def pauses_of(raw: Any) -> tuple[sla.Pause, ...]:
    return tuple(sla.Pause(at, sql.instant(p.get("end_at")), p["reason"])
                 for p in sql.unjson(raw) or [] if (at := sql.instant(p.get("start_at"))) is not None)


def late_at(accepted: datetime, end: datetime, limit: Decimal, unit: str, pauses: tuple[sla.Pause, ...],
            late_flag: bool, supplements: int, calendar: Calendar) -> bool:
    """The 766 verdict judged at ``end`` (engine/reports.py's module doc): LATE whatever the times
    with ``late_flag`` or more than one supplement request."""
    if late_flag or supplements > 1:
        return True
    verdict = sla.kpi_verdict(accepted, end, limit, unit, calendar, pauses, by_day=False)
    return verdict is sla.Verdict.LATE


def work_units(accepted: datetime, end: datetime, unit: str, pauses: tuple[sla.Pause, ...],
               calendar: Calendar) -> Decimal:
    """Acceptance to ``end`` minus the pauses, in the procedure's unit (2.2)."""
    if unit in ("calendar_days", "same_day"):
        spent = end - accepted - sum((p.end_at - p.start_at for p in pauses if p.end_at), timedelta())
        return Decimal(spent // timedelta(seconds=1)) / 86400
    worked = sla.kpi_elapsed(accepted, end, pauses, calendar)
    per = calendar.day_length if unit == "working_days" else timedelta(hours=1)
    return Decimal(worked // timedelta(seconds=1)) / Decimal(per // timedelta(seconds=1))


def judge(row: dict[str, Any], calendar: Calendar) -> None:
    """Fix the verdict and the processing time once processing ended (a calendar change later
    needs `rebuild`); None while unfinished. And what judges an unfinished dossier at any instant
    ``U`` in SQL (engine/report_sql.py): ``late_anyway``, else ``U > first_due_at`` up to the first
    pause, ``U > kpi_due_at`` once every pause ended; in between, `late_at` itself."""
    accepted, end = row["accepted_at"], row["ended_at"]
    pauses = pauses_of(row["pauses"])
    row["kpi_due_at"] = None if accepted is None or any(p.end_at is None for p in pauses) else sla.kpi_due(
        accepted, row["time_limit"], row["time_unit"], calendar, pauses)
    row["first_due_at"] = None if accepted is None else sla.due_at(accepted, row["time_limit"], row["time_unit"],
                                                                   calendar)
    row["late_anyway"] = bool(row["late_flag"] or row["supplement_requests"] > 1
                              or sum(p.reason == sla.SUPPLEMENT for p in pauses) > 1)
    row["paused_from"] = min((p.start_at for p in pauses), default=None)
    row["paused_until"] = None if not pauses or any(p.end_at is None for p in pauses) else max(
        p.end_at for p in pauses if p.end_at is not None)
    if accepted is None or end is None:
        row["kpi_late"] = row["work_units"] = row["span_s"] = None
        return
    row["span_s"] = int((end - accepted).total_seconds()) + 1  # rounded up: a bound, never short
    row["kpi_late"] = late_at(accepted, end, row["time_limit"], row["time_unit"], pauses, row["late_flag"],
                              row["supplement_requests"], calendar)
    row["work_units"] = work_units(accepted, end, row["time_unit"], pauses, calendar).quantize(Decimal("0.0001"))


def _at(value: Any) -> datetime | None:
    return sql.instant(value) if value else None


def fold(row: dict[str, Any], tasks: dict[str, dict[str, Any]], e: dict[str, Any], calendar: Calendar,
         *, judged: bool = True) -> None:
    """Apply one event (``Event.to_dict()`` shape) to a dossier's facts and its tasks' facts;
    ``judged=False`` leaves `judge` to the caller (a rebuild judges once, after the last event)."""
    kind, at = e["kind"], _at(e["at"])
    if kind == "submitted":
        row.update(received_at=at, channel=e.get("channel") or row["channel"],
                   submitter_kind=e.get("submitter_kind") or row["submitter_kind"])
    elif kind == "status_changed":
        row["lifecycle_status"] = int(e["to_status"])
    elif kind == "accepted":
        row.update(accepted_at=at, due_original_at=_at(e.get("due_at")), due_adjusted_at=_at(e.get("due_at")))
    elif kind == "supplement_requested" and not e.get("at_intake"):
        row["supplement_requests"] += 1
        row["late_flag"] = row["late_flag"] or bool(e.get("overridden") or e.get("late"))
    elif kind == "paused":
        row["pauses"] = [*row["pauses"], {"start_at": at.isoformat() if at else None, "end_at": None,
                                          "reason": e.get("reason") or "supplement"}]
    elif kind in ("resumed", "supplement_received"):
        reason = e.get("reason") or "supplement"
        _close_pause(row, reason, at, calendar)
        if kind == "resumed" and e.get("due_at"):
            row["due_adjusted_at"] = _at(e["due_at"])
    elif kind == "reappointed":
        row.update(due_adjusted_at=_at(e.get("new_due_at")), reappointed=True)
    elif kind in ("refused", "withdrawn", "stopped"):
        row["completed_at"] = at
    elif kind in ("result_ready", "returned"):
        row["result_at" if kind == "result_ready" else "returned_at"] = row[
            "result_at" if kind == "result_ready" else "returned_at"] or at
        row["result_channel"] = str(e.get("channel") or "") or row["result_channel"]
        row["e_result"] = row["result_channel"] in ("electronic", "both")
    elif kind == "rated":
        row["rating"] = int(e["score"])
    elif kind == "attachments_added":
        row["has_components"] = True
        row["reused"] = row["reused"] or e.get("source") == "reused"
    elif kind.startswith("task_"):
        _fold_task(row, tasks, kind, e, at)
    _ended(row)
    if judged and kind in _JUDGED:
        judge(row, calendar)


def _close_pause(row: dict[str, Any], reason: str, at: datetime | None, calendar: Calendar) -> None:
    pauses = [dict(p) for p in row["pauses"]]
    for p in reversed(pauses):
        if p.get("end_at") is None and p.get("reason") == reason and at is not None:
            p["end_at"] = at.isoformat()
            start = _at(p["start_at"])
            if start is not None and at > start:
                worked = calendar.working_time_between(start, at)
                row["paused_hours"] = Decimal(row["paused_hours"]) + (
                    Decimal(worked // timedelta(seconds=1)) / 3600).quantize(Decimal("0.01"))
            break
    row["pauses"] = pauses


def _fold_task(row: dict[str, Any], tasks: dict[str, dict[str, Any]], kind: str, e: dict[str, Any],
               at: datetime | None) -> None:
    task_id = str(e.get("task_id") or "")
    if kind == "task_opened":
        tasks[task_id] = {"task_id": task_id, "dossier_id": row["dossier_id"], "element_id": e.get("element_id") or "",
                          "name": str(e.get("name") or "")[:300], "role": e.get("role") or "",
                          "kind": e.get("task_kind") or "bpmn", "opened_at": at, "due_at": _at(e.get("due_at")),
                          "completed_at": None, "official": "", "state": "open", "verdict": ""}
        return
    task = tasks.get(task_id)
    if task is None:
        return  # opened before the projection's history (nothing to attach it to)
    if kind == "task_claimed":
        task["official"] = e.get("actor") or ""
    elif kind == "task_released":
        task["official"] = ""
    elif kind == "task_completed":
        task.update(completed_at=at, official=e.get("actor") or task["official"], state="completed",
                    verdict=e.get("verdict") or "")
    elif kind == "task_cancelled":
        task.update(completed_at=at, state="cancelled")


def _key(key: str) -> tuple[int, int]:
    _code, revision, n = key.rsplit(":", 2)
    return int(revision), int(n)


def _value(conn_pg: bool, column: str, value: Any) -> Any:
    if column == "pauses":
        return sql.jsonb(value)
    if isinstance(value, datetime):
        return sql.utc(value)
    if isinstance(value, Decimal) and not conn_pg:
        return str(value)
    return value


def _upsert(table: str, key: str, columns: tuple[str, ...], rows: int = 1, newer_only: bool = False) -> str:
    """INSERT … ON CONFLICT UPDATE of ``rows`` rows; ``newer_only``: a facts row already holding a
    later event (the subscriber ran while a rebuild read the trail) is kept."""
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    one = "(" + ", ".join("?" for _ in columns) + ")"
    guard = (f" WHERE ({table}.applied_revision, {table}.applied_n) <= (excluded.applied_revision, "
             "excluded.applied_n)") if newer_only else ""
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(one for _ in range(rows))} "
            f"ON CONFLICT ({key}) DO UPDATE SET {sets}{guard}")


def _decode(raw: dict[str, Any]) -> dict[str, Any]:
    row = {c: raw[c] for c in FACT_COLUMNS}
    for c in _TIMES:
        row[c] = sql.instant(row[c])
    row["pauses"] = sql.unjson(row["pauses"]) or []
    row["paused_hours"] = Decimal(str(row["paused_hours"] or 0))
    row["work_units"] = None if row["work_units"] is None else Decimal(str(row["work_units"]))
    row["kpi_late"] = None if row["kpi_late"] is None else bool(row["kpi_late"])
    row["time_limit"] = Decimal(str(row["time_limit"] or 0))
    for c in ("identity_verified", "reappointed", "late_flag", "paper_result", "e_result", "has_components",
              "reused", "late_anyway"):
        row[c] = bool(row[c])
    row["synced"] = None if row["synced"] is None else bool(row["synced"])
    return row


async def apply(code: str, key: str, event: dict[str, Any], calendar: Calendar) -> bool:
    """Apply one delivered event to its dossier's facts, once; False when it was already applied."""
    revision, n = _key(key)
    pg = sql.is_postgres(sql.db())
    found = await sql.fetch_one(sql.db(), "SELECT * FROM report_dossier WHERE code = ?", [code])
    if found is not None:
        row = _decode(found)
        if (revision, n) <= (row["applied_revision"], row["applied_n"]):
            return False
    else:
        static = await sql.fetch_one(sql.db(), _STATIC + "WHERE d.code = ?", [code])
        if static is None:
            raise LookupError(f"no dossier {code!r}")
        row = seed(static)
    tasks: dict[str, dict[str, Any]] = {}
    if event["kind"].startswith("task_") and event["kind"] != "task_opened":
        task = await sql.fetch_one(sql.db(), "SELECT * FROM report_task WHERE task_id = ?", [event.get("task_id")])
        if task is not None:
            tasks[task["task_id"]] = {c: sql.instant(task[c]) if c.endswith("_at") else task[c] for c in TASK_COLUMNS}
    fold(row, tasks, event, calendar)
    row.update(applied_revision=revision, applied_n=n)

    async def body(tx: sql.Tx) -> None:
        await tx.execute(_upsert("report_dossier", "dossier_id", FACT_COLUMNS),
                         [_value(pg, c, row[c]) for c in FACT_COLUMNS])
        for task in tasks.values():
            await tx.execute(_upsert("report_task", "task_id", TASK_COLUMNS),
                             [_value(pg, c, task[c]) for c in TASK_COLUMNS])

    await sql.transaction(body)
    return True


class ReportsSubscriber:
    """The outbox subscriber that keeps the projections (every event kind)."""

    name = NAME
    kinds: frozenset[str] | None = None

    def __init__(self, calendar: Callable[[], Calendar]) -> None:
        self.calendar = calendar

    async def deliver(self, delivery: Delivery) -> None:
        await apply(str(delivery.payload["dossier_code"]), delivery.key, delivery.payload, self.calendar())


def _event(r: dict[str, Any]) -> dict[str, Any]:
    details = sql.unjson(r["details"]) or {}
    return {**details, "kind": r["action"], "at": sql.instant(r["at"]), "actor": r["actor"],
            "revision": r["revision"]}


async def rebuild(calendar: Calendar, batch: int = 2000) -> int:
    """Recompute both projections from the event log (every dossier); the number of dossiers."""
    pg = sql.is_postgres(sql.db())
    last, total = 0, 0
    await sql.transaction(_wipe)  # then batch by batch; a delivery meanwhile is kept when newer
    while True:
        dossiers = await sql.fetch(sql.db(), _STATIC.replace("SELECT d.id,", (
            "SELECT d.id, d.accepted_at, d.due_original_at, d.due_adjusted_at, d.result_at, d.returned_at, "
            "d.completed_at, d.created_at, d.lifecycle_status, d.late_flag, d.supplement_requests, d.pauses, "
            "(SELECT score FROM rating r WHERE r.dossier_id = d.id) AS score,"))
            + "WHERE d.id > ? ORDER BY d.id LIMIT ?", [last, batch])
        if not dossiers:
            return total
        last = dossiers[-1]["id"]
        rows = {d["id"]: seed(d) for d in dossiers}
        tasks: dict[int, dict[str, dict[str, Any]]] = {i: {} for i in rows}
        counters: dict[int, tuple[int, int]] = {}
        trail = await sql.fetch(sql.db(), (
            "SELECT dossier_id, action, at, actor, revision, details FROM audit_event "
            f"WHERE dossier_id IN ({', '.join('?' for _ in rows)}) ORDER BY dossier_id, id"), list(rows))
        for r in trail:
            i = r["dossier_id"]
            revision, n = counters.get(i, (0, -1))
            counters[i] = (r["revision"], n + 1 if revision == r["revision"] else 0)
            fold(rows[i], tasks[i], _event(r), calendar, judged=False)
            rows[i].update(applied_revision=counters[i][0], applied_n=counters[i][1])
        for d in dossiers:
            if d["id"] not in counters:
                seed_from_columns(rows[d["id"]], d)
            judge(rows[d["id"]], calendar)
        facts = [[_value(pg, c, row[c]) for c in FACT_COLUMNS] for row in rows.values()]
        steps = [[_value(pg, c, t[c]) for c in TASK_COLUMNS] for per in tasks.values() for t in per.values()]

        async def write(tx: sql.Tx, facts: list[list[Any]] = facts, steps: list[list[Any]] = steps) -> None:
            for start in range(0, len(facts), 200):
                chunk = facts[start:start + 200]
                await tx.execute(_upsert("report_dossier", "dossier_id", FACT_COLUMNS, len(chunk), newer_only=True),
                                 [v for row in chunk for v in row])
            for start in range(0, len(steps), 200):
                part = steps[start:start + 200]
                await tx.execute(_upsert("report_task", "task_id", TASK_COLUMNS, len(part)),
                                 [v for row in part for v in row])

        await sql.transaction(write)
        total += len(rows)


async def _wipe(tx: sql.Tx) -> None:
    await tx.execute("DELETE FROM report_task")
    await tx.execute("DELETE FROM report_dossier")
