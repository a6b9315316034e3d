"""A reusable set of 16 household-business dossiers (3 working days = 24 working hours), driven
through the engine's own commands for the Decision 766 reports (tests/engine/test_reports_fixture.py
holds the hand computation). Local times (UTC+7); calendar: the national default, sessions
07:00–11:30 and 13:30–17:00, no holiday in Sep–Nov 2026. Accepted Mon 5 Oct 08:00 -> due Thu 8 Oct 08:00.

 name channel  submitter         what happens
 D1   online   citizen (verified) result Tue 6 Oct 09:00, returned electronic 10:00; rating 5
 D2   counter  proxy             result Fri 9 Oct 10:00 (late), returned at the counter; rating 1
 D3   post     citizen           result Wed 7 Oct 10:00, returned by post Thu 8 Oct 09:00; rating 4
 D4   online   officer_assisted  supplement asked Mon 5 Oct 13:30, uploaded online and received Thu 8 Oct
                                 13:30 (24 wh; the only component file of the set),
                                 result Fri 9 Oct 10:00, returned electronic
 D5   counter  citizen           supplement 09:00–10:00, a second one (manager's override) 14:00–15:00
                                 Mon 5 Oct, result Tue 6 Oct 09:00, returned at the counter
 D6   online   citizen           apology Tue 6 Oct 09:00, new appointment Fri 9 Oct 17:00; result Fri
                                 9 Oct 10:00 (late against the original due), returned electronic
 D7   online   citizen           withdrawn Tue 6 Oct 10:00
 D8   counter  citizen           refused by the specialist Tue 6 Oct 10:00
 D9   online   citizen           accepted Mon 26 Oct 08:00, unfinished
 D10  online   citizen           accepted Thu 29 Oct 08:00, unfinished
 D11  counter  citizen           accepted Mon 28 Sep 08:00, result Thu 1 Oct 09:00 (due Thu 1 Oct 08:00)
 D12  counter  citizen           accepted Mon 21 Sep 08:00, result Wed 23 Sep 09:00
 D13  online   citizen           submitted Mon 5 Oct, never accepted
 D14  online   citizen           accepted Mon 2 Nov 08:00
 D15  online   proxy             result Tue 6 Oct 09:00, returned electronic Wed 7 Oct 09:00; rating 2
 D16  online   citizen           result Tue 6 Oct 09:00, returned at the counter (paper) 10:00
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from engine import accounts, dossiers, outbox, timers, verification
from engine.dossier_lifecycle import Step
from engine.models import Dossier, HumanTask
from tests.factories import APPLICATIONS, CODES, PASSWORD, publish_shipped, rt

PROCEDURE = CODES["household-business"]
FAR = datetime(2030, 1, 1, tzinfo=UTC)


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


async def _task(code: str, element: str, who: Any, data: dict[str, Any], at: datetime) -> None:
    d = await Dossier.get(code=code)
    task = await HumanTask.get(dossier_id=d.id, state="ready", element_id=element)
    await dossiers.complete_task(rt(), task.id, data, who, at)


class Builder:
    def __init__(self, users: dict[str, Any]) -> None:
        self.users = users
        self.codes: dict[str, str] = {}

    async def submit(self, name: str, at: datetime, channel: str = "online", kind: str = "citizen",
                     user: Any = None) -> str:
        d = await dossiers.submit(rt(), PROCEDURE, APPLICATIONS["household-business"], now=at, channel=channel,
                                  submitter_kind=kind, user=user or self.users["citizen"])
        self.codes[name] = d.code
        return d.code

    async def accept(self, code: str, at: datetime) -> None:
        await _task(code, "intake", self.users["officer"], {"intake_decision": "accept"}, at)

    async def finish(self, code: str, at: datetime) -> None:
        """Appraisal one hour before ``at``, the leader's signature at ``at`` (the result)."""
        await _task(code, "appraisal", self.users["specialist"],
                    {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}, at - timedelta(hours=1))
        await _task(code, "approval", self.users["leader"], {"approval_decision": "sign"}, at)

    async def hand_over(self, code: str, at: datetime, via: str) -> None:
        await _task(code, "return_result", self.users["officer"],
                    {"returned_via": via, "result_handed_over": True}, at)

    async def step(self, code: str, command: str, who: str, at: datetime, **kw: Any) -> None:
        await dossiers.step(rt(), code, Step(command, reasons=("Thiếu giấy tờ",), **kw), self.users[who], at)

    async def full(self, name: str, accepted: datetime, result: datetime, returned: datetime | None = None,
                   via: str = "electronic", channel: str = "online", kind: str = "citizen", user: Any = None) -> str:
        code = await self.submit(name, accepted, channel, kind, user)
        await self.accept(code, accepted)
        await self.finish(code, result)
        if returned is not None:
            await self.hand_over(code, returned, via)
        return code


async def verified_citizen() -> Any:
    issued = await verification.start("Phạm Thị Lan", "0912000111", PASSWORD, PASSWORD, now=local(1, 10, 8),
                                      deliver=verification.shown_on_page, pepper="fixture")
    return await verification.verify(issued.id, issued.code, now=local(1, 10, 8), pepper="fixture")


async def drain() -> int:
    """Deliver every outbox row (one per dossier and subscriber per pass, in order)."""
    applied = 0
    while (done := await outbox.dispatch(rt(), FAR, limit=1000)).seen:
        applied += done.delivered
    return applied


async def build(users: dict[str, Any]) -> dict[str, str]:
    """The 16 dossiers; returns name -> dossier code. The outbox is not drained (callers choose)."""
    await publish_shipped("household-business")
    users.setdefault("manager", await accounts.create_user("manager", PASSWORD, "manager",
                                                           roles=["one_stop", "specialist", "leader"]))
    b = Builder(users)
    a = local(5, 10, 8)
    d6 = await b.submit("D6", a)
    await b.accept(d6, a)
    await timers.fire_due(rt(), local(6, 10, 8, 30))  # the apology task (due − 2 working days); D6 comes first
    await _task(d6, "apology", b.users["specialist"],
                {"reason": "Chờ ý kiến cơ quan thuế", "new_due_at": "2026-10-09T17:00:00+07:00"}, local(6, 10, 9))
    await b.finish(d6, local(9, 10, 10))
    await b.hand_over(d6, local(9, 10, 11), "electronic")
    await b.full("D1", a, local(6, 10, 9), local(6, 10, 10), user=await verified_citizen())
    await b.full("D2", a, local(9, 10, 10), local(9, 10, 11), via="counter", channel="counter", kind="proxy")
    await b.full("D3", a, local(7, 10, 10), local(8, 10, 9), via="post", channel="post")
    d4 = await b.submit("D4", a, "online", "officer_assisted")
    await b.accept(d4, a)
    await b.step(d4, "request_supplement", "specialist", local(5, 10, 13, 30))
    await dossiers.add_supplement(rt(), d4, [{"name": "bo-sung.pdf", "sha256": "a" * 64, "size": 9,
                                              "content_type": "application/pdf"}], "", "citizen", local(8, 10, 13, 30))
    await b.step(d4, "receive_supplement", "officer", local(8, 10, 13, 30))
    await b.finish(d4, local(9, 10, 10))
    await b.hand_over(d4, local(9, 10, 11), "electronic")
    d5 = await b.submit("D5", a, "counter")
    await b.accept(d5, a)
    await b.step(d5, "request_supplement", "specialist", local(5, 10, 9))
    await b.step(d5, "receive_supplement", "officer", local(5, 10, 10))
    await b.step(d5, "request_supplement", "manager", local(5, 10, 14), override=True)
    await b.step(d5, "receive_supplement", "officer", local(5, 10, 15))
    await b.finish(d5, local(6, 10, 9))
    await b.hand_over(d5, local(6, 10, 10), "counter")
    d7 = await b.submit("D7", a)
    await b.accept(d7, a)
    await b.step(d7, "withdraw", "officer", local(6, 10, 10))
    d8 = await b.submit("D8", a, "counter")
    await b.accept(d8, a)
    await b.step(d8, "refuse", "specialist", local(6, 10, 10))
    await b.accept(await b.submit("D9", local(26, 10, 8)), local(26, 10, 8))
    await b.accept(await b.submit("D10", local(29, 10, 8)), local(29, 10, 8))
    await b.full("D11", local(28, 9, 8), local(1, 10, 9), channel="counter")
    await b.full("D12", local(21, 9, 8), local(23, 9, 9), channel="counter")
    await b.submit("D13", a)
    await b.accept(await b.submit("D14", local(2, 11, 8)), local(2, 11, 8))
    await b.full("D15", a, local(6, 10, 9), local(7, 10, 9), kind="proxy")
    await b.full("D16", a, local(6, 10, 9), local(6, 10, 10), via="counter")
    for name, score in (("D1", 5), ("D2", 1), ("D3", 4), ("D15", 2)):
        await dossiers.rate(rt(), b.codes[name], score, "", local(12, 10, 9))
    return b.codes
