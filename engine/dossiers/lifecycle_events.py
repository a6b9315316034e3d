"""The dossier events a lifecycle plan's steps mean (engine.events), added to a command's change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine import events as ev
from engine.dossier_lifecycle import EXTEND
from engine.dossiers.row import DossierRow
from engine.dossiers.store import Change
from engine.lifecycle import Status

#: how a result is handed over (the `note` of a direct return_result step)
DELIVERIES = ("counter", "post", "online")


def lifecycle_events(change: Change, d: DossierRow, revision: int, now: datetime, actor: str,
                      audit: dict[str, Any], *, channel: str, flagged: bool) -> None:
    command = audit["action"].removeprefix("lifecycle_")
    details = audit["details"]
    before, after = details.get("from"), details.get("to")

    def add(cls: type[ev.Event], **fields: Any) -> None:
        change.event(cls, d, revision, now, actor, **fields)

    if command == EXTEND:
        add(ev.Reappointed, new_due_at=dt(details.get("new_due_at")), original_due_at=d.due_adjusted_at,
            reason=str(details.get("note") or ""))
        return
    routed = bool(details.get("routed"))
    reached = int(Status.ACCEPTED) if routed else after
    if before != reached:
        add(ev.StatusChanged, from_status=before, to_status=reached, command=command, override=flagged)
    if reached == int(Status.ACCEPTED):
        add(ev.Accepted, due_at=dt(details.get("due_at")))
    if routed:  # routed to the competent agency at once (ND118 art. 18): 2 → 4
        add(ev.StatusChanged, from_status=reached, to_status=after, command="route", override=False)
    if command == "request_supplement":
        at_intake = before == int(Status.SUBMITTED)
        add(ev.SupplementRequested, what=tuple(details.get("reasons") or ()),
            deadline=dt(details.get("auto_close_at")), at_intake=at_intake,
            overridden=bool(details.get("overridden")),
            late=bool(details.get("late_request") or details.get("late")))
        if not at_intake:
            add(ev.Paused, reason="supplement")
    elif command == "receive_supplement":
        online = any(p.get("reason") == "supplement" and p.get("end_at") is None and p.get("arrived_at")
                     for p in d.pauses or [])  # the officer confirms the citizen's online upload
        add(ev.SupplementReceived, source=str(details.get("source") or ("online" if online else "counter")))
        if details.get("due_at") and before == int(Status.SUPPLEMENT_REQUESTED) and after != int(Status.ACCEPTED):
            add(ev.Resumed, reason="supplement", due_at=dt(details.get("due_at")))
    elif command == "request_financial_obligation":
        add(ev.FinancialObligationRequested, note=str(details.get("note") or ""))
        add(ev.Paused, reason="financial_obligation")
    elif command == "fulfil_financial_obligation":
        add(ev.Resumed, reason="financial_obligation", due_at=dt(details.get("due_at")))
    elif command == "refuse":
        add(ev.Refused, reasons=tuple(details.get("reasons") or ()),
            stage="intake" if after == int(Status.NOT_ACCEPTED) else "processing")
    elif command == "withdraw":
        add(ev.Withdrawn, note=str(details.get("note") or ""))
    elif command == "stop":
        add(ev.Stopped, reason=str(details.get("note") or ""))
    elif command == "return_result":
        note = str(details.get("note") or "")  # a direct step's note names the delivery way
        add(ev.Returned, channel=channel, delivery=note if note in DELIVERIES else "")
    if after == int(Status.FINISHED) and before != after:
        add(ev.ResultReady, channel=channel)


def dt(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
