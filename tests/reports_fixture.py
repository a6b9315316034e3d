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

from datetime import UTC, date, datetime, timedelta
from typing import Any

from engine import accounts, dossiers, outbox, timers, verification
from engine.dossier_lifecycle import Step
from engine.models import Dossier, HumanTask
from tests.factories import APPLICATIONS, CODES, PASSWORD, publish_shipped, rt

PROCEDURE = CODES["household-business"]
FAR = datetime(2030, 1, 1, tzinfo=UTC)

# The hand computation, asserted against the engine (tests/engine/test_reports_fixture.py) and against
# the page, the API and the XLSX (tests/web/test_reports_fixture_web.py). Period: October 2026 =
# [1 Oct 00:00, 1 Nov 00:00) local. Working hours (wh): Mon 5 Oct 08:00 -> 17:00 is 7 wh; a full day
# 8 wh; a working day = 8 wh.
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))
#: indicator -> (value, points, count = population size, hits, reason of "no data"); None = none
EXPECTED: dict[str, tuple[str | None, str | None, int, int, str | None]] = {
    # 1.3 / 3.1 / 3.2: one published procedure, complete, full-process online, with online dossiers:
    # 100 % of 1 procedure (1.3: 18 points; 3.1 threshold 80 %, 3.2: 22 points each).
    "1.3": ("100.00", "18.00", 1, 1, None),
    # 1.4: no data (nothing synced); its population is the 12 received dossiers of 3.3.
    "1.4": (None, None, 12, 0, "not_synced"),
    # 2.1 population: accepted before 1 Nov, not finished before 1 Oct:
    #   D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D11 D15 D16 = 13 (D12 ended 23 Sep, D13 never accepted, D14 in Nov).
    #   Late: D2 (Fri 9 10:00 > due Thu 8 08:00), D5 (second supplement: late whatever the times),
    #   D6 (the re-appointment is not honoured), D9 (due Thu 29 Oct 08:00 < period end, open),
    #   D11 (Thu 1 Oct 09:00 > due 08:00) = 5. D4's 24 wh pause pushes its due to Tue 13 Oct: on time.
    #   8/13 = 61.54 %; 61.54 / 100 x 20 = 12.31 points.
    "2.1": ("61.54", "12.31", 13, 8, None),
    # 2.2: finished with a result in October: D1 D2 D3 D4 D5 D6 D8 (refusal document) D11 D15 D16 = 10.
    #   Working hours minus pauses: D1 9, D2 34, D3 18, D4 34-24 = 10, D5 9-2 = 7, D6 34, D8 10,
    #   D11 (28 Sep 08:00 -> 1 Oct 09:00) 7+8+8+2 = 25, D15 9, D16 9: 165 wh / 8 = 20.625 days / 10
    #   = 2.0625 -> 2.06 working days; 68.75 % of the 3-day limit <= 100 % -> 20.00 points.
    #   Within the limit (<= 24 wh): D1 D3 D4 D5 D8 D15 D16 = 7.
    "2.2": ("2.06", "20.00", 10, 7, None),
    "3.1": ("100.00", "22.00", 1, 1, None),
    "3.2": ("100.00", "22.00", 1, 1, None),
    # 3.3: received (accepted) in October: D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D15 D16 = 12. Online: D1 D4 D6
    #   D7 D9 D10 D15 D16, but the procedure returns paper (delivery counter/post/online), so only
    #   those with an electronic result count: D1 D4 D6 D15 (returned electronic) = 4; D16 was handed
    #   over on paper, D7 withdrawn, D9 D10 open. 4/12 = 33.33 %; 33.33 / 50 x 22 = 14.67 points.
    "3.3": ("33.33", "14.67", 12, 4, None),
    # 3.5 / 3.6: no data (no payment recorded).
    "3.5": (None, None, 0, 0, "no_payment"),
    "3.6": (None, None, 0, 0, "no_payment"),
    # 4.1: results issued in October (all paper-result): the 10 of 2.2; electronic: D1 D4 D6 D15 = 4
    #   -> 40.00 %, 8.80 points.
    "4.1": ("40.00", "8.80", 10, 4, None),
    # 4.2: of the 12 received, component files and an electronic result: D4 = 1 -> 8.33 %; 8.33/80 x 22 = 2.29.
    "4.2": ("8.33", "2.29", 12, 1, None),
    # 4.3: no component reused: 0.00 % (a value, not "no data": 12 dossiers were looked at).
    "4.3": ("0.00", "0.00", 12, 0, None),
    # 4.5: from a verified account: D1 = 1/12 = 8.33 %; 1.83 points.
    "4.5": ("8.33", "1.83", 12, 1, None),
    # 5.4: over 2.1's 13: late 5/13 = 38.46 %, dislikes D2 D15 = 2/13 = 15.38 % -> 46.16 %;
    #   46.16 / 90 x 18 = 9.23 points. Neither: D1 D3 D4 D7 D8 D10 D16 = 7.
    "5.4": ("46.16", "9.23", 13, 7, None),
}
#: group -> points: publicity 18 (1.3 alone has data); progress (12.31 + 20) / 2 = 16.155; online
#: (22 + 22 + 14.67) / 3 = 19.5567; digitisation (8.80 + 2.29 + 0 + 1.83) / 4 = 3.23; satisfaction 9.23
#: (shown rounded to 0.01)
EXPECTED_GROUPS = {"1": "18.00", "2": "16.16", "3": "19.56", "4": "3.23", "5": "9.23"}
#: 18 + 16.155 + 19.5567 + 3.23 + 9.23 = 66.1717 (the unrounded group points summed)
EXPECTED_TOTAL = "66.17"


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
