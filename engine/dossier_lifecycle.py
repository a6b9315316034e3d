"""Decree 118 lifecycle of a dossier on top of its workflow: plan a step, then commit it.

`plan()` is pure: from the dossier's lifecycle columns, a lifecycle step (accept, supplement,
refuse, finish, return, withdraw, stop, extend…), `now`, the procedure's time limit and the
calendar, it returns the column updates, the audit entries and the SLA timer rows. dossiers.py
commits a plan in the same transaction as the workflow step that caused it (a task whose
`motcua:lifecycle` rule holds), and `run()` here commits one asked for directly (API).

SLA timers (kinds): sla_due_soon at due − 2 working days, sla_apology at due −
`Policy.apology_lead_days` working days (2 by default; opens the apology task), sla_overdue at the
due, auto_close 15 days after an unanswered
supplement request made after acceptance (RULES §8.5).

A supplement request after acceptance must come within 3 working days of receipt (ND118 art.
19.5) and only once; beyond either rule it needs a manager's override (`Step.override`), and the
dossier is then counted late (`late_flag`, `late_reason`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from engine import sla
from engine.errors import Conflict, InvalidData, PermissionDenied
from engine.lifecycle import Command, LifecycleState, Status, apply, auto_close_due
from engine.workdays import Calendar

LIFECYCLE_COLUMNS = ("lifecycle_status", "accepted_at", "due_original_at", "due_adjusted_at", "extension",
                     "supplement_requests", "supplement_overridden", "pauses", "refusal", "result_at",
                     "returned_at", "late_flag", "late_reason")
SLA_KINDS = ("sla_due_soon", "sla_apology", "sla_overdue")
EXTEND = "extend"  # the apology / re-appointment step (ND118 art. 19.6); not a status change


@dataclass(frozen=True)
class Step:
    command: str  # a lifecycle.Command value, or EXTEND
    reasons: tuple[str, ...] = ()
    override: bool = False
    new_due_at: datetime | None = None  # EXTEND
    note: str = ""


@dataclass
class Plan:
    updates: dict[str, Any] = field(default_factory=dict)
    audits: list[dict[str, Any]] = field(default_factory=list)
    timers: list[dict[str, Any]] = field(default_factory=list)  # new rows: {kind, due_at, payload}
    cancel_kinds: set[str] = field(default_factory=set)  # pending timers of these kinds are cancelled
    cancel_workflow: bool = False


@dataclass(frozen=True)
class Policy:
    """The installation's choices for the legal clock, from Settings (MOTCUA_APOLOGY_LEAD_DAYS),
    passed to `plan()` by the caller: never a process global."""

    apology_lead_days: Decimal = Decimal(2)

    def __post_init__(self) -> None:
        if not self.apology_lead_days >= 1:
            # the re-appointment must be made at the latest 1 working day before the due (art. 19.6)
            raise ValueError(f"apology_lead_days must be >= 1, got {self.apology_lead_days}")


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class Limit:
    value: Decimal
    unit: str


def _pauses(raw: Sequence[dict[str, Any]]) -> list[sla.Pause]:
    return [sla.Pause(_dt(p["start_at"]), _dt(p["end_at"]) if p.get("end_at") else None, p["reason"]) for p in raw]


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _sla_timers(due: datetime, now: datetime, calendar: Calendar, policy: Policy) -> list[dict[str, Any]]:
    marks = [("sla_due_soon", calendar.subtract_working_days(due, 2)),
             ("sla_apology", calendar.subtract_working_days(due, policy.apology_lead_days)), ("sla_overdue", due)]
    return [{"kind": kind, "due_at": at, "payload": {"due_at": due.isoformat()}} for kind, at in marks if at > now]


def plan(facts: dict[str, Any], steps: Sequence[Step], now: datetime, limit: Limit, calendar: Calendar,
         *, workflow_open: bool, policy: Policy = DEFAULT_POLICY) -> Plan:
    """Apply `steps` in order to the dossier's lifecycle columns (`facts`)."""
    out = Plan()
    cur = {k: facts.get(k) for k in LIFECYCLE_COLUMNS}
    # Copy each pause too: closing one mutates its dict, and a shared dict would make the pause
    # look unchanged in `facts`, so its end would never be saved.
    cur["pauses"] = [dict(p) for p in cur.get("pauses") or []]
    state = LifecycleState(status=Status(cur["lifecycle_status"] or 1),
                           supplement_requests=cur["supplement_requests"] or 0,
                           supplement_at_intake=bool(cur["lifecycle_status"] == 5 and not cur["accepted_at"]),
                           supplement_overridden=bool(cur["supplement_overridden"]))
    for step in steps:
        before = state.status
        details: dict[str, Any] = {"from": int(before)}
        if step.command == EXTEND:
            _extend(cur, step, now, calendar, out, details)
        else:
            state = apply(state, Command(step.command), override=step.override, reasons=step.reasons)
            _effects(cur, state, Command(step.command), step, now, limit, calendar, policy, out, details)
            if state.status is Status.ACCEPTED and workflow_open:
                # electronic routing to the competent agency happens at once (ND118 art. 18)
                state = apply(state, Command.ROUTE)
                details["routed"] = True
        cur["lifecycle_status"] = int(state.status)
        cur["supplement_requests"] = state.supplement_requests
        cur["supplement_overridden"] = state.supplement_overridden
        details["to"] = int(state.status)
        if step.reasons:
            details["reasons"] = list(step.reasons)
        if step.note:
            details["note"] = step.note
        out.audits.append({"action": f"lifecycle_{step.command}", "details": details})
    out.updates = {k: v for k, v in cur.items() if v != (facts.get(k) or [] if k == "pauses" else facts.get(k))}
    return out


def _effects(cur: dict[str, Any], state: LifecycleState, command: Command, step: Step, now: datetime, limit: Limit,
             calendar: Calendar, policy: Policy, out: Plan, details: dict[str, Any]) -> None:
    if state.status is Status.ACCEPTED:  # accept, or an intake supplement received: the clock starts
        cur["accepted_at"] = now
        due = sla.due_at(now, limit.value, limit.unit, calendar)
        cur["due_original_at"] = cur["due_adjusted_at"] = due
        details["due_at"] = due.isoformat()
        out.timers += _sla_timers(due, now, calendar, policy)
    elif command is Command.REQUEST_SUPPLEMENT and cur["accepted_at"]:
        window_end = sla.supplement_request_deadline(_dt(cur["accepted_at"]), calendar)
        if now > window_end:
            if not step.override:
                raise Conflict("a supplement must be requested within 3 working days of receipt; "
                               "later needs a manager's override", rule="supplement_window",
                               accepted_at=_iso(_dt(cur["accepted_at"])), window_end_at=window_end.isoformat())
            _late(cur, "supplement_after_window")
            details["late_request"] = True
        if state.supplement_requests > 1:  # a second request, overridden (lifecycle.apply checked)
            _late(cur, "second_supplement_request")
        cur["pauses"].append({"start_at": now.isoformat(), "end_at": None, "reason": "supplement"})
        out.cancel_kinds |= set(SLA_KINDS)
        close_at = auto_close_due(now, calendar)
        out.timers.append({"kind": "auto_close", "due_at": close_at, "payload": {}})
        details["auto_close_at"] = close_at.isoformat()
        details["overridden"] = state.supplement_overridden
    elif command in (Command.RECEIVE_SUPPLEMENT, Command.FULFIL_FINANCIAL_OBLIGATION):
        reason = "supplement" if command is Command.RECEIVE_SUPPLEMENT else "financial_obligation"
        for pause in cur["pauses"]:
            if pause["end_at"] is None and pause["reason"] == reason:
                pause["end_at"] = now.isoformat()
        out.cancel_kinds |= {"auto_close", *SLA_KINDS}
        if not cur["accepted_at"]:  # a supplement at intake: no receipt yet, no clock to recount
            return
        dues = sla.legal_due(_dt(cur["accepted_at"]), limit.value, limit.unit, calendar, _pauses(cur["pauses"]))
        if dues.adjusted is not None:
            cur["due_adjusted_at"] = dues.adjusted
            details["due_at"] = dues.adjusted.isoformat()
            out.timers += _sla_timers(dues.adjusted, now, calendar, policy)
    elif command is Command.REQUEST_FINANCIAL_OBLIGATION:
        cur["pauses"].append({"start_at": now.isoformat(), "end_at": None, "reason": "financial_obligation"})
        out.cancel_kinds |= set(SLA_KINDS)
    if command is Command.REFUSE:
        cur["refusal"] = {"reasons": list(state.refusal_reasons), "at": now.isoformat(),
                          "stage": "intake" if state.status is Status.NOT_ACCEPTED else "processing"}
    if state.status is Status.FINISHED:
        cur["result_at"] = now
    if state.status is Status.RETURNED:
        cur["returned_at"] = now
    if state.status in (Status.NOT_ACCEPTED, Status.FINISHED, Status.RETURNED, Status.WITHDRAWN, Status.STOPPED):
        out.cancel_kinds |= {"auto_close", *SLA_KINDS}
        for pause in cur["pauses"]:  # the wait for the citizen ends with the dossier (withdrawn, stopped…)
            if pause["end_at"] is None:
                pause["end_at"] = now.isoformat()
    if state.status in (Status.WITHDRAWN, Status.STOPPED):
        out.cancel_workflow = True


def _late(cur: dict[str, Any], reason: str) -> None:
    """Count the dossier late in the KPI whatever its times (the first reason is kept)."""
    if not cur["late_flag"]:
        cur["late_flag"], cur["late_reason"] = True, reason


def _extend(cur: dict[str, Any], step: Step, now: datetime, calendar: Calendar, out: Plan,
            details: dict[str, Any]) -> None:
    if cur["lifecycle_status"] not in (Status.ACCEPTED, Status.IN_PROCESS):
        raise PermissionDenied("Only a dossier in process can be re-appointed", status=cur["lifecycle_status"])
    if step.new_due_at is None or not step.note.strip():
        raise InvalidData("An apology needs a reason and a new appointment",
                          fields={k: ["required"] for k, v in (("new_due_at", step.new_due_at), ("reason", step.note))
                                  if not (v.strip() if isinstance(v, str) else v)})
    if not calendar.is_working_day(calendar.local(step.new_due_at).date()):
        # the citizen comes back for the result on the new appointment: it must be a working day
        raise InvalidData("The new appointment must fall on a working day", fields={"new_due_at": ["not_working_day"]})
    current = sla.DueDates(_dt(cur["due_original_at"]), _dt(cur["due_adjusted_at"]), extended=bool(cur["extension"]))
    latest = sla.apology_due(current.adjusted, calendar) if current.adjusted else None
    if latest is not None and now > latest and not current.extended:
        # ND118 art. 19.6: the apology and new appointment come at the latest 1 working day before
        # the due; later, the dossier is simply late (nothing changes, the refusal is the answer).
        raise Conflict("the re-appointment must be made at least 1 working day before the due",
                       rule="apology_deadline", due_at=_iso(current.adjusted), latest_at=latest.isoformat())
    extended = sla.extend(current, step.new_due_at)
    cur["due_adjusted_at"] = extended.adjusted
    cur["extension"] = {"reason": step.note.strip(), "original_due_at": _iso(current.adjusted),
                        "new_due_at": _iso(extended.adjusted), "at": now.isoformat()}
    out.cancel_kinds |= set(SLA_KINDS)
    assert extended.adjusted is not None
    out.timers.append({"kind": "sla_overdue", "due_at": extended.adjusted,
                       "payload": {"due_at": extended.adjusted.isoformat()}})
    details["new_due_at"] = _iso(extended.adjusted)


def limit_of(time_limit: Any, time_unit: str) -> Limit:
    return Limit(Decimal(str(time_limit or 0)), time_unit or "working_days")

