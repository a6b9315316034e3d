"""Calendar.working_times_from (the inbox's remaining working time of a page of rows in one sweep)
gives exactly working_time_between(origin, x) for every x: before, after, on days off, in and out
of sessions, across the year's holidays and the province's overrides."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from engine.workdays import Overrides, default_calendar


def test_one_sweep_equals_each_pair() -> None:
    cal = default_calendar(overrides=Overrides(days_off=frozenset({date(2026, 3, 10)}),
                                               working_days=frozenset({date(2026, 3, 14)})))
    rng = random.Random(11)
    for origin in (datetime(2026, 3, 11, 2, 15, tzinfo=UTC), datetime(2026, 3, 14, 12, 0, tzinfo=UTC),
                   datetime(2026, 1, 1, 0, 0, tzinfo=UTC)):
        instants = [origin + timedelta(minutes=rng.randint(-400 * 24 * 60, 400 * 24 * 60)) for _ in range(60)]
        instants += [origin, origin - timedelta(microseconds=1), instants[0]]  # the origin itself, a repeat
        got = cal.working_times_from(origin, instants)
        want = [cal.working_time_between(origin, x) for x in instants]
        assert got == want
        assert any(v < timedelta(0) for v in got) and any(v > timedelta(0) for v in got)
    assert cal.working_times_from(datetime(2026, 3, 11, tzinfo=UTC), []) == []
