"""Due dates by unit, supplement resets vs KPI pauses, the single extension, verdicts, apology.

Default sessions 07:00–11:30 and 13:30–17:00 (8 h a day); every expectation is computed by hand
in the comment beside it, in local time (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import sla
from engine.errors import Conflict, InvalidData
from engine.sla import DueDates, Pause, Unit, Verdict
from engine.workdays import default_calendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = default_calendar()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


# -- units ----------------------------------------------------------------------------------


def test_working_days_due_skips_tet_2026() -> None:
    # Fri 13 Feb 10:00 + 3 days: 5 h Friday, 14–22 Feb off, Mon 23 + Tue 24 (21 h), Wed 25 10:00.
    due = sla.due_at(local(2026, 2, 13, 10, 0), 3, Unit.WORKING_DAYS, CAL)
    assert due == local(2026, 2, 25, 10, 0)
    assert due.tzinfo is UTC


def test_end_of_day_option_moves_the_due_to_the_end_of_its_working_day() -> None:
    due = sla.due_at(local(2026, 2, 13, 10, 0), 3, "working_days", CAL, end_of_day=True)
    assert due == local(2026, 2, 25, 17, 0)


def test_working_hours_due() -> None:
    # Online intake, 8 working hours from Fri 13 Feb 2026 15:00: 2 h Friday, Tết, Mon 23 Feb
    # 07:00–11:30 (6.5 h), 13:30 + 1.5 h → 15:00.
    assert sla.due_at(local(2026, 2, 13, 15, 0), 8, Unit.WORKING_HOURS, CAL) == local(2026, 2, 23, 15, 0)


def test_due_lands_at_a_session_end_rather_than_the_next_start() -> None:
    # Mon 2 Mar 2026 13:30 + 1 day: 3.5 h, Tue 07:00 + 4.5 h → 11:30 (not 13:30).
    assert sla.due_at(local(2026, 3, 2, 13, 30), 1, Unit.WORKING_DAYS, CAL) == local(2026, 3, 3, 11, 30)


def test_same_day_receipt_before_the_cutoff_is_due_at_the_end_of_that_day() -> None:
    assert sla.due_at(local(2026, 2, 12, 14, 59), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 12, 17, 0)
    assert sla.due_at(local(2026, 2, 12, 15, 0), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 12, 17, 0)
    assert sla.due_at(local(2026, 2, 12, 6, 30), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 12, 17, 0)


def test_same_day_receipt_after_1500_moves_to_the_next_working_day() -> None:
    # Thu 12 Feb 2026 15:01 → Fri 13 Feb 17:00; Fri 13 Feb 15:01 → after Tết, Mon 23 Feb 17:00.
    assert sla.due_at(local(2026, 2, 12, 15, 1), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 13, 17, 0)
    assert sla.due_at(local(2026, 2, 13, 15, 1), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 23, 17, 0)


def test_same_day_receipt_on_a_day_off_is_due_at_the_end_of_the_next_working_day() -> None:
    assert sla.due_at(local(2026, 2, 14, 9, 0), 0, Unit.SAME_DAY, CAL) == local(2026, 2, 23, 17, 0)


def test_same_day_cutoff_is_a_parameter() -> None:
    due = sla.due_at(local(2026, 2, 12, 15, 30), 0, Unit.SAME_DAY, CAL, cutoff=time(16, 0))
    assert due == local(2026, 2, 12, 17, 0)


def test_calendar_days_end_at_2400_of_the_last_day() -> None:
    # Tue 3 Mar 2026 16:00 + 3 days: 3 Mar not counted, last day Fri 6 Mar, 24:00 = Sat 00:00.
    assert sla.due_at(local(2026, 3, 3, 16, 0), 3, Unit.CALENDAR_DAYS, CAL) == local(2026, 3, 7, 0, 0)


def test_calendar_days_ending_on_a_day_off_move_to_the_next_working_day() -> None:
    # Thu 5 Feb 2026 + 10 days = Sun 15 Feb → Tết until Sun 22 → Mon 23 Feb, ends 24:00.
    assert sla.due_at(local(2026, 2, 5, 9, 0), 10, Unit.CALENDAR_DAYS, CAL) == local(2026, 2, 24, 0, 0)


def test_calendar_days_must_be_whole() -> None:
    with pytest.raises(ValueError):
        sla.due_at(local(2026, 3, 3, 16, 0), 1.5, Unit.CALENDAR_DAYS, CAL)


def test_naive_acceptance_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        sla.due_at(datetime(2026, 3, 2, 9, 0), 1, Unit.WORKING_DAYS, CAL)  # noqa: DTZ001  the naive input under test


# -- supplements and pauses -----------------------------------------------------------------

ACCEPTED = local(2026, 3, 2, 8, 0)  # Mon 2 Mar 2026; 5 working days → Mon 9 Mar 08:00
SUPPLEMENT = Pause(local(2026, 3, 4, 8, 0), local(2026, 3, 10, 10, 0), "supplement")
FINISHED = local(2026, 3, 13, 16, 0)


def test_supplement_restarts_the_legal_clock_and_keeps_the_original_due() -> None:
    # Restart at Tue 10 Mar 10:00 with the full 5 days → Tue 17 Mar 10:00.
    due = sla.legal_due(ACCEPTED, 5, Unit.WORKING_DAYS, CAL, [SUPPLEMENT])
    assert due == DueDates(original=local(2026, 3, 9, 8, 0), adjusted=local(2026, 3, 17, 10, 0))


def test_kpi_elapsed_subtracts_the_supplement_wait() -> None:
    # Worked: Mon 2 08:00 → Wed 4 08:00 = 16 h; Tue 10 10:00 → Fri 13 16:00 = 5 + 16 + 7 = 28 h.
    assert sla.kpi_elapsed(ACCEPTED, FINISHED, [SUPPLEMENT], CAL) == timedelta(hours=44)
    # Without the pause: 7 + 8 × 8 + 7 = 78 h, of which the wait is 7 + 24 + 3 = 34 h.
    assert sla.kpi_elapsed(ACCEPTED, FINISHED, [], CAL) == timedelta(hours=78)


def test_same_dossier_is_early_by_law_and_late_for_the_kpi() -> None:
    legal = sla.legal_due(ACCEPTED, 5, Unit.WORKING_DAYS, CAL, [SUPPLEMENT])
    assert legal.adjusted is not None
    assert sla.verdict(legal.adjusted, FINISHED) is Verdict.EARLY
    # KPI: 44 h > 40 h. Due Mon 9 08:00 pushed by 34 h → Fri 13 10:00 < 16:00.
    assert sla.kpi_verdict(ACCEPTED, FINISHED, 5, Unit.WORKING_DAYS, CAL, [SUPPLEMENT]) is Verdict.LATE


def test_an_open_supplement_stops_the_legal_clock_and_ends_the_kpi_count() -> None:
    open_pause = Pause(local(2026, 3, 4, 8, 0), None, "supplement")
    due = sla.legal_due(ACCEPTED, 5, Unit.WORKING_DAYS, CAL, [open_pause])
    assert due == DueDates(original=local(2026, 3, 9, 8, 0), adjusted=None)
    assert sla.kpi_elapsed(ACCEPTED, FINISHED, [open_pause], CAL) == timedelta(hours=16)


def test_financial_obligation_pause_pushes_the_legal_due() -> None:
    # Waiting Tue 3 Mar 13:30 → Thu 5 Mar 13:30 = 3.5 + 8 + 4.5 = 16 h: Mon 9 08:00 → Wed 11 08:00.
    fees = Pause(local(2026, 3, 3, 13, 30), local(2026, 3, 5, 13, 30), "financial_obligation")
    due = sla.legal_due(ACCEPTED, 5, Unit.WORKING_DAYS, CAL, [fees])
    assert due.adjusted == local(2026, 3, 11, 8, 0)


def test_overlapping_pauses_are_not_subtracted_twice() -> None:
    a = Pause(local(2026, 3, 4, 8, 0), local(2026, 3, 5, 8, 0), "verification")
    b = Pause(local(2026, 3, 4, 13, 30), local(2026, 3, 5, 8, 0), "financial_obligation")
    assert sla.kpi_elapsed(ACCEPTED, FINISHED, [a, b], CAL) == timedelta(hours=78 - 8)


def test_more_than_one_supplement_is_late_for_the_kpi() -> None:
    first = Pause(local(2026, 3, 2, 9, 0), local(2026, 3, 2, 10, 0), "supplement")
    second = Pause(local(2026, 3, 2, 14, 0), local(2026, 3, 2, 15, 0), "supplement")
    finished = local(2026, 3, 3, 9, 0)
    assert sla.kpi_verdict(ACCEPTED, finished, 5, Unit.WORKING_DAYS, CAL, [first]) is Verdict.EARLY
    assert sla.kpi_verdict(ACCEPTED, finished, 5, Unit.WORKING_DAYS, CAL, [first, second]) is Verdict.LATE


def test_pauses_and_due_dates_hold_utc() -> None:
    assert SUPPLEMENT.start_at.tzinfo is UTC and SUPPLEMENT.end_at is not None and SUPPLEMENT.end_at.tzinfo is UTC
    assert DueDates(local(2026, 3, 9, 8, 0), None).original == datetime(2026, 3, 9, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        Pause(local(2026, 3, 4, 8, 0), local(2026, 3, 3, 8, 0), "supplement")


def test_pause_before_acceptance_is_refused() -> None:
    with pytest.raises(ValueError):
        sla.legal_due(ACCEPTED, 5, Unit.WORKING_DAYS, CAL, [Pause(local(2026, 3, 1, 9, 0), ACCEPTED, "supplement")])


# -- extension ------------------------------------------------------------------------------


def test_one_extension_is_allowed_and_a_second_is_refused() -> None:
    due = DueDates(local(2026, 3, 9, 8, 0), local(2026, 3, 9, 8, 0))
    extended = sla.extend(due, local(2026, 3, 12, 8, 0))
    assert extended == DueDates(local(2026, 3, 9, 8, 0), local(2026, 3, 12, 8, 0), extended=True)
    with pytest.raises(Conflict) as refused:
        sla.extend(extended, local(2026, 3, 16, 8, 0))
    assert refused.value.params["rule"] == "one_extension"


def test_extension_must_move_the_due_later() -> None:
    with pytest.raises(InvalidData):
        sla.extend(DueDates(local(2026, 3, 9, 8, 0), local(2026, 3, 9, 8, 0)), local(2026, 3, 6, 8, 0))


# -- steps, verdicts, apology ---------------------------------------------------------------


def test_step_due_in_working_hours() -> None:
    # Mon 2 Mar 2026 10:00 + 4 h: 1.5 h to 11:30, 13:30 + 2.5 h → 16:00.
    assert sla.step_due(local(2026, 3, 2, 10, 0), 4, Unit.WORKING_HOURS, CAL) == local(2026, 3, 2, 16, 0)
    assert sla.step_due(local(2026, 3, 2, 10, 0), Decimal("0.5"), "working_days", CAL) == local(2026, 3, 2, 16, 0)
    with pytest.raises(ValueError):
        sla.step_due(local(2026, 3, 2, 10, 0), 1, Unit.CALENDAR_DAYS, CAL)


def test_verdict_early_on_time_late_by_due_day() -> None:
    due = local(2026, 2, 25, 10, 0)
    assert sla.verdict(due, local(2026, 2, 24, 16, 0)) is Verdict.EARLY
    assert sla.verdict(due, local(2026, 2, 25, 7, 30)) is Verdict.ON_TIME
    assert sla.verdict(due, due) is Verdict.ON_TIME
    assert sla.verdict(due, local(2026, 2, 25, 10, 1)) is Verdict.LATE
    # KPI 2.1 binary rule: at or before the due is on time.
    assert sla.verdict(due, local(2026, 2, 24, 16, 0), by_day=False) is Verdict.ON_TIME


def test_a_due_at_2400_belongs_to_the_day_it_ends() -> None:
    due = local(2026, 2, 24, 0, 0)  # 24:00 Mon 23 Feb 2026
    assert sla.verdict(due, local(2026, 2, 23, 20, 0)) is Verdict.ON_TIME
    assert sla.verdict(due, local(2026, 2, 13, 9, 0)) is Verdict.EARLY


def test_apology_opens_one_working_day_before_the_due() -> None:
    assert sla.apology_due(local(2026, 2, 25, 10, 0), CAL) == local(2026, 2, 24, 10, 0)
    # Over Tết: Mon 23 Feb 10:00 − 8 h: 3 h Monday, Fri 13 Feb 17:00 − 5 h → 10:00.
    assert sla.apology_due(local(2026, 2, 23, 10, 0), CAL) == local(2026, 2, 13, 10, 0)


def test_deadline_before_an_event_counts_plain_hours() -> None:
    assert sla.deadline_before_event(local(2026, 3, 10, 9, 0), 24) == local(2026, 3, 9, 9, 0)


# -- properties -----------------------------------------------------------------------------

# hypothesis takes naive bounds; timezones= makes every drawn instant aware
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001  naive bound, as hypothesis requires
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001  naive bound, as hypothesis requires
    timezones=st.just(VN),
)
limits = st.integers(min_value=1, max_value=8 * 30).map(lambda quarters: Decimal(quarters) / 4)


@given(instants, limits, st.sampled_from([Unit.WORKING_DAYS, Unit.WORKING_HOURS]), st.booleans())
def test_working_unit_dues_are_utc_and_inside_office_hours(accepted: datetime, limit: Decimal, unit: Unit,
                                                           end_of_day: bool) -> None:
    due = sla.due_at(accepted, limit, unit, CAL, end_of_day=end_of_day)
    assert due.tzinfo is UTC
    assert CAL.is_working_time(due - timedelta(microseconds=1))
    assert CAL.local(due).utcoffset() == timedelta(hours=7)


@given(instants)
def test_same_day_dues_end_a_working_day(accepted: datetime) -> None:
    due = sla.due_at(accepted, 0, Unit.SAME_DAY, CAL)
    assert due > accepted
    assert CAL.local(due).time() == time(17, 0)
    assert CAL.is_working_day(CAL.local(due).date())


def test_office_hours_setting_is_parsed_into_ordered_sessions() -> None:
    from datetime import time

    from engine.runtime import parse_sessions

    assert parse_sessions("07:30-11:30, 13:00-16:30") == ((time(7, 30), time(11, 30)), (time(13, 0), time(16, 30)))
    for bad in ("17:00-07:00", "07:00-12:00,11:00-17:00", "7h-11h"):
        with pytest.raises(ValueError):
            parse_sessions(bad)


def test_same_day_skips_the_days_off_before_the_next_working_day_and_a_day_off_only_before_the_cutoff() -> None:
    days = [d.isoformat() for d, _ in sla.skipped_days(local(2026, 3, 6, 16, 0), 1, Unit.SAME_DAY, CAL)]
    assert days == ["2026-03-07", "2026-03-08"]  # Fri after 15:00 → Mon: the weekend moved it
    days = [d.isoformat() for d, _ in sla.skipped_days(local(2026, 3, 7, 16, 0), 1, Unit.SAME_DAY, CAL)]
    assert days == ["2026-03-08"]  # Sat after 15:00: even a working Saturday would have moved it on
    assert sla.skipped_days(local(2026, 3, 6, 10, 0), 1, Unit.SAME_DAY, CAL) == []
