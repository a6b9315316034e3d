"""Dossier statuses (national sync codes 1–10) and the commands that move between them (pure).

The table ``MOVES`` is the one source of truth: ``ALLOWED`` (which status may follow which) is
derived from it, and ``apply`` / ``next_status`` look commands up in it. Guards that need more
than the status (one supplement request, refusal reasons) live in ``apply`` and work on a small
immutable ``LifecycleState``. Codes and labels: RULES §2.2; guards: RULES §3.5 and §8.6.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import NamedTuple

from engine.errors import Conflict, InvalidData
from engine.sla import Unit, due_at
from engine.workdays import Calendar


class Status(IntEnum):
    SUBMITTED = 1
    ACCEPTED = 2
    NOT_ACCEPTED = 3
    IN_PROCESS = 4
    SUPPLEMENT_REQUESTED = 5
    AWAITING_FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    STOPPED = 8
    FINISHED = 9
    RETURNED = 10

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def is_terminal(self) -> bool:
        return not ALLOWED[self]


_LABELS: dict[Status, tuple[str, str]] = {
    Status.SUBMITTED: ("Mới đăng ký", "Submitted"),
    Status.ACCEPTED: ("Được tiếp nhận", "Accepted"),
    Status.NOT_ACCEPTED: ("Không được tiếp nhận", "Not accepted"),
    Status.IN_PROCESS: ("Đang xử lý", "In process"),
    Status.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung giấy tờ", "Supplement requested"),
    Status.AWAITING_FINANCIAL_OBLIGATION: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Awaiting fees and taxes"),
    Status.WITHDRAWN: ("Công dân yêu cầu rút hồ sơ", "Withdrawn by the citizen"),
    Status.STOPPED: ("Dừng xử lý", "Stopped"),
    Status.FINISHED: ("Đã xử lý xong", "Processing finished"),
    Status.RETURNED: ("Đã trả kết quả", "Result returned"),
}


class Command(StrEnum):
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    REFUSE = "refuse"
    ROUTE = "route"
    REQUEST_FINANCIAL_OBLIGATION = "request_financial_obligation"
    FULFIL_FINANCIAL_OBLIGATION = "fulfil_financial_obligation"
    WITHDRAW = "withdraw"
    STOP = "stop"
    FINISH = "finish"
    RETURN_RESULT = "return_result"


class Move(NamedTuple):
    command: Command
    source: Status
    target: Status
    # Only for status 5: True = the supplement was requested at intake (no receipt, no clock),
    # False = after appraisal; None = the move does not depend on it.
    at_intake: bool | None = None


S = Status
MOVES: tuple[Move, ...] = (
    Move(Command.ACCEPT, S.SUBMITTED, S.ACCEPTED),
    Move(Command.REQUEST_SUPPLEMENT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED),  # Form 02 at intake
    Move(Command.REFUSE, S.SUBMITTED, S.NOT_ACCEPTED),  # Form 03 at intake
    Move(Command.ROUTE, S.ACCEPTED, S.IN_PROCESS),
    Move(Command.REQUEST_SUPPLEMENT, S.IN_PROCESS, S.SUPPLEMENT_REQUESTED),  # art. 19.5, once
    # A supplement completed at intake goes back to the intake check (RULES §3.5: 5 → 1/2): the
    # intake task, held while the citizen completed the dossier, then accepts (receipt, clock) or refuses.
    Move(Command.RECEIVE_SUPPLEMENT, S.SUPPLEMENT_REQUESTED, S.SUBMITTED, at_intake=True),
    Move(Command.RECEIVE_SUPPLEMENT, S.SUPPLEMENT_REQUESTED, S.IN_PROCESS, at_intake=False),
    Move(Command.REFUSE, S.SUPPLEMENT_REQUESTED, S.NOT_ACCEPTED, at_intake=True),
    # After appraisal a refusal is the dossier's result (art. 19.3), e.g. ND217 art. 54.2.b.
    Move(Command.REFUSE, S.SUPPLEMENT_REQUESTED, S.FINISHED, at_intake=False),
    Move(Command.REFUSE, S.IN_PROCESS, S.FINISHED),
    Move(Command.FINISH, S.IN_PROCESS, S.FINISHED),
    Move(Command.REQUEST_FINANCIAL_OBLIGATION, S.IN_PROCESS, S.AWAITING_FINANCIAL_OBLIGATION),
    Move(Command.FULFIL_FINANCIAL_OBLIGATION, S.AWAITING_FINANCIAL_OBLIGATION, S.IN_PROCESS),
    # Art. 21: from a valid receipt until the decision is issued.
    Move(Command.WITHDRAW, S.ACCEPTED, S.WITHDRAWN),
    Move(Command.WITHDRAW, S.IN_PROCESS, S.WITHDRAWN),
    Move(Command.WITHDRAW, S.SUPPLEMENT_REQUESTED, S.WITHDRAWN),
    Move(Command.WITHDRAW, S.AWAITING_FINANCIAL_OBLIGATION, S.WITHDRAWN),
    Move(Command.STOP, S.SUPPLEMENT_REQUESTED, S.STOPPED),  # incl. auto-close after 15 days
    Move(Command.RETURN_RESULT, S.FINISHED, S.RETURNED),
)
del S

ALLOWED: dict[Status, frozenset[Status]] = {
    status: frozenset(move.target for move in MOVES if move.source is status) for status in Status
}


def can_transition(source: Status, target: Status) -> bool:
    return target in ALLOWED[source]


def transition(source: Status, target: Status) -> Status:
    """``target`` when some command moves ``source`` to it; Conflict otherwise."""
    if not can_transition(source, target):
        raise Conflict(
            f"a dossier cannot go from status {int(source)} to {int(target)}",
            from_status=int(source),
            to_status=int(target),
        )
    return target


@dataclass(frozen=True)
class LifecycleState:
    """What the guards need besides the status.

    ``supplement_requests`` counts requests after acceptance (the intake one stops no clock and
    cannot repeat: 1 → 5 → 2). ``supplement_overridden`` flags a request beyond the first, made
    with ``override=True``; the KPI counts such a dossier as late (RULES §3.5).
    """

    status: Status = Status.SUBMITTED
    supplement_requests: int = 0
    supplement_at_intake: bool = False
    supplement_overridden: bool = False
    refused: bool = False
    refusal_reasons: tuple[str, ...] = ()


def _find(command: Command, state: LifecycleState) -> Move | None:
    for move in MOVES:
        if move.command is command and move.source is state.status:
            if move.at_intake is None or move.at_intake is state.supplement_at_intake:
                return move
    return None


def apply(
    state: LifecycleState, command: Command | str, *, override: bool = False, reasons: Sequence[str] = ()
) -> LifecycleState:
    """The state after ``command``; Conflict when the command is not allowed in this status or a
    guard refuses it, InvalidData when a refusal has no reason. ValueError for an unknown name."""
    command = Command(command)
    move = _find(command, state)
    if move is None:
        raise Conflict(
            f"command {command.value} is not allowed in status {int(state.status)}",
            command=command.value,
            from_status=int(state.status),
        )
    if command is Command.REFUSE:
        cleaned = tuple(reason.strip() for reason in reasons if reason.strip())
        if not cleaned:
            raise InvalidData("a refusal needs at least one reason", fields={"reasons": ["required"]})
        return replace(state, status=move.target, refused=True, refusal_reasons=cleaned, supplement_at_intake=False)
    if command is Command.REQUEST_SUPPLEMENT:
        if not any(reason.strip() for reason in reasons):  # Form 02 lists what is missing or wrong (ND118 art. 16.3)
            raise InvalidData("a supplement request must say what is missing", fields={"reasons": ["what"]})
        if move.source is Status.SUBMITTED:
            return replace(state, status=move.target, supplement_at_intake=True)
        if state.supplement_requests >= 1 and not override:
            # ND118 art. 16.3 / 19.5: list everything missing at once; a second request is abuse
            # unless a supervisor overrides it, and then the KPI counts the dossier late.
            raise Conflict(
                "a supplement was already requested once; a second one needs an override",
                rule="one_supplement_request",
                from_status=int(move.source),
                to_status=int(move.target),
                supplement_requests=state.supplement_requests,
            )
        return replace(
            state,
            status=move.target,
            supplement_requests=state.supplement_requests + 1,
            supplement_overridden=state.supplement_overridden or state.supplement_requests >= 1,
        )
    return replace(state, status=move.target, supplement_at_intake=False)


def next_status(
    status: Status | int,
    command: Command | str,
    *,
    at_intake: bool = False,
    supplement_requests: int = 0,
    override: bool = False,
    reasons: Sequence[str] = (),
) -> Status:
    """The status after ``command`` from ``status``, or raises as ``apply`` does.

    ``at_intake`` tells, for status 5 only, whether the open supplement request was made at
    intake; ``supplement_requests`` is how many were made after acceptance so far.
    """
    state = LifecycleState(
        status=Status(status), supplement_requests=supplement_requests, supplement_at_intake=at_intake
    )
    return apply(state, command, override=override, reasons=reasons).status


AUTO_CLOSE_DAYS = 15


def auto_close_due(requested_at: datetime, calendar: Calendar, *, days: int = AUTO_CLOSE_DAYS) -> datetime:
    """When an unanswered supplement request (after appraisal) closes the dossier (→ 8).

    ND118 art. 19.5 says "15 days" without "working": read as calendar days [V], counted by the
    Civil Code rules (``sla`` unit ``calendar_days``): the request's own day is not counted, the
    period ends at 24:00 of the 15th day, moved to the next working day's 24:00 when that day is
    not a working day. ``days`` is a parameter for provinces or sector laws that differ.
    """
    return due_at(requested_at, days, Unit.CALENDAR_DAYS, calendar)
