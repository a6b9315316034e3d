"""Decision 766 indicators on 16 dossiers driven through the engine's own commands
(tests/reports_fixture.py describes them), read from the reporting projection that the outbox
subscriber keeps; both databases. Period: October 2026 = [1 Oct 00:00, 1 Nov 00:00) local.
Working hours (wh): Mon 5 Oct 08:00 -> 17:00 is 7 wh; a full day 8 wh; a working day = 8 wh.

2.1  population: accepted before 1 Nov, not finished before 1 Oct:
     D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D11 D15 D16 = 13 (D12 ended 23 Sep, D13 never accepted, D14 in Nov).
     Late: D2 (Fri 9 10:00 > due Thu 8 08:00), D5 (second supplement: late whatever the times),
     D6 (the re-appointment is not honoured), D9 (due Thu 29 Oct 08:00 < period end, open),
     D11 (Thu 1 Oct 09:00 > due 08:00) = 5. D4's 24 wh pause pushes its due to Tue 13 Oct: on time.
     8/13 = 61.54 %; 61.54 / 100 x 20 = 12.31 points.
2.2  finished with a result in October: D1 D2 D3 D4 D5 D6 D8 (refusal document) D11 D15 D16 = 10.
     Working hours minus pauses: D1 9, D2 34, D3 18, D4 34-24 = 10, D5 9-2 = 7, D6 34, D8 10,
     D11 (28 Sep 08:00 -> 1 Oct 09:00) 7+8+8+2 = 25, D15 9, D16 9: 165 wh / 8 = 20.625 days / 10
     = 2.0625 -> 2.06 working days; 68.75 % of the 3-day limit <= 100 % -> 20.00 points.
     Within the limit (<= 24 wh): D1 D3 D4 D5 D8 D15 D16.
3.3  received (accepted) in October: D1 D2 D3 D4 D5 D6 D7 D8 D9 D10 D15 D16 = 12. Online: D1 D4 D6
     D7 D9 D10 D15 D16, but the procedure returns paper (delivery counter/post/online), so only
     those with an electronic result count: D1 D4 D6 D15 (returned electronic) = 4; D16 was handed
     over on paper, D7 withdrawn, D9 D10 open. 4/12 = 33.33 %; 33.33 / 50 x 22 = 14.67 points.
4.1  results issued in October (all paper-result): the 10 of 2.2; electronic: D1 D4 D6 D15 = 4
     -> 40.00 %, 8.80 points.
4.2  of the 12 received: component files and an electronic result: D4 = 1 -> 8.33 %; 8.33/80 x 22 = 2.29.
4.3  no component reused: 0.00 % (a value, not "no data": 12 dossiers were looked at).
4.5  from a verified account: D1 = 1/12 = 8.33 %; 1.83 points.
5.4  over 2.1's 13: late 5/13 = 38.46 %, dislikes D2 D15 = 2/13 = 15.38 % -> 46.16 %;
     46.16 / 90 x 18 = 9.23 points. Neither: D1 D3 D4 D7 D8 D10 D16.
1.3 / 3.1 / 3.2  one published procedure, complete, full-process online, with online dossiers: 100 %.
1.4, 3.5, 3.6  no data (nothing synced, no payment).
Total: publicity 18 (1.3 alone has data) + progress (12.31 + 20) / 2 = 16.155 + online
     (22 + 22 + 14.67) / 3 = 19.5567 + digitisation (8.80 + 2.29 + 0 + 1.83) / 4 = 3.23
     + satisfaction 9.23 = 66.17.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from engine import report_dimensions, report_facts, reports, sql
from engine.errors import InvalidData
from engine.models import AuditEvent
from tests.factories import rt
from tests.reports_fixture import build, drain

PERIOD = reports.Period(date(2026, 10, 1), date(2026, 10, 31))


def _names(ids: Any, codes: dict[int, str]) -> list[str]:
    return sorted((codes[i] for i in ids), key=lambda n: int(n[1:]))


async def _built(users: dict[str, Any]) -> dict[int, str]:
    codes = await build(users)
    assert await drain() > 0
    rows = await sql.fetch(sql.db(), "SELECT id, code FROM dossier")
    by_code = {v: k for k, v in codes.items()}
    return {r["id"]: by_code[r["code"]] for r in rows}


async def test_reports_on_the_engine_driven_fixture(users: dict[str, Any]) -> None:
    """One build per database (it takes most of the time), then the three checks below."""
    names = await _built(users)
    await _scorecard_matches_the_hand_computation(names)
    await _dimensions_trend_and_control_sheet(names)
    await _rebuild_from_the_event_log_equals_the_incremental_projection()


async def _scorecard_matches_the_hand_computation(names: dict[int, str]) -> None:
    f = await reports.scorecard(PERIOD, rt().calendars.value)
    assert list(f) == list(reports.INDICATORS)
    assert (f["2.1"].value, f["2.1"].points) == (Decimal("61.54"), Decimal("12.31"))
    assert _names(f["2.1"].extra["late"], names) == ["D2", "D5", "D6", "D9", "D11"]
    assert len(f["2.1"].population) == 13
    assert (f["2.2"].value, f["2.2"].unit, f["2.2"].points, f["2.2"].of_limit) == (
        Decimal("2.06"), "working_days", Decimal("20.00"), Decimal("68.75"))
    assert _names(f["2.2"].hits, names) == ["D1", "D3", "D4", "D5", "D8", "D15", "D16"]
    assert len(f["2.2"].population) == 10
    assert (f["3.3"].value, f["3.3"].points) == (Decimal("33.33"), Decimal("14.67"))
    assert _names(f["3.3"].hits, names) == ["D1", "D4", "D6", "D15"]
    assert _names(f["3.3"].population, names) == ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9", "D10",
                                                  "D15", "D16"]
    assert (f["4.1"].value, f["4.1"].points) == (Decimal("40.00"), Decimal("8.80"))
    assert (f["4.2"].value, f["4.2"].points, _names(f["4.2"].hits, names)) == (Decimal("8.33"), Decimal("2.29"),
                                                                               ["D4"])
    assert (f["4.3"].value, f["4.3"].points) == (Decimal("0.00"), Decimal("0.00"))
    assert (f["4.5"].value, f["4.5"].points, _names(f["4.5"].hits, names)) == (Decimal("8.33"), Decimal("1.83"),
                                                                               ["D1"])
    assert (f["5.4"].value, f["5.4"].points) == (Decimal("46.16"), Decimal("9.23"))
    assert _names(f["5.4"].extra["disliked"], names) == ["D2", "D15"]
    assert _names(f["5.4"].hits, names) == ["D1", "D3", "D4", "D7", "D8", "D10", "D16"]
    assert [(f[k].value, f[k].subject) for k in ("1.3", "3.1", "3.2")] == [(Decimal("100.00"), "procedure")] * 3
    assert [(f[k].value, f[k].points, f[k].reason) for k in ("1.4", "3.5", "3.6")] == [
        (None, None, "not_synced"), (None, None, "no_payment"), (None, None, "no_payment")]
    assert reports.total(f) == Decimal("66.17")


async def _dimensions_trend_and_control_sheet(names: dict[int, str]) -> None:
    calendar = rt().calendars.value
    by_channel = {v: figs for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "channel")}
    # online: D1 D4 D6 D7 D9 D10 D15 D16, late D6 D9 -> 6/8; counter: D2 D5 D8 D11, late D2 D5 D11 -> 1/4
    assert {k: v["2.1"].value for k, v in by_channel.items()} == {
        "online": Decimal("75.00"), "counter": Decimal("25.00"), "post": Decimal("100.00")}
    kinds = {v: figs for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "submitter_kind")}
    assert _names(kinds["proxy"]["2.1"].population, names) == ["D2", "D15"] and kinds["proxy"]["2.1"].value == 50
    assert (await reports.scorecard(PERIOD, calendar, submitter_kind="officer_assisted"))["2.1"].hits == \
        kinds["officer_assisted"]["2.1"].hits
    months = await report_dimensions.trend(3, calendar, until=date(2026, 11, 15))
    assert [p.start for p, _f in months] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    # September: D12 on time (17 wh), D11 still open at 1 Oct 00:00, before its due (1 Oct 08:00)
    assert _names(months[0][1]["2.1"].hits, names) == ["D11", "D12"] and months[0][1]["2.1"].value == 100
    assert months[1][1]["2.1"] == (await reports.scorecard(PERIOD, calendar))["2.1"]
    sheet = {v: figs["steps"] for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "official")}
    lower, upper = PERIOD.bounds()
    for official, figure in sheet.items():  # the sheet agrees with the trail's own task verdicts
        trail = [e for e in await AuditEvent.filter(action="task_completed", actor=official, at__gte=lower,
                                                    at__lt=upper) if e.details.get("verdict")]
        assert len(figure.population) == len(trail) > 0
        assert len(figure.extra["late"]) == sum(e.details["verdict"] == "late" for e in trail)
    assert set(sheet) == {"officer", "specialist", "leader"}


async def _rebuild_from_the_event_log_equals_the_incremental_projection() -> None:
    facts = "SELECT * FROM report_dossier ORDER BY dossier_id"
    tasks = "SELECT * FROM report_task ORDER BY task_id"
    incremental = (await sql.fetch(sql.db(), facts), await sql.fetch(sql.db(), tasks))
    assert len(incremental[0]) == 16 and len(incremental[1]) > 40
    assert await report_facts.rebuild(rt().calendars.value, batch=5) == 16
    assert (await sql.fetch(sql.db(), facts), await sql.fetch(sql.db(), tasks)) == incremental
    assert await drain() == 0  # nothing left to deliver; a repeated delivery is a no-op:
    last = await sql.fetch_one(sql.db(), "SELECT code, applied_revision, applied_n FROM report_dossier "
                                         "ORDER BY dossier_id LIMIT 1")
    assert last is not None
    event = {"kind": "rated", "score": 1, "at": "2026-10-20T00:00:00+00:00", "actor": "citizen"}
    key = f"{last['code']}:{last['applied_revision']}:{last['applied_n']}"
    assert not await report_facts.apply(last["code"], key, event, rt().calendars.value)
    assert (await sql.fetch(sql.db(), facts)) == incremental[0]


async def test_targets_default_to_the_rules_thresholds_and_are_kept(db: Any) -> None:
    assert (await report_dimensions.targets())["3.3"] == Decimal(50)
    assert await report_dimensions.set_target("3.3", "65,5", "manager") == Decimal("65.50")
    kept = await report_dimensions.targets()
    assert (kept["3.3"], kept["2.1"], kept["5.4"]) == (Decimal("65.50"), Decimal(100), Decimal(90))
    for indicator, value in (("9.9", "10"), ("3.3", "abc"), ("3.3", "0"), ("3.3", "101")):
        with pytest.raises(InvalidData):
            await report_dimensions.set_target(indicator, value, "manager")
    assert (await report_dimensions.targets())["3.3"] == Decimal("65.50")
    figure = reports.rate("3.3", [1, 2], [1, 2, 3])  # 66.67 %
    assert report_dimensions.meets(figure, kept["3.3"]) and not report_dimensions.meets(figure, Decimal(70))
    assert report_dimensions.meets(reports.no_data("3.3", "no_dossier"), Decimal(1)) is None
