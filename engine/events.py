"""Dossier events: what happened to a dossier, as frozen dataclasses with stable kinds.

Every command's plan yields events; `engine.dossiers.store.commit` writes them in the command's
transaction twice: as the dossier's trail (`audit_event`: action = kind, details = the fields)
and as outbox deliveries to the subscribers the runtime registered (`engine.outbox`). Readers
(the API history, the staff page, the citizen's timeline, reports) parse rows back with
`from_row`, so nobody guesses meaning from action names.

Common fields: dossier_code, revision (the dossier revision the command wrote), at (aware UTC),
actor (a username, "engine" or "citizen"). The `kind` strings are a public contract
(integrations and stored rows use them): add kinds, never rename one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: ClassVar[str] = "event"
    #: the events a citizen sees on the tracking page (the rest is internal work)
    public: ClassVar[bool] = False
    dossier_code: str
    revision: int
    at: datetime
    actor: str

    def fields(self) -> dict[str, Any]:
        """The event's own fields (without the common ones), JSON-ready."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in _COMMON:
                continue
            value = getattr(self, f.name)
            out[f.name] = _json(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "dossier_code": self.dossier_code, "revision": self.revision,
                "at": self.at.isoformat(), "actor": self.actor, **self.fields()}


_COMMON = ("dossier_code", "revision", "at", "actor")


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------ the dossier's legal life
@dataclass(frozen=True, kw_only=True)
class Submitted(Event):
    kind: ClassVar[str] = "submitted"
    public: ClassVar[bool] = True
    procedure_code: str
    channel: str
    submitter_kind: str


@dataclass(frozen=True, kw_only=True)
class ChannelException(Event):
    kind: ClassVar[str] = "channel_exception"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class StatusChanged(Event):
    kind: ClassVar[str] = "status_changed"
    from_status: int
    to_status: int
    command: str
    override: bool = False  # a manager took the step for another role (flagged for review)


@dataclass(frozen=True, kw_only=True)
class Accepted(Event):
    kind: ClassVar[str] = "accepted"
    public: ClassVar[bool] = True
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class SupplementRequested(Event):
    kind: ClassVar[str] = "supplement_requested"
    public: ClassVar[bool] = True
    what: tuple[str, ...]
    deadline: datetime | None  # the auto-close instant (after acceptance); None at intake
    at_intake: bool
    overridden: bool = False
    late: bool = False  # requested after the legal window: counted late by the KPI


@dataclass(frozen=True, kw_only=True)
class SupplementReceived(Event):
    kind: ClassVar[str] = "supplement_received"
    public: ClassVar[bool] = True
    source: str  # counter | online
    files: tuple[str, ...] = ()  # names of the files the citizen uploaded


@dataclass(frozen=True, kw_only=True)
class SupplementReturned(Event):
    """The one-stop officer found an online supplement still incomplete."""

    kind: ClassVar[str] = "supplement_returned"
    public: ClassVar[bool] = True
    reasons: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Paused(Event):
    kind: ClassVar[str] = "paused"
    reason: str  # supplement | financial_obligation


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    kind: ClassVar[str] = "resumed"
    reason: str
    due_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class FinancialObligationRequested(Event):
    kind: ClassVar[str] = "financial_obligation_requested"
    public: ClassVar[bool] = True
    note: str = ""  # what to pay and how much, as the officer wrote it


@dataclass(frozen=True, kw_only=True)
class DueSoon(Event):
    kind: ClassVar[str] = "due_soon"
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class Overdue(Event):
    kind: ClassVar[str] = "overdue"
    due_at: datetime


@dataclass(frozen=True, kw_only=True)
class Reappointed(Event):
    kind: ClassVar[str] = "reappointed"
    public: ClassVar[bool] = True
    new_due_at: datetime
    original_due_at: datetime | None
    reason: str


@dataclass(frozen=True, kw_only=True)
class Refused(Event):
    kind: ClassVar[str] = "refused"
    public: ClassVar[bool] = True
    reasons: tuple[str, ...]
    stage: str  # intake | processing


@dataclass(frozen=True, kw_only=True)
class ResultReady(Event):
    kind: ClassVar[str] = "result_ready"
    public: ClassVar[bool] = True
    channel: str  # how the citizen gets it: paper | electronic | both


@dataclass(frozen=True, kw_only=True)
class Returned(Event):
    kind: ClassVar[str] = "returned"
    public: ClassVar[bool] = True
    channel: str
    delivery: str = ""  # how it was handed over: counter | post | online ("" = not said)


@dataclass(frozen=True, kw_only=True)
class Withdrawn(Event):
    kind: ClassVar[str] = "withdrawn"
    public: ClassVar[bool] = True
    note: str = ""  # the citizen's request (date, reason)


@dataclass(frozen=True, kw_only=True)
class Stopped(Event):
    kind: ClassVar[str] = "stopped"
    public: ClassVar[bool] = True
    reason: str = ""  # "auto_close": 15 days without the supplement


@dataclass(frozen=True, kw_only=True)
class Rated(Event):
    kind: ClassVar[str] = "rated"
    score: int


# ------------------------------------------------------------------ staff work
@dataclass(frozen=True, kw_only=True)
class TaskOpened(Event):
    kind: ClassVar[str] = "task_opened"
    task_id: str
    element_id: str
    name: str
    role: str | None
    due_at: datetime | None = None
    task_kind: str = "bpmn"  # bpmn | apology (engine-owned)


@dataclass(frozen=True, kw_only=True)
class TaskClaimed(Event):
    kind: ClassVar[str] = "task_claimed"
    task_id: str
    element_id: str


@dataclass(frozen=True, kw_only=True)
class TaskReleased(Event):
    kind: ClassVar[str] = "task_released"
    task_id: str
    element_id: str


@dataclass(frozen=True, kw_only=True)
class TaskCompleted(Event):
    kind: ClassVar[str] = "task_completed"
    task_id: str
    element_id: str
    verdict: str | None  # early | on_time | late (against the step budget), None without one
    data_keys: tuple[str, ...] = ()  # which fields the officer changed (values stay in audit data_diff)
    engine_steps: tuple[str, ...] = ()  # the elements the engine then ran (gateways, events, scripts)


@dataclass(frozen=True, kw_only=True)
class TaskCancelled(Event):
    kind: ClassVar[str] = "task_cancelled"
    task_id: str
    element_id: str


# ------------------------------------------------------------------ the workflow underneath
@dataclass(frozen=True, kw_only=True)
class TimerFired(Event):
    kind: ClassVar[str] = "timer_fired"
    elements: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class MessageReceived(Event):
    kind: ClassVar[str] = "message_received"
    name: str


@dataclass(frozen=True, kw_only=True)
class Migrated(Event):
    kind: ClassVar[str] = "migrated"
    from_version: int
    to_version: int


@dataclass(frozen=True, kw_only=True)
class WorkflowCompleted(Event):
    kind: ClassVar[str] = "workflow_completed"


@dataclass(frozen=True, kw_only=True)
class WorkflowFailed(Event):
    """The engine stopped on an error (element id and error kind only: never task data)."""

    kind: ClassVar[str] = "workflow_failed"
    element_id: str | None
    error_code: str


@dataclass(frozen=True, kw_only=True)
class UncaughtBpmnError(Event):
    kind: ClassVar[str] = "uncaught_bpmn_error"
    name: str
    code: str | None = None


@dataclass(frozen=True, kw_only=True)
class BpmnEventThrown(Event):
    """A BPMN event (escalation, error, signal, message) thrown past the top-level process."""

    kind: ClassVar[str] = "bpmn_event_thrown"
    event: dict[str, Any] = field(default_factory=dict)  # {type, name, code}


@dataclass(frozen=True, kw_only=True)
class AttachmentsAdded(Event):
    kind: ClassVar[str] = "attachments_added"
    components: tuple[str, ...]
    source: str


@dataclass(frozen=True, kw_only=True)
class AttentionNeeded(Event):
    """A rule of the model (a motcua:lifecycle `when`) failed at run time: the element id and the
    error kind only, never the values it read (engine/attention.py)."""

    kind: ClassVar[str] = "attention_needed"
    element_id: str
    error_kind: str


@dataclass(frozen=True, kw_only=True)
class PersonalDataPurged(Event):
    """The retention period ended: personal data removed, the register row kept (engine/retention.py)."""

    kind: ClassVar[str] = "personal_data_purged"
    retention_years: int
    files: int


KINDS: dict[str, type[Event]] = {}


def _register_kinds() -> None:
    stack: list[type[Event]] = [Event]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            KINDS[sub.kind] = sub
            stack.append(sub)


_register_kinds()


@dataclass(frozen=True)
class Recorded:
    """An event as read back from the trail (unknown or legacy kinds keep their raw details)."""

    kind: str
    at: datetime
    actor: str
    revision: int
    details: dict[str, Any]
    element_id: str | None = None
    task_id: str | None = None
    data_diff: dict[str, Any] = field(default_factory=dict)

    @property
    def action(self) -> str:
        return self.kind

    @property
    def public(self) -> bool:
        cls = KINDS.get(self.kind)
        return bool(cls and cls.public)


def latest(records: list[Recorded], kind: str) -> Recorded | None:
    """The newest recorded event of `kind`, if any."""
    return next((r for r in reversed(records) if r.kind == kind), None)
