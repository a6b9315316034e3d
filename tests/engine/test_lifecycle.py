"""Dossier statuses 1–10 and the commands between them (RULES §2.2, §3.5, §8.6)."""

from __future__ import annotations

from datetime import datetime
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from engine.errors import Conflict, InvalidData
from engine.lifecycle import (
    ALLOWED,
    Command,
    LifecycleState,
    Status,
    apply,
    auto_close_due,
    can_transition,
    next_status,
    transition,
)
from engine.workdays import default_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Status

# Written out by hand from the brief and RULES §2.2, independently of engine.lifecycle.MOVES.
EXPECTED_ALLOWED = {
    S.SUBMITTED: {S.ACCEPTED, S.SUPPLEMENT_REQUESTED, S.NOT_ACCEPTED},
    S.ACCEPTED: {S.IN_PROCESS, S.WITHDRAWN},
    S.NOT_ACCEPTED: set(),
    S.IN_PROCESS: {S.SUPPLEMENT_REQUESTED, S.AWAITING_FINANCIAL_OBLIGATION, S.FINISHED, S.WITHDRAWN},
    S.SUPPLEMENT_REQUESTED: {S.IN_PROCESS, S.SUBMITTED, S.NOT_ACCEPTED, S.FINISHED, S.WITHDRAWN, S.STOPPED},
    S.AWAITING_FINANCIAL_OBLIGATION: {S.IN_PROCESS, S.WITHDRAWN},
    S.WITHDRAWN: set(),
    S.STOPPED: set(),
    S.FINISHED: {S.RETURNED},
    S.RETURNED: set(),
}
ALLOWED_PAIRS = [(a, b) for a, targets in EXPECTED_ALLOWED.items() for b in sorted(targets)]
REFUSED_PAIRS = [(a, b) for a, b in product(Status, Status) if b not in EXPECTED_ALLOWED[a]]


def test_transition_table_is_the_documented_one() -> None:
    assert {status: set(targets) for status, targets in ALLOWED.items()} == EXPECTED_ALLOWED


@pytest.mark.parametrize(("source", "target"), ALLOWED_PAIRS)
def test_every_allowed_transition_works(source: Status, target: Status) -> None:
    assert can_transition(source, target)
    assert transition(source, target) is target


@pytest.mark.parametrize(("source", "target"), REFUSED_PAIRS)
def test_every_other_transition_is_refused(source: Status, target: Status) -> None:
    assert not can_transition(source, target)
    with pytest.raises(Conflict) as refused:
        transition(source, target)
    assert refused.value.code == "conflict"
    assert refused.value.params == {"from_status": int(source), "to_status": int(target)}


@pytest.mark.parametrize(
    ("status", "command", "flags", "expected"),
    [
        (S.SUBMITTED, "accept", {}, S.ACCEPTED),
        (S.SUBMITTED, "request_supplement", {"reasons": ["giấy chứng sinh bị mờ"]}, S.SUPPLEMENT_REQUESTED),
        (S.SUBMITTED, "refuse", {"reasons": ["sai thẩm quyền"]}, S.NOT_ACCEPTED),
        (S.ACCEPTED, "route", {}, S.IN_PROCESS),
        (S.IN_PROCESS, "request_supplement", {"reasons": ["thiếu bản vẽ"]}, S.SUPPLEMENT_REQUESTED),
        (S.SUPPLEMENT_REQUESTED, "receive_supplement", {}, S.IN_PROCESS),
        (S.SUPPLEMENT_REQUESTED, "receive_supplement", {"at_intake": True}, S.SUBMITTED),
        (S.SUPPLEMENT_REQUESTED, "refuse", {"at_intake": True, "reasons": ["thiếu giấy tờ"]}, S.NOT_ACCEPTED),
        (S.SUPPLEMENT_REQUESTED, "refuse", {"reasons": ["quá hạn bổ sung"]}, S.FINISHED),
        (S.IN_PROCESS, "refuse", {"reasons": ["không đủ điều kiện"]}, S.FINISHED),
        (S.IN_PROCESS, "finish", {}, S.FINISHED),
        (S.IN_PROCESS, "request_financial_obligation", {}, S.AWAITING_FINANCIAL_OBLIGATION),
        (S.AWAITING_FINANCIAL_OBLIGATION, "fulfil_financial_obligation", {}, S.IN_PROCESS),
        (S.ACCEPTED, "withdraw", {}, S.WITHDRAWN),
        (S.IN_PROCESS, "withdraw", {}, S.WITHDRAWN),
        (S.SUPPLEMENT_REQUESTED, "withdraw", {}, S.WITHDRAWN),
        (S.AWAITING_FINANCIAL_OBLIGATION, "withdraw", {}, S.WITHDRAWN),
        (S.SUPPLEMENT_REQUESTED, "stop", {}, S.STOPPED),
        (S.FINISHED, "return_result", {}, S.RETURNED),
    ],
)
def test_commands_move_to_the_documented_status(
    status: Status, command: str, flags: dict[str, object], expected: Status
) -> None:
    assert next_status(status, command, **flags) is expected  # type: ignore[arg-type]


def test_command_not_allowed_in_a_status_is_a_conflict() -> None:
    with pytest.raises(Conflict) as refused:
        next_status(S.RETURNED, Command.WITHDRAW)
    assert refused.value.params == {"command": "withdraw", "from_status": 10}


def test_unknown_command_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        next_status(S.SUBMITTED, "approve")


MISSING = ("Bản chụp giấy chứng sinh rõ nét",)  # what a supplement request asks for (Form 02)


def test_second_supplement_request_needs_an_override_and_is_flagged() -> None:
    state = apply(apply(LifecycleState(), "accept"), "route")
    state = apply(state, "request_supplement", reasons=MISSING)
    assert (state.supplement_requests, state.supplement_overridden) == (1, False)
    state = apply(state, "receive_supplement")
    assert state.status is S.IN_PROCESS
    with pytest.raises(Conflict) as refused:
        apply(state, "request_supplement", reasons=MISSING)
    assert refused.value.params["rule"] == "one_supplement_request"
    state = apply(state, "request_supplement", override=True, reasons=MISSING)
    assert state.status is S.SUPPLEMENT_REQUESTED
    assert (state.supplement_requests, state.supplement_overridden) == (2, True)


def test_intake_supplement_goes_back_to_the_intake_check_and_does_not_count() -> None:
    state = apply(LifecycleState(), "request_supplement", reasons=MISSING)
    assert state.supplement_at_intake and state.supplement_requests == 0
    state = apply(state, "receive_supplement")
    assert state.status is S.SUBMITTED and not state.supplement_at_intake
    state = apply(apply(state, "accept"), "route")
    state = apply(state, "request_supplement", reasons=MISSING)  # the first after acceptance
    assert state.supplement_requests == 1 and not state.supplement_overridden


@pytest.mark.parametrize("reasons", [[], [""], ["   "]])
def test_a_supplement_request_that_says_nothing_is_refused(reasons: list[str]) -> None:
    # Form 02 lists what is missing or wrong, once (ND118 art. 16.3): an empty request helps no one
    for state in (LifecycleState(), apply(apply(LifecycleState(), "accept"), "route")):
        with pytest.raises(InvalidData) as refused:
            apply(state, "request_supplement", reasons=reasons)
        assert refused.value.params["fields"] == {"reasons": ["what"]}


@pytest.mark.parametrize("reasons", [[], [""], ["   "]])
def test_refusal_without_reasons_is_refused(reasons: list[str]) -> None:
    with pytest.raises(InvalidData) as refused:
        next_status(S.IN_PROCESS, "refuse", reasons=reasons)
    assert refused.value.params == {"fields": {"reasons": ["required"]}}


def test_refusal_after_appraisal_finishes_with_the_refusal_flag() -> None:
    state = apply(LifecycleState(status=S.IN_PROCESS), "refuse", reasons=[" không đủ điều kiện "])
    assert state.status is S.FINISHED
    assert state.refused and state.refusal_reasons == ("không đủ điều kiện",)
    assert not apply(LifecycleState(status=S.IN_PROCESS), "finish").refused


def test_labels_and_terminal_statuses() -> None:
    assert (S.SUPPLEMENT_REQUESTED.label_vi, S.SUPPLEMENT_REQUESTED.label_en) == (
        "Yêu cầu bổ sung giấy tờ",
        "Supplement requested",
    )
    assert [int(s) for s in Status if s.is_terminal] == [3, 7, 8, 10]


def test_auto_close_is_15_calendar_days_after_the_request() -> None:
    cal = default_calendar()
    # Wed 4 Mar 2026 + 15 days = Thu 19 Mar (working day), closes at its 24:00.
    assert auto_close_due(datetime(2026, 3, 4, 10, 0, tzinfo=VN), cal) == datetime(2026, 3, 20, 0, 0, tzinfo=VN)
    # Fri 10 Apr 2026 + 15 = Sat 25 Apr; Sun 26 Hùng Kings, Mon 27 its compensatory day → Tue 28, 24:00.
    assert auto_close_due(datetime(2026, 4, 10, 10, 0, tzinfo=VN), cal) == datetime(2026, 4, 29, 0, 0, tzinfo=VN)
