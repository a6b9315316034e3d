"""Decision 766 indicators 2.1, 3.3, 5.4 (engine/reports.py) on a hand-computed fixture, both databases,
and the /bao-cao page and its drill-down agreeing with the engine.

Calendar: the national default, sessions 07:00–11:30 and 13:30–17:00 (8 h a day); no holiday in
Sep–Nov 2026. Procedure limit 2 working days = 16 working hours. Period: 01/10/2026 – 31/10/2026,
i.e. [1 Oct 00:00, 1 Nov 00:00) local. "Mon 5 Oct 08:00" etc. are local (UTC+7).

Accepted Mon 5 Oct 08:00 -> due Wed 7 Oct 08:00 (Mon 7 h + Tue 8 h + Wed 07:00–08:00 1 h).

 D1  online,  acc 5 Oct, result Tue 6 Oct 10:00                    -> on time; rating 5
 D2  counter, acc 5 Oct, result Thu 8 Oct 10:00                    -> LATE; rating 1 (dislike)
 D3  online,  acc 5 Oct, supplement Mon 5 Oct 13:30 -> Thu 8 Oct 13:30 (3.5+8+8+4.5 = 24 wh),
              result Fri 9 Oct 10:00: late against Wed 08:00, but the due pushed by 24 wh is
              Mon 12 Oct 08:00                                     -> on time; rating 4
 D4  counter, acc 5 Oct, two 1-hour supplements, late_flag (second request), result Tue 6 Oct 09:00
                                                                   -> LATE (whatever the times)
 D5  online,  acc Mon 26 Oct 08:00, unfinished: due Wed 28 Oct 08:00 < period end -> LATE (overdue)
 D6  online,  acc Thu 29 Oct 08:00, unfinished: due Mon 2 Nov 08:00 > period end  -> on time (in time)
 D7  counter, acc 5 Oct, result Mon 5 Oct 15:00, returned Wed 7 Oct 09:00 (after the due): the end is
              the result (priority)                                -> on time; rating 2 (dislike)
 D8  online,  acc Mon 28 Sep 08:00 (before the period), result Thu 1 Oct 09:00, due Wed 30 Sep 08:00
                                                                   -> LATE; in 2.1, not in 3.3
 D9  counter, acc Mon 21 Sep, result Wed 23 Sep: finished before the period -> nowhere
 D10 online,  acc 5 Oct, withdrawn (status 7) Tue 6 Oct 10:00      -> on time
 D11 counter, submitted, never accepted                            -> nowhere
 D12 online,  acc Mon 2 Nov (after the period)                     -> nowhere

2.1: population D1 D2 D3 D4 D5 D6 D7 D8 D10 = 9; late D2 D4 D5 D8 = 4; on time 5.
     5/9 = 55.56 %; points 55.56 / 100 x 20 = 11.11 / 20.
3.3: accepted in the period D1 D2 D3 D4 D5 D6 D7 D10 = 8; online D1 D3 D5 D6 D10 = 5.
     5/8 = 62.50 %; >= 50 % -> 22.00 / 22.
5.4: over the 9 of 2.1: late 4/9 = 44.44 %, dislikes (score <= 2) D2 D7 = 2/9 = 22.22 %.
     100 - 44.44 - 22.22 = 33.34 %; points 33.34 / 90 x 18 = 6.67 / 18;
     neither late nor disliked: D1 D3 D6 D10.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from engine import accounts, report_facts, reports
from engine.models import Dossier, Procedure, ProcedureVersion, Rating
from engine.report_sql import Tally
from tests.factories import PASSWORD, page_login, rt

PERIOD = reports.Period(date(2026, 10, 1), date(2026, 10, 31))


def local(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def iso(at: datetime) -> str:
    return at.isoformat()


async def _fixture() -> dict[str, int]:
    proc = await Procedure.create(code="9.000001", name="Thủ tục thử báo cáo", time_limit=2)
    pv = await ProcedureVersion.create(procedure=proc, number=1, process_id="p", bpmn_xml="", digest="x",
                                       spec_json="{}", time_limit=2, time_unit="working_days",
                                       metadata={"delivery": ["online"]})  # not a paper result (3.3)
    oct5 = local(5, 10, 8)
    one_hour = [{"start_at": iso(local(5, 10, 9)), "end_at": iso(local(5, 10, 10)), "reason": "supplement"},
                {"start_at": iso(local(5, 10, 14)), "end_at": iso(local(5, 10, 15)), "reason": "supplement"}]
    rows: dict[str, dict[str, Any]] = {
        "D1": {"channel": "online", "accepted_at": oct5, "result_at": local(6, 10, 10), "lifecycle_status": 9},
        "D2": {"channel": "counter", "accepted_at": oct5, "result_at": local(8, 10, 10), "lifecycle_status": 9},
        "D3": {"channel": "online", "accepted_at": oct5, "result_at": local(9, 10, 10), "lifecycle_status": 9,
               "supplement_requests": 1,
               "pauses": [{"start_at": iso(local(5, 10, 13, 30)), "end_at": iso(local(8, 10, 13, 30)),
                           "reason": "supplement"}]},
        "D4": {"channel": "counter", "accepted_at": oct5, "result_at": local(6, 10, 9), "lifecycle_status": 9,
               "supplement_requests": 2, "supplement_overridden": True, "late_flag": True,
               "late_reason": "second_supplement_request", "pauses": one_hour},
        "D5": {"channel": "online", "accepted_at": local(26, 10, 8), "lifecycle_status": 4},
        "D6": {"channel": "online", "accepted_at": local(29, 10, 8), "lifecycle_status": 4},
        "D7": {"channel": "counter", "accepted_at": oct5, "result_at": local(5, 10, 15),
               "returned_at": local(7, 10, 9), "lifecycle_status": 10},
        "D8": {"channel": "online", "accepted_at": local(28, 9, 8), "result_at": local(1, 10, 9),
               "lifecycle_status": 9},
        "D9": {"channel": "counter", "accepted_at": local(21, 9, 8), "result_at": local(23, 9, 9),
               "lifecycle_status": 9},
        "D10": {"channel": "online", "accepted_at": oct5, "completed_at": local(6, 10, 10), "lifecycle_status": 7},
        "D11": {"channel": "counter", "lifecycle_status": 1},
        "D12": {"channel": "online", "accepted_at": local(2, 11, 8), "lifecycle_status": 4},
    }
    ids: dict[str, int] = {}
    for name, cols in rows.items():
        d = await Dossier.create(code=f"RPT-{name}", procedure_version=pv, state="{}", agency_code="", **cols)
        ids[name] = d.id
    for name, score in (("D1", 5), ("D2", 1), ("D3", 4), ("D7", 2)):
        await Rating.create(dossier_id=ids[name], score=score, at=local(10, 10, 9))
    await report_facts.rebuild(rt().calendars.value)  # rows without events: the projection seeds from columns
    return ids


def _ids(ids: dict[str, int], *names: str) -> tuple[int, ...]:
    return tuple(sorted(ids[n] for n in names))


async def _members(key: str, group: str, period: reports.Period = PERIOD) -> list[int]:
    found = await reports.members(period, rt().calendars.value, key, group)
    assert found is not None and len(found[0]) == found[1]
    return found[0]


async def test_indicators_match_the_hand_computation(db: Any) -> None:
    ids = await _fixture()
    figures = await reports.scorecard(PERIOD, rt().calendars.value)
    on_time = figures["2.1"]
    assert (on_time.value, on_time.points, on_time.max_points) == (Decimal("55.56"), Decimal("11.11"), 20)
    assert await _members("2.1", "population") == list(_ids(ids, "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8",
                                                                 "D10"))
    assert await _members("2.1", "hits") == list(_ids(ids, "D1", "D3", "D6", "D7", "D10"))
    assert await _members("2.1", "late") == list(_ids(ids, "D2", "D4", "D5", "D8"))
    assert (on_time.count, on_time.hits, on_time.extra["late"]) == (9, 5, 4)
    online = figures["3.3"]
    assert (online.value, online.points, online.max_points) == (Decimal("62.50"), Decimal("22.00"), 22)
    assert await _members("3.3", "hits") == list(_ids(ids, "D1", "D3", "D5", "D6", "D10"))
    assert online.count == 8 and ids["D8"] not in await _members("3.3", "population")
    satisfaction = figures["5.4"]
    assert (satisfaction.value, satisfaction.points) == (Decimal("33.34"), Decimal("6.67"))
    assert await _members("5.4", "disliked") == list(_ids(ids, "D2", "D7"))
    assert await _members("5.4", "hits") == list(_ids(ids, "D1", "D3", "D6", "D10"))


async def test_the_supplement_pause_is_what_makes_d3_on_time(db: Any) -> None:
    ids = await _fixture()
    assert ids["D3"] not in await _members("2.1", "late")
    calendar = rt().calendars.value
    _, upper = PERIOD.bounds()
    d3 = await Dossier.get(id=ids["D3"])
    assert d3.accepted_at is not None and d3.result_at is not None
    pauses = report_facts.pauses_of(d3.pauses)
    assert not report_facts.late_at(d3.accepted_at, d3.result_at, Decimal(2), "working_days", pauses, False, 1,
                                    calendar)
    assert report_facts.late_at(d3.accepted_at, d3.result_at, Decimal(2), "working_days", (), False, 1, calendar)


async def _paused_fixture() -> dict[str, int]:
    """`_fixture` and two open dossiers: D13 with a pause still open; D14 late (due Mon 5 Oct 08:00)
    before its pause 7 -> 9 Oct."""
    ids = await _fixture()
    pv = await ProcedureVersion.get(procedure__code="9.000001")
    extra: dict[str, dict[str, Any]] = {
        "D13": {"accepted_at": local(5, 10, 8), "pauses": [{"start_at": iso(local(6, 10, 9)), "end_at": None,
                                                             "reason": "supplement"}], "supplement_requests": 1},
        "D14": {"accepted_at": local(1, 10, 8), "pauses": [{"start_at": iso(local(7, 10, 9)),
                                                             "end_at": iso(local(9, 10, 10)),
                                                             "reason": "financial_obligation"}]},
    }
    for name, cols in extra.items():
        ids[name] = (await Dossier.create(code=f"RPT-{name}", procedure_version=pv, state="{}", agency_code="",
                                          channel="online", lifecycle_status=4, **cols)).id
    await report_facts.rebuild(rt().calendars.value)
    return ids


async def test_a_trend_counts_each_period_as_its_own_scorecard(db: Any) -> None:
    """`tallies` over a list of periods (the trend: ended rows joined to each period, open rows counted
    once for all, engine/report_open.py) gives every predicate's count, the work units and the judged
    window rows of each period exactly as the period counted alone; days and weeks of Sep–Nov 2026,
    through pauses open and closed at the period ends."""
    await _paused_fixture()
    calendar = rt().calendars.value
    days = [reports.Period(date(2026, 9, 20) + timedelta(days=i), date(2026, 9, 20) + timedelta(days=i))
            for i in range(45)]
    weeks = [reports.Period(date(2026, 9, 7) + timedelta(days=7 * i), date(2026, 9, 13) + timedelta(days=7 * i))
             for i in range(10)]
    for periods in (days, weeks):
        together = await reports.tallies(reports.Period(periods[0].start, periods[-1].end), calendar, {},
                                         months=tuple(periods))
        for i, period in enumerate(periods):
            alone = (await reports.tallies(period, calendar, {})).get(0) or Tally()
            mine = together.get(i) or Tally()
            assert (mine.counts, mine.units, sorted(mine.window)) == (alone.counts, alone.units,
                                                                       sorted(alone.window)), period
        assert sum(t.counts["window"] for t in together.values()) > 5  # the Python-judged rows were exercised


async def test_the_sql_verdict_is_the_python_rule_at_every_period_end(db: Any) -> None:
    """2.1's late list, counted in SQL from the stored verdict columns, equals `report_facts.late_at`
    judged in Python (from the dossier rows, not the projection) for every day of Sep–Oct 2026 as a
    period: before the first pause, within a pause (the rows judged in Python by engine/report_sql.py),
    after the pauses, with a pause still open, and after a pause that started once already late."""
    ids = await _paused_fixture()
    calendar = rt().calendars.value
    rows = await Dossier.filter(id__in=list(ids.values()))
    windows = 0
    for offset in range(45):
        day = date(2026, 9, 20) + timedelta(days=offset)
        period = reports.Period(day, day)
        lower, upper = period.bounds()
        expected = []
        for d in rows:
            end = d.result_at or d.returned_at or (d.completed_at if d.lifecycle_status in (3, 7, 8) else None)
            if d.accepted_at is None or d.accepted_at >= upper or (end is not None and end < lower):
                continue
            pauses = report_facts.pauses_of(d.pauses)
            windows += any(p.start_at < upper and (p.end_at is None or p.end_at > upper) for p in pauses)
            if report_facts.late_at(d.accepted_at, end if end is not None and end < upper else upper, Decimal(2),
                                    "working_days", pauses, d.late_flag, d.supplement_requests, calendar):
                expected.append(d.id)
        assert await _members("2.1", "late", period) == sorted(expected), day
        assert (await reports.scorecard(period, calendar))["2.1"].extra.get("late", 0) == len(expected), day
    assert windows > 10  # the Python-judged rows were exercised


async def test_no_data_is_not_zero(db: Any) -> None:
    await _fixture()
    empty = await reports.scorecard(reports.Period(date(2025, 1, 1), date(2025, 1, 31)), rt().calendars.value)
    assert all(empty[k].value is None and empty[k].points is None and empty[k].reason == "no_dossier"
               for k in ("2.1", "3.3", "5.4"))
    await Rating.all().delete()
    await report_facts.rebuild(rt().calendars.value)
    unrated = await reports.scorecard(PERIOD, rt().calendars.value)
    assert unrated["5.4"].value is None and unrated["5.4"].reason == "no_rating"
    assert unrated["2.1"].value == Decimal("55.56")
    assert (await reports.scorecard(PERIOD, rt().calendars.value, procedure="0.000000"))["3.3"].value is None


def _codes(html: str) -> list[str]:
    return sorted(re.findall(r'<tr data-dossier="([^"]+)"', html))


async def test_page_and_drill_down_agree_with_the_engine(client: Any, users: Any) -> None:
    ids = await _fixture()
    figures = await reports.scorecard(PERIOD, rt().calendars.value)
    await accounts.create_user("manager", PASSWORD, "manager", roles=["specialist"])
    await page_login(client, "manager")
    query = "tu-ngay=01/10/2026&den-ngay=31/10/2026"
    r = await client.get("/bao-cao?" + query)
    assert r.status_code == 200 and '<a href="/bao-cao">' in r.text  # the header's link
    for key, figure in figures.items():
        if figure.value is None:
            continue  # the page's words for the reasons of the newer indicators are E3's (issue 12)
        row = re.search(rf'<tr data-indicator="{re.escape(key)}">(.*?)</tr>', r.text, re.S)
        assert row is not None
        shown = f"{figure.value}&nbsp;%", f"{figure.points}/{figure.max_points}"
        assert all(text.replace(".", ",") in row.group(1) for text in shown)  # the page's decimal comma
    by_id = {v: f"RPT-{k}" for k, v in ids.items()}
    for key, group, expected in (("2.1", "dat", await _members("2.1", "hits")),
                                 ("2.1", "tre", await _members("2.1", "late")),
                                 ("3.3", "tong", await _members("3.3", "population")),
                                 ("5.4", "khong-hai-long", await _members("5.4", "disliked"))):
        page = await client.get(f"/bao-cao/ho-so?chi-so={key}&nhom={group}&{query}")
        assert page.status_code == 200
        assert _codes(page.text) == sorted(by_id[i] for i in expected)
        assert f'href="/can-bo/ho-so/{by_id[expected[0]]}"' in page.text
    everyone = await _members("2.1", "population")  # keyset: the page after the 4th of 9, the total kept
    later = await client.get(f"/bao-cao/ho-so?chi-so=2.1&nhom=tong&sau={everyone[3]}&{query}")
    assert _codes(later.text) == sorted(by_id[i] for i in everyone[4:])
    assert '<strong id="list-count">9</strong>' in later.text and 'id="next-page"' not in later.text
    assert (await client.get("/bao-cao?tu-ngay=31/02/2026")).status_code == 400
    assert "dd/mm/yyyy" in (await client.get("/bao-cao?tu-ngay=31/02/2026")).text
    assert (await client.get(f"/bao-cao/ho-so?chi-so=9.9&{query}")).status_code == 400


@pytest.mark.parametrize("who", ["officer", "admin", "citizen"])
async def test_only_managers_read_reports(client: Any, users: Any, who: str) -> None:
    await page_login(client, who)
    assert (await client.get("/bao-cao")).status_code == 403
    assert '<a href="/bao-cao">' not in (await client.get("/")).text


def test_the_default_period_is_the_quarter() -> None:
    assert reports.quarter_of(date(2026, 12, 3)) == reports.Period(date(2026, 10, 1), date(2026, 12, 31))
    assert reports.quarter_of(date(2026, 1, 1)) == reports.Period(date(2026, 1, 1), date(2026, 3, 31))
    assert reports.quarter_of(date(2026, 5, 31)) == reports.Period(date(2026, 4, 1), date(2026, 6, 30))
