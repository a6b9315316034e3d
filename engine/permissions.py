"""Who may do what to a dossier: one module, named predicates (no `user.kind` comparisons elsewhere).

    can_see(user, dossier)              staff, managers: every dossier; citizens: their own; admins
                                        (designers): none (least privilege: no personal data)
                                        (staff are further scoped to their agency's dossiers:
                                        engine.agencies.visible_agencies, checked by every command
                                        and query of engine.dossiers, the inbox included)
    can_work_on(user, role)             a task of `role` (staff and managers holding the role)
    can_step(user, command, …)          a lifecycle command asked for directly (API, pages):
        * the command must not belong to an open task's decision (`motcua:lifecycle` rule of a
          READY task): that step is taken by completing the task, so the legal status and the
          workflow never diverge;
        * the user holds a role that may take the command (STEP_ROLES) and, while the dossier has
          open tasks, owns its current step (holds the role of one of them);
        * a manager may override the ownership rule; the step is then flagged (`override`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine import lifecycle
from engine.errors import Conflict, InvalidData, MotcuaError, NotFound, PermissionDenied
from engine.models import User

#: who may take each lifecycle step directly (besides a task's motcua:lifecycle rule); a supplement
#: after acceptance is asked by whoever holds the current step (a leader approving in a procedure
#: without a specialist, as the starter model is), the one-stop unit then records its arrival
STEP_ROLES: dict[str, tuple[str, ...]] = {
    "accept": ("one_stop",), "refuse": ("one_stop", "specialist", "leader"),
    "request_supplement": ("one_stop", "specialist", "leader"), "receive_supplement": ("one_stop",),
    "return_supplement": ("one_stop",),
    "request_financial_obligation": ("one_stop", "specialist"), "fulfil_financial_obligation": ("one_stop",),
    "withdraw": ("one_stop",), "stop": ("one_stop",), "finish": ("leader",), "return_result": ("one_stop",),
}
#: steps that answer the citizen (no task owns them): any holder of the role may take them
WAITING_STEPS = frozenset({"receive_supplement", "return_supplement", "fulfil_financial_obligation",
                           "withdraw", "stop"})
STAFF_KINDS = ("staff", "manager")


def is_staff(user: User | None) -> bool:
    return user is not None and user.kind in STAFF_KINDS


def can_work_on(user: User, role: str | None) -> bool:
    return user.kind in STAFF_KINDS and (role is None or user.has_role(role))


def can_see(user: User | None, submitted_by_id: int | None) -> bool:
    if user is None:
        return False
    if user.kind == "citizen":
        return submitted_by_id == user.id
    return user.kind in STAFF_KINDS


@dataclass(frozen=True)
class OpenTask:
    id: str
    element_id: str
    role: str | None
    kind: str
    commands: frozenset[str]  # the lifecycle commands its rules may take


def check_step(user: User, command: str, *, owner_id: int | None, open_tasks: Iterable[OpenTask],
               override: bool = False) -> bool:
    """Raise unless `user` may take `command` now; True when it needed the manager's override."""
    allowed = STEP_ROLES.get(command)
    if allowed is None:
        raise InvalidData("Unknown lifecycle step", fields={"command": [f"one of {', '.join(STEP_ROLES)}"]})
    if user.kind == "citizen":
        if command == "withdraw" and owner_id == user.id:
            return False
        raise NotFound("No such dossier")  # same answer as a missing one: no enumeration
    if user.kind not in STAFF_KINDS or not any(user.has_role(r) for r in allowed):
        raise PermissionDenied("Your roles do not allow this step", command=command, roles=list(allowed))
    tasks = [t for t in open_tasks if t.kind == "bpmn"]
    deciding = [t for t in tasks if command in t.commands]
    if deciding:
        raise Conflict("This step is taken by completing the task", command=command, rule="use_task",
                       task_id=deciding[0].id, element_id=deciding[0].element_id)
    if command in WAITING_STEPS or not tasks or any(user.has_role(t.role) for t in tasks):
        return False
    if override and user.kind == "manager":
        return True
    raise PermissionDenied("The dossier's current step belongs to another role", command=command,
                           rule="not_your_step", roles=sorted({t.role or "" for t in tasks}))


def open_task(task: Any, elements: dict[str, Any]) -> OpenTask:
    rules = (elements.get(task.element_id) or {}).get("lifecycle", [])
    return OpenTask(task.id, task.element_id, task.role, task.kind,
                    frozenset(r["command"] for r in rules if r.get("command")))


def allowed_steps(user: User, status: int, *, owner_id: int | None, open_tasks: Iterable[OpenTask],
                  supplement_requests: int = 0, supplement_at_intake: bool = False,
                  supplement_arrived: bool = False) -> list[str]:
    """The lifecycle commands `user` may take directly now (STEP_ROLES order): the roles and the
    ownership rule of `check_step`, and a move the lifecycle allows from `status` (an online
    supplement can be returned as incomplete only once it has arrived)."""
    tasks = list(open_tasks)
    state = lifecycle.LifecycleState(status=lifecycle.Status(status), supplement_requests=supplement_requests,
                                     supplement_at_intake=supplement_at_intake)
    found: list[str] = []
    for command in STEP_ROLES:
        try:
            if command == "return_supplement":  # not a move: the dossier keeps waiting (status 5)
                if state.status is not lifecycle.Status.SUPPLEMENT_REQUESTED or not supplement_arrived:
                    continue
            else:
                lifecycle.apply(state, command, reasons=("-",))
            check_step(user, command, owner_id=owner_id, open_tasks=tasks)
        except MotcuaError:
            continue
        found.append(command)
    return found
