"""The seed dossiers of bench/generate.py, made through the engine's own commands.

For each shipped procedure, one dossier per scenario of `SCENARIOS`: submitted by the bench citizen,
then driven by the engine's commands (tasks completed with the tests' happy-path data, lifecycle
steps, a supplement, an apology and re-appointment, a rating). Their workflow state, tasks, timers,
audit trail, outbox rows, pauses and results are the engine's own; the bulk phase clones them.
A scenario the engine refuses (a command its rules do not allow) is left out and named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engine import accounts, dossiers, procedures, timers
from engine.dossier_lifecycle import Step
from engine.errors import MotcuaError
from engine.models import HumanTask, User
from engine.settings import Settings
from tests.factories import APPLICATIONS, HAPPY_PATH
from web.app import build_runtime

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "bpmn" / "procedures"
PASSWORD = "bench-generate-password"
#: bench user (username bench_<name>) -> roles; "citizen" submits
STAFF = {"officer": ["one_stop"], "specialist": ["specialist"], "leader": ["leader"]}
ROLE_USER = {"one_stop": "officer", "specialist": "specialist", "leader": "leader"}
TASK_DATA: dict[str, Any] = {element: data for element, _who, data in HAPPY_PATH}
TASK_DATA["apology"] = {"reason": "Cần xác minh thêm", "new_due_at": None}  # new_due_at: set when done
HOURS = 5  # between two actions of a scenario
REASONS = ("Thiếu giấy tờ",)


@dataclass(frozen=True)
class Scenario:
    """`actions`: ("task", n) completes the next n ready tasks; ("decide", data) the next one with
    `data`; ("step", command, who) a lifecycle
    step; ("supplement",) the citizen's online supplement; ("apology",) the apology timer fires and
    the specialist re-appoints; ("rate",) the citizen rates. `weight`: share of generated dossiers
    (per thousand); `open`: it is still in process (3 % of the whole)."""

    name: str
    actions: tuple[tuple[Any, ...], ...]
    weight: float
    open: bool = False


SCENARIOS = (
    Scenario("received", (), 9, True),
    Scenario("accepted", (("task", 1),), 8, True),
    Scenario("appraised", (("task", 2),), 4, True),
    Scenario("signed", (("task", 3),), 3, True),
    Scenario("supplement_open", (("task", 1), ("step", "request_supplement", "specialist")), 4, True),
    Scenario("financial_open", (("task", 1), ("step", "request_financial_obligation", "specialist")), 2, True),
    Scenario("returned", (("task", 4),), 560),
    Scenario("returned_rated", (("task", 4), ("rate",)), 250),
    Scenario(
        "supplement_done",
        (
            ("task", 1),
            ("step", "request_supplement", "specialist"),
            ("supplement",),
            ("step", "receive_supplement", "officer"),
            ("task", 3),
        ),
        50,
    ),
    Scenario(
        "financial_done",
        (
            ("task", 1),
            ("step", "request_financial_obligation", "specialist"),
            ("step", "fulfil_financial_obligation", "officer"),
            ("task", 3),
        ),
        25,
    ),
    Scenario("apology", (("task", 1), ("apology",), ("task", 3)), 30),
    Scenario("refused", (("decide", {"intake_decision": "refuse", "intake_note": REASONS[0]}),), 30),
    Scenario("withdrawn", (("task", 1), ("step", "withdraw", "officer")), 20),
    Scenario("stopped", (("task", 1), ("step", "request_supplement", "specialist"), ("step", "stop", "officer")), 5),
)


@dataclass
class Made:
    procedure: str  # slug
    scenario: Scenario
    dossier_id: int
    submitted_at: datetime


async def _users() -> dict[str, User]:
    await accounts.ensure_roles()
    users: dict[str, User] = {}
    for name, roles in {**STAFF, "citizen": []}.items():
        username = f"bench_{name}"
        users[name] = await User.get_or_none(username=username) or await accounts.create_user(
            username, PASSWORD, "staff" if roles else "citizen", roles=roles
        )
    return users


async def _complete(
    rt: Any, dossier_id: int, users: dict[str, User], now: datetime, data: dict[str, Any] | None = None
) -> None:
    task = await HumanTask.filter(dossier_id=dossier_id, state="ready").order_by("created_at", "id").first()
    if task is None:
        raise LookupError("no ready task")
    data = dict(data or TASK_DATA[task.element_id])
    if task.element_id == "apology":
        data["new_due_at"] = (now + timedelta(days=14)).date().isoformat()  # a weekday: seeds start on Monday
    await dossiers.complete_task(rt, task.id, data, users[ROLE_USER[task.role or "one_stop"]], now)


async def _run(rt: Any, scenario: Scenario, slug: str, code: str, users: dict[str, User], start: datetime) -> int:
    dossier = await dossiers.submit(rt, code, APPLICATIONS[slug], now=start, user=users["citizen"])
    now = start
    for action in scenario.actions:
        now += timedelta(hours=HOURS)
        if action[0] == "task":
            for _ in range(action[1]):
                await _complete(rt, dossier.id, users, now)
                now += timedelta(hours=HOURS)
        elif action[0] == "decide":
            await _complete(rt, dossier.id, users, now, action[1])
        elif action[0] == "step":
            await dossiers.step(rt, dossier.code, Step(action[1], reasons=REASONS), users[action[2]], now)
        elif action[0] == "supplement":
            await dossiers.add_supplement(
                rt,
                dossier.code,
                [{"name": "bo-sung.pdf", "sha256": "a" * 64, "size": 20480, "content_type": "application/pdf"}],
                "",
                "citizen",
                now,
            )
        elif action[0] == "apology":  # the clock runs past the apology lead: the engine opens the task
            now += timedelta(days=1)
            await timers.fire_due(rt, now)
            await _complete(rt, dossier.id, users, now)
        elif action[0] == "rate":
            await dossiers.rate(rt, dossier.code, 4, "", now)
    return dossier.id


def seed_start(now: datetime) -> datetime:
    """The seeds' submit time: a Monday 09:00 local five weeks before `now` (their clocks fit the week)."""
    day = (now - timedelta(days=35)).date()
    day -= timedelta(days=day.weekday())
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


async def make_seeds(settings: Settings, start: datetime, say: Any = print) -> tuple[Any, list[Made]]:
    """Every scenario of every shipped procedure, submitted at `start` (apology scenarios first: their
    timers are fired while no other seed exists), on the open database."""
    from forms import check_schema

    rt = build_runtime(settings)
    await rt.start()
    users = await _users()
    codes = {}
    for slug in APPLICATIONS:
        version = await procedures.load_from_folder(SHIPPED / slug, check_form=check_schema)
        codes[slug] = (await version.procedure).code
    made = []
    ordered = sorted(SCENARIOS, key=lambda s: s.name != "apology")
    for scenario in ordered:
        for slug in APPLICATIONS:
            try:
                dossier_id = await _run(rt, scenario, slug, codes[slug], users, start)
            except (MotcuaError, LookupError) as exc:
                if say:  # e.g. a same-day procedure has no apology: its task never opens
                    say(f"  seed {slug}/{scenario.name} left out: {exc!r}")
                continue
            made.append(Made(slug, scenario, dossier_id, start))
    return rt, made
