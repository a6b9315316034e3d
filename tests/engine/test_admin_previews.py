"""The previews of the admin pages: what a calendar override or a paper-free rule would do, before it
is saved (nothing is written)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine import calendar_admin, channels
from engine.errors import InvalidData
from engine.models import CalendarOverride
from tests.factories import accepted_household, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


async def test_a_day_off_preview_moves_the_due_and_counts_the_open_dossiers_running_through_it(users: dict) -> None:
    await accepted_household(users, NOW)  # 3 working days: due Thursday 05/03
    inside = await calendar_admin.preview_override(rt(), "2026-03-03", "off", "2.000720", NOW)
    assert inside.changes and inside.open_dossiers == 1
    assert inside.due_now.date() == date(2026, 3, 5) and inside.due_after.date() == date(2026, 3, 6)
    after = await calendar_admin.preview_override(rt(), "2026-03-10", "off", "2.000720", NOW)
    assert after.open_dossiers == 0 and after.due_after == after.due_now
    saturday = await calendar_admin.preview_override(rt(), "2026-03-07", "off", "2.000720", NOW)
    assert not saturday.changes and saturday.reason_now
    assert not await CalendarOverride.exists()
    with pytest.raises(InvalidData):
        await calendar_admin.preview_override(rt(), "07/03/2026", "off", "2.000720", NOW)


def test_a_paper_free_rule_preview_lists_its_days_and_the_counter_message() -> None:
    preview = channels.preview_policy(
        {"name": "Thứ Năm không giấy", "procedure_codes": ["2.000720"], "start_on": "2026-03-01",
         "end_on": "2026-04-30", "weekdays": [3], "channels_allowed": ["online"]}, ["1.001193", "2.000720"],
        date(2026, 3, 2), shown=3)
    assert preview.days == [date(2026, 3, 5), date(2026, 3, 12), date(2026, 3, 19)]
    assert preview.more_days == 6 and preview.paper_refused  # 9 Thursdays from 02/03 to 30/04
    assert "Thứ Năm không giấy" in preview.message["vi"] and "05/03/2026" in preview.message["vi"]
    open_ended = channels.preview_policy(
        {"name": "n", "start_on": "2026-03-01", "channels_allowed": ["online", "counter"]}, [], date(2026, 3, 2))
    assert open_ended.more_days == -1 and not open_ended.paper_refused and open_ended.message == {}
    with pytest.raises(InvalidData):
        channels.preview_policy({"name": "n", "start_on": "2026-03-05", "end_on": "2026-03-01",
                                 "channels_allowed": ["online"]}, [], date(2026, 3, 2))
