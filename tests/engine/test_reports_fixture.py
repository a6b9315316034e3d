"""Decision 766 indicators on 16 dossiers driven through the engine's own commands
(tests/reports_fixture.py describes them), read from the reporting projection that the outbox
subscriber keeps; both databases. The hand computation (period October 2026) is
tests/reports_fixture.py's EXPECTED, EXPECTED_TOTAL (with its comments), shared with the web test
that checks the page, the API and the XLSX (tests/web/test_reports_fixture_web.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine import report_dimensions, report_facts, reports, sql
from engine.models import AuditEvent
from tests.factories import rt
from tests.reports_fixture import EXPECTED, EXPECTED_TOTAL, build, drain
from tests.reports_fixture import PERIOD as DAYS

PERIOD = reports.Period(*DAYS)


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _names(ids: Any, codes: dict[int, str]) -> list[str]:
    return sorted((codes[i] for i in ids), key=lambda n: int(n[1:]))


async def _ids(key: str, group: str, period: reports.Period = PERIOD, **filters: str) -> list[int]:
    """The ids behind one number (`reports.members`), read in pages of 2 to exercise the keyset."""
    out: list[int] = []
    while True:
        found = await reports.members(period, rt().calendars.value, key, group, after=out[-1] if out else 0,
                                      limit=2, **filters)
        assert found is not None
        page, total = found
        if not page:
            assert total == len(out)
            return out
        out += page


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
    for key, (value, points, count, hits, reason) in EXPECTED.items():
        figure = f[key]
        assert (figure.value, figure.points, figure.reason or None) == (_dec(value), _dec(points), reason), key
        assert (figure.count, figure.hits) == (count, hits), key
        if figure.subject == "dossier":  # the ids behind each count are exactly as many
            assert (len(await _ids(key, "population")), len(await _ids(key, "hits"))) == (count, hits), key
    assert _names(await _ids("2.1", "late"), names) == ["D2", "D5", "D6", "D9", "D11"] and f["2.1"].extra["late"] == 5
    assert (f["2.2"].unit, f["2.2"].of_limit) == ("working_days", Decimal("68.75"))
    assert _names(await _ids("2.2", "hits"), names) == ["D1", "D3", "D4", "D5", "D8", "D15", "D16"]
    assert _names(await _ids("3.3", "hits"), names) == ["D1", "D4", "D6", "D15"]
    assert _names(await _ids("3.3", "population"), names) == ["D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9",
                                                              "D10", "D15", "D16"]
    assert _names(await _ids("4.2", "hits"), names) == ["D4"] and _names(await _ids("4.5", "hits"), names) == ["D1"]
    assert _names(await _ids("5.4", "disliked"), names) == ["D2", "D15"] and f["5.4"].extra["disliked"] == 2
    assert _names(await _ids("5.4", "hits"), names) == ["D1", "D3", "D4", "D7", "D8", "D10", "D16"]
    assert len(await _ids("1.3", "hits")) == 1 and await reports.members(PERIOD, rt().calendars.value, "9.9",
                                                                          "hits") is None
    assert [f[k].subject for k in ("1.3", "3.1", "3.2")] == ["procedure"] * 3
    assert reports.total(f) == Decimal(EXPECTED_TOTAL)


async def _dimensions_trend_and_control_sheet(names: dict[int, str]) -> None:
    calendar = rt().calendars.value
    by_channel = {v: figs for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "channel")}
    # online: D1 D4 D6 D7 D9 D10 D15 D16, late D6 D9 -> 6/8; counter: D2 D5 D8 D11, late D2 D5 D11 -> 1/4
    assert {k: v["2.1"].value for k, v in by_channel.items()} == {
        "online": Decimal("75.00"), "counter": Decimal("25.00"), "post": Decimal("100.00")}
    kinds = {v: figs for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "submitter_kind")}
    assert _names(await _ids("2.1", "population", submitter_kind="proxy"), names) == ["D2", "D15"]
    assert kinds["proxy"]["2.1"].value == 50 and kinds["proxy"]["2.1"].count == 2
    assert (await reports.scorecard(PERIOD, calendar, submitter_kind="officer_assisted"))["2.1"] == \
        kinds["officer_assisted"]["2.1"]
    months = await report_dimensions.trend(3, calendar, until=date(2026, 11, 15))
    assert [p.start for p, _f in months] == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    # September: D12 on time (17 wh), D11 still open at 1 Oct 00:00, before its due (1 Oct 08:00)
    assert _names(await _ids("2.1", "hits", months[0][0]), names) == ["D11", "D12"]
    assert months[0][1]["2.1"].value == 100 and months[0][1]["2.1"].hits == 2
    assert months[1][1]["2.1"] == (await reports.scorecard(PERIOD, calendar))["2.1"]
    sheet = {v: figs["steps"] for v, _label, figs in await report_dimensions.breakdown(PERIOD, calendar, "official")}
    lower, upper = PERIOD.bounds()
    for official, figure in sheet.items():  # the sheet agrees with the trail's own task verdicts
        trail = [e for e in await AuditEvent.filter(action="task_completed", actor=official, at__gte=lower,
                                                    at__lt=upper) if e.details.get("verdict")]
        assert figure.count == len(trail) > 0
        assert figure.extra["late"] == sum(e.details["verdict"] == "late" for e in trail)
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
