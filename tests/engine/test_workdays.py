"""The working-day calendar: national data from `holidays`, provincial overrides, hour-precise arithmetic.

Every expected instant below is computed by hand in the comment beside it, with the default
sessions 07:00–11:30 and 13:30–17:00 (4.5 h + 3.5 h = 8 h a day), local time Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.workdays import (
    Calendar,
    Overrides,
    calendar_from_dict,
    calendar_to_dict,
    default_calendar,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = default_calendar()
# Ministry of Home Affairs proposal for New Year 2026 (RULES §3.3): Fri 2 Jan off, Sat 10 Jan worked.
# The holidays package (0.109) does not carry it, so a province would declare it as overrides.
NEW_YEAR_2026_SWAP = Overrides(days_off=frozenset({date(2026, 1, 2)}), working_days=frozenset({date(2026, 1, 10)}))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)


def test_package_knows_tet_2026_as_the_official_break() -> None:
    # Official 2026 decision: off Sat 14 – Sun 22 Feb 2026. The package has the five weekdays
    # Mon 16 – Fri 20 as Tết days; with the weekends around them that is exactly 14–22 Feb.
    assert CAL.is_working_day(date(2026, 2, 13))
    assert [d.day for d in (date(2026, 2, 14) + timedelta(n) for n in range(9)) if not CAL.is_working_day(d)] == list(
        range(14, 23)
    )
    assert CAL.is_working_day(date(2026, 2, 23))
    assert CAL.holiday_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_deadline_skips_tet_2026() -> None:
    # Fri 13 Feb 10:00: 1.5 h + 3.5 h = 5 h; 14–22 Feb off; Mon 23 8 h (13), Tue 24 8 h (21);
    # Wed 25 from 07:00 the last 3 h → 10:00 local = 03:00 UTC.
    due = CAL.add_working_days(local(2026, 2, 13, 10, 0), 3)
    assert due == datetime(2026, 2, 25, 3, 0, tzinfo=UTC)
    assert CAL.local(due) == local(2026, 2, 25, 10, 0)


def test_skipped_days_explain_the_tet_deadline() -> None:
    skipped = CAL.skipped_days(local(2026, 2, 13, 10, 0), local(2026, 2, 25, 10, 0))
    assert skipped == [
        (date(2026, 2, 14), "Thứ bảy"),
        (date(2026, 2, 15), "Chủ nhật"),
        (date(2026, 2, 16), "Giao thừa Tết Nguyên Đán"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 2, 18), "Mùng hai Tết Nguyên Đán"),
        (date(2026, 2, 19), "Mùng ba Tết Nguyên Đán"),
        (date(2026, 2, 20), "Mùng bốn Tết Nguyên Đán"),
        (date(2026, 2, 21), "Thứ bảy"),
        (date(2026, 2, 22), "Chủ nhật"),
    ]


def test_deadline_counts_the_packages_makeup_saturday_22_aug_2026() -> None:
    # Sat 22 Aug 2026 is worked so that Mon 31 Aug is off (National Day bridge).
    assert CAL.is_working_day(date(2026, 8, 22))
    assert not CAL.is_working_day(date(2026, 8, 31))
    # Fri 21 Aug 16:00: 1 h; Sat 22 Aug: 4.5 h to 11:30 (5.5 h), 13:30 + 2.5 h → 16:00 Saturday.
    assert CAL.add_working_days(local(2026, 8, 21, 16, 0), 1) == local(2026, 8, 22, 16, 0)


def test_makeup_saturday_26_apr_2025_is_a_working_day() -> None:
    assert CAL.is_working_day(date(2025, 4, 26))
    assert CAL.non_working_reason(date(2025, 5, 2)) == "Ngày nghỉ (thay cho ngày 26/04/2025)"


def test_makeup_saturday_filed_in_next_years_data_is_found() -> None:
    # The 2015 data moved Fri 2 Jan 2015 to Sat 27 Dec 2014: the 2014 lookup must still see it.
    assert CAL.is_working_day(date(2014, 12, 27))
    assert not CAL.is_working_day(date(2015, 1, 2))


def test_provincial_overrides_declare_a_makeup_saturday_and_a_day_off() -> None:
    swapped = default_calendar(NEW_YEAR_2026_SWAP)
    # Fri 9 Jan 2026 13:30: 3.5 h; Sat 10 Jan (worked): 07:00 + 4.5 h → 11:30 Saturday.
    assert swapped.add_working_days(local(2026, 1, 9, 13, 30), 1) == local(2026, 1, 10, 11, 30)
    # Without the override the Saturday is skipped: Mon 12 Jan 11:30.
    assert CAL.add_working_days(local(2026, 1, 9, 13, 30), 1) == local(2026, 1, 12, 11, 30)
    assert swapped.non_working_reason(date(2026, 1, 2)) == "ngày nghỉ của tỉnh"
    assert swapped.non_working_reason(date(2026, 1, 1)) == "Tết Dương lịch"


def test_hung_kings_day_on_a_sunday_2026_is_compensated_on_monday() -> None:
    assert CAL.non_working_reason(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert CAL.non_working_reason(date(2026, 4, 27)) == "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"


def test_25_working_days_from_0837_keeps_0837() -> None:
    # The Đồng Tháp receipt in RULES §3.4: received 08:37 Wed 20 Nov 2019, 25 working days,
    # appointment 08:37 Wed 25 Dec 2019 (21 Nov … 24 Dec is 24 working days, 25 Dec the 25th).
    assert CAL.add_working_days(local(2019, 11, 20, 8, 37), 25) == local(2019, 12, 25, 8, 37)


def test_fractional_working_days() -> None:
    # Mon 2 Mar 2026 07:00 + 3.5 days = 28 h: Mon, Tue, Wed (24 h), Thu 07:00 + 4 h → 11:00.
    assert CAL.add_working_days(local(2026, 3, 2, 7, 0), Decimal("3.5")) == local(2026, 3, 5, 11, 0)
    assert CAL.add_working_days(local(2026, 3, 2, 7, 0), 3.5) == local(2026, 3, 5, 11, 0)


def test_due_consuming_a_sessions_last_minute_lands_at_its_end_not_the_next_start() -> None:
    # 13:30 + 8 h: 3.5 h to 17:00, next day 07:00 + 4.5 h → 11:30 (not 13:30).
    assert CAL.add_working_hours(local(2026, 3, 2, 13, 30), 8) == local(2026, 3, 3, 11, 30)
    # A whole day from the first minute ends at 17:00 the same day (not 07:00 tomorrow).
    assert CAL.add_working_days(local(2026, 3, 2, 7, 0), 1) == local(2026, 3, 2, 17, 0)


def test_adding_zero_hours_at_a_session_end_returns_it_unchanged() -> None:
    assert CAL.add_working_hours(local(2026, 3, 2, 11, 30), 0) == local(2026, 3, 2, 11, 30)
    assert CAL.add_working_hours(local(2026, 3, 7, 20, 0), 0) == local(2026, 3, 7, 20, 0)


def test_hours_added_outside_office_hours_start_at_the_next_session() -> None:
    # Sat 7 Mar 2026 20:00 + 1 h → Mon 9 Mar 08:00; 12:00 lunch + 1 h → 14:30.
    assert CAL.add_working_hours(local(2026, 3, 7, 20, 0), 1) == local(2026, 3, 9, 8, 0)
    assert CAL.add_working_hours(local(2026, 3, 2, 12, 0), 1) == local(2026, 3, 2, 14, 30)


def test_sessions_are_half_open() -> None:
    assert CAL.is_working_time(local(2026, 3, 2, 7, 0))
    assert CAL.is_working_time(local(2026, 3, 2, 11, 29, 59))
    assert not CAL.is_working_time(local(2026, 3, 2, 11, 30))
    assert not CAL.is_working_time(local(2026, 3, 2, 17, 0))
    assert not CAL.is_working_time(local(2026, 3, 7, 9, 0))  # Saturday


def test_next_working_instant() -> None:
    assert CAL.next_working_instant(local(2026, 3, 2, 9, 15)) == local(2026, 3, 2, 9, 15)
    assert CAL.next_working_instant(local(2026, 3, 2, 11, 30)) == local(2026, 3, 2, 13, 30)
    assert CAL.next_working_instant(local(2026, 3, 6, 17, 0)) == local(2026, 3, 9, 7, 0)  # Fri → Mon
    assert CAL.next_working_instant(local(2026, 2, 13, 17, 0)) == local(2026, 2, 23, 7, 0)  # over Tết


def test_working_time_between_counts_only_sessions_on_working_days() -> None:
    assert CAL.working_time_between(local(2026, 3, 2, 11, 0), local(2026, 3, 2, 14, 0)) == timedelta(hours=1)
    assert CAL.working_time_between(local(2026, 2, 13, 10, 0), local(2026, 2, 25, 10, 0)) == timedelta(hours=24)
    assert CAL.working_time_between(local(2026, 2, 25, 10, 0), local(2026, 2, 13, 10, 0)) == timedelta(hours=-24)


def test_subtracting_hours_gives_the_latest_instant() -> None:
    # Wed 25 Feb 11:30 − 8 h: 4.5 h back to 07:00, Tue 24 Feb 17:00 − 3.5 h → 13:30.
    assert CAL.subtract_working_hours(local(2026, 2, 25, 11, 30), 8) == local(2026, 2, 24, 13, 30)


def test_end_of_working_day() -> None:
    assert CAL.end_of_working_day(local(2026, 3, 2, 6, 0)) == local(2026, 3, 2, 17, 0)
    assert CAL.end_of_working_day(local(2026, 3, 2, 17, 0)) == local(2026, 3, 2, 17, 0)
    assert CAL.end_of_working_day(local(2026, 3, 6, 18, 0)) == local(2026, 3, 9, 17, 0)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001  the naive input under test
    for call in (
        lambda: CAL.add_working_hours(naive, 1),
        lambda: CAL.is_working_time(naive),
        lambda: CAL.next_working_instant(naive),
        lambda: CAL.working_time_between(naive, local(2026, 3, 3, 9, 0)),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


def test_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_hours(local(2026, 3, 2, 9, 0), -1)


def test_other_office_hours_change_the_day_length() -> None:
    # 07:30–11:30 and 13:00–17:00 is also 8 h. Mon 2 Mar 2026 10:00: 1.5 h + 4 h = 5.5 h, Tue
    # 07:30 + 2.5 h → 10:00. From 13:00: 4 h, Tue 07:30 + 4 h → 11:30 (the morning's end).
    cal = default_calendar(sessions=[(time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))])
    assert cal.day_length == timedelta(hours=8)
    assert cal.add_working_days(local(2026, 3, 2, 10, 0), 1) == local(2026, 3, 3, 10, 0)
    assert cal.add_working_days(local(2026, 3, 2, 13, 0), 1) == local(2026, 3, 3, 11, 30)


def test_a_working_day_is_the_calendars_day_length() -> None:
    # 07:30–11:30 and 13:30–17:00 is 7.5 h: one day from 07:30 ends 17:00 the same day, and two
    # days from Mon 2 Mar 2026 10:00 end Wed 4 Mar 10:00.
    cal = default_calendar(sessions=[(time(7, 30), time(11, 30)), (time(13, 30), time(17, 0))])
    assert cal.day_length == timedelta(hours=7, minutes=30)
    assert cal.add_working_days(local(2026, 3, 2, 7, 30), 1) == local(2026, 3, 2, 17, 0)
    assert cal.add_working_days(local(2026, 3, 2, 10, 0), 2) == local(2026, 3, 4, 10, 0)


def test_bad_sessions_are_refused() -> None:
    with pytest.raises(ValueError):
        Calendar(sessions=((time(13, 30), time(17, 0)), (time(7, 0), time(11, 30))))
    with pytest.raises(ValueError):
        Overrides(days_off=frozenset({date(2026, 1, 2)}), working_days=frozenset({date(2026, 1, 2)}))


def test_calendar_round_trips_through_plain_data() -> None:
    data = {
        "sessions": [["07:30", "11:30"], ["13:00", "17:00"]],
        "days_off": ["2026-01-02"],
        "working_days": ["2026-01-10"],
    }
    cal = calendar_from_dict(data)
    assert cal.overrides == NEW_YEAR_2026_SWAP
    assert calendar_from_dict(calendar_to_dict(cal)) == cal
    assert calendar_to_dict(cal)["sessions"] == data["sessions"]
    with pytest.raises(ValueError, match="unknown"):
        calendar_from_dict({"holidays": []})


# -- properties -----------------------------------------------------------------------------

# hypothesis takes naive bounds; timezones= makes every drawn instant aware
instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001  naive bound, as hypothesis requires
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001  naive bound, as hypothesis requires
    timezones=st.just(VN),
).map(lambda at: at.replace(second=0, microsecond=0))
minutes = st.integers(min_value=0, max_value=60 * 8 * 40)  # up to 40 working days


@given(instants, minutes)
def test_adding_then_counting_working_time_round_trips(start: datetime, m: int) -> None:
    start = CAL.next_working_instant(start)
    due = CAL.add_working_hours(start, Decimal(m) / 60)
    assert CAL.working_time_between(start, due) == timedelta(minutes=m)


@given(instants, minutes)
def test_round_trip_holds_from_any_instant(start: datetime, m: int) -> None:
    due = CAL.add_working_hours(start, Decimal(m) / 60)
    assert CAL.working_time_between(start, due) == timedelta(minutes=m)


@given(instants, minutes.filter(lambda m: m > 0))
def test_due_dates_fall_inside_office_hours_or_at_a_session_end(start: datetime, m: int) -> None:
    due = CAL.add_working_hours(start, Decimal(m) / 60)
    # In (session start, session end]: the microsecond before the due is working time.
    assert CAL.is_working_time(due - timedelta(microseconds=1))


@given(instants, minutes)
def test_results_are_utc_and_display_in_ho_chi_minh(start: datetime, m: int) -> None:
    due = CAL.add_working_hours(start, Decimal(m) / 60)
    assert due.tzinfo is UTC
    shown = CAL.local(due)
    assert shown.tzinfo == VN and shown.utcoffset() == timedelta(hours=7)


@given(instants, minutes.filter(lambda m: m > 0))
def test_subtracting_then_counting_round_trips(end: datetime, m: int) -> None:
    begin = CAL.subtract_working_hours(end, Decimal(m) / 60)
    assert CAL.working_time_between(begin, end) == timedelta(minutes=m)
    assert CAL.is_working_time(begin)


@given(instants, instants, instants)
def test_working_time_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    assert CAL.working_time_between(a, b) + CAL.working_time_between(b, c) == CAL.working_time_between(a, c)
