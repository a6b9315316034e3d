"""allowed_steps: the lifecycle buttons a user sees are the steps check_step and the lifecycle allow."""

from __future__ import annotations

from engine.models import User
from engine.permissions import OpenTask, allowed_steps


def staff(*roles: str, kind: str = "staff") -> User:
    return User(id=7, username="u", kind=kind, roles=list(roles))


def task(role: str, *commands: str) -> OpenTask:
    return OpenTask("t1", "el", role, "bpmn", frozenset(commands))


def test_a_specialist_owning_the_step_may_request_a_supplement_or_refuse_while_in_process() -> None:
    steps = allowed_steps(staff("specialist"), 4, owner_id=1, open_tasks=[task("specialist")])
    assert steps == ["refuse", "request_supplement", "request_financial_obligation"]


def test_a_one_stop_officer_not_owning_the_step_only_gets_the_citizen_answering_steps() -> None:
    assert allowed_steps(staff("one_stop"), 4, owner_id=1, open_tasks=[task("specialist")]) == ["withdraw"]
    assert allowed_steps(staff("one_stop"), 5, owner_id=1, open_tasks=[task("specialist")]) == [
        "receive_supplement", "withdraw", "stop"]
    # an online supplement that arrived may also be returned as still incomplete
    assert allowed_steps(staff("one_stop"), 5, owner_id=1, open_tasks=[task("specialist")],
                         supplement_arrived=True) == ["receive_supplement", "return_supplement", "withdraw", "stop"]


def test_a_step_decided_by_an_open_task_is_not_offered() -> None:
    steps = allowed_steps(staff("one_stop"), 1, owner_id=1, open_tasks=[task("one_stop", "accept", "refuse")])
    assert "accept" not in steps and "refuse" not in steps and "request_supplement" in steps


def test_a_second_supplement_request_is_not_offered_and_a_citizen_gets_nothing() -> None:
    assert "request_supplement" not in allowed_steps(staff("specialist"), 4, owner_id=1, open_tasks=[],
                                                     supplement_requests=1)
    assert allowed_steps(User(id=1, username="c", kind="citizen", roles=[]), 2, owner_id=1, open_tasks=[]) == [
        "withdraw"]
    assert allowed_steps(staff("leader"), 10, owner_id=1, open_tasks=[]) == []


def test_a_leader_owning_the_approval_step_may_request_a_supplement_but_not_on_another_roles_step() -> None:
    """The starter model has no specialist: its leader's approval step is where a supplement is asked."""
    assert allowed_steps(staff("leader"), 4, owner_id=1, open_tasks=[task("leader")]) == [
        "refuse", "request_supplement", "finish"]
    assert allowed_steps(staff("leader"), 4, owner_id=1, open_tasks=[task("specialist")]) == []
