"""The inbox pages with a keyset cursor (issue 11): most urgent first, no row skipped or repeated
when rows before the cursor leave the inbox, steps without a due last."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from engine import dossiers
from engine.models import HumanTask
from tests.factories import APPLICATIONS, CODES, publish_shipped, rt

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


async def _intakes(users: dict[str, Any], n: int) -> list[str]:
    await publish_shipped("household-business")
    codes = []
    for i in range(n):
        codes.append((await dossiers.submit(rt(), CODES["household-business"], APPLICATIONS["household-business"],
                                            now=T0 + timedelta(minutes=10 * i), user=users["citizen"])).code)
    return codes


async def _pages(user: Any, now: datetime, limit: int) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        page = await dossiers.inbox(rt(), user, now, limit=limit, cursor=cursor)
        pages.append([r.dossier_code for r in page.rows])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def test_a_page_continues_after_its_last_row_even_when_earlier_rows_left(db: Any, users: dict[str, Any]) -> None:
    codes = await _intakes(users, 5)
    officer = users["officer"]
    now = T0 + timedelta(hours=2)
    first = await dossiers.inbox(rt(), officer, now, limit=2)
    assert [r.dossier_code for r in first.rows] == codes[:2]
    # the first dossier is accepted: its intake task leaves the inbox (an offset would now skip codes[2])
    await dossiers.complete_task(rt(), first.rows[0].task_id, {"intake_decision": "accept"}, officer, now)
    second = await dossiers.inbox(rt(), officer, now, limit=2, cursor=first.next_cursor)
    assert [r.dossier_code for r in second.rows] == codes[2:4]
    third = await dossiers.inbox(rt(), officer, now, limit=2, cursor=second.next_cursor)
    assert [r.dossier_code for r in third.rows] == codes[4:] and third.next_cursor is None


async def test_ties_and_steps_without_a_due_page_in_order(db: Any, users: dict[str, Any]) -> None:
    codes = await _intakes(users, 5)
    # two steps without a budget (and dossiers not yet accepted, so no dossier due either): last
    await HumanTask.filter(dossier__code__in=codes[:2]).update(due_at=None)
    for size in (1, 2, 3):
        pages = await _pages(users["officer"], T0 + timedelta(hours=1), size)
        assert [c for p in pages for c in p] == codes[2:] + codes[:2], size
        assert all(len(p) == size for p in pages[:-1])


async def test_counts_per_filter_follow_the_tasks_and_stop_at_the_cap(db: Any, users: dict[str, Any],
                                                                      monkeypatch: Any) -> None:
    from engine.dossiers import queries

    codes = await _intakes(users, 5)
    officer = users["officer"]
    now = T0 + timedelta(hours=2)
    assert await dossiers.inbox_counts(officer, now) == {"all": 5, "mine": 0, "overdue": 0}
    page = await dossiers.inbox(rt(), officer, now, limit=2)
    await dossiers.claim(rt(), page.rows[0].task_id, officer, now)
    # one step's due passed: it alone is overdue
    await HumanTask.filter(dossier__code=codes[4]).update(due_at=T0)
    assert await dossiers.inbox_counts(officer, now) == {"all": 5, "mine": 1, "overdue": 1}
    assert await dossiers.inbox_counts(officer, now, procedure="no-such-procedure") == {
        "all": 0, "mine": 0, "overdue": 0}
    # with a cap of 3 the count reads at most cap + 1 rows: 4 means "more than 3"
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    assert (await dossiers.inbox_counts(officer, now))["all"] == 4
    # a citizen has no inbox role: nothing
    assert await dossiers.inbox_counts(users["citizen"], now) == {"all": 0, "mine": 0, "overdue": 0}
