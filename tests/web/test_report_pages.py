"""The /bao-cao pages on dossiers driven through the engine (submit + the four steps of household
business, 3 working days; steps: intake 4 wh, appraisal 1.5 wd, approval 0.5 wd, return 4 wh), both
databases. Period: October 2026; "Mon 5 Oct 08:00" is local (UTC+7).

 A  agency X, online (citizen), every step within 2 hours on Mon 5 Oct        -> on time, steps on time
 B  agency X, counter (officer), appraisal and the rest on Mon 12 Oct          -> LATE (due Thu 8 Oct);
    appraisal step late (due Tue 6 Oct), approval and return on time
 C  agency Y, online, accepted Mon 5 Oct 08:30, unfinished                     -> LATE at the period's end

2.1: A B C, late B C: 1/3 = 33.33 %.  3.3: accepted A B C, online A C: 66.67 %.
Control sheet: officer 5 steps on time (3 intakes, 2 returns), specialist 1 on time + 1 late (B),
leader 2 on time. A leader of agency X sees A and B only: 2.1 = 50.00 %.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import openpyxl

from engine import accounts, dossiers, reports
from engine.models import Agency, HumanTask, ReceptionPoint
from tests.factories import APPLICATIONS, CODES, HAPPY_PATH, PASSWORD, page_login, publish_shipped, rt
from tests.reports_fixture import drain
from web.staff import report_data

PERIOD = "tu-ngay=01/10/2026&den-ngay=31/10/2026"
EVIL = "=HYPERLINK(\"http://x\")"  # agency Y's name: a formula cell the exports must neutralise


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


async def _drive(users: dict[str, Any], point: str, counter: bool, times: list[datetime]) -> str:
    submitter = users["officer"] if counter else users["citizen"]
    made = await dossiers.submit(rt(), CODES["household-business"], APPLICATIONS["household-business"],
                                 now=local(5, 8), user=submitter, reception_point=point,
                                 channel="counter" if counter else "online",
                                 submitter_kind="officer_assisted" if counter else "citizen")
    for (element, who, data), at in zip(HAPPY_PATH, times, strict=False):
        task = await HumanTask.get(dossier_id=made.id, state="ready")
        assert task.element_id == element
        await dossiers.complete_task(rt(), task.id, data, users[who], at)
    return made.code


async def _world(users: dict[str, Any]) -> dict[str, str]:
    await Agency.create(code="X", name="UBND xã X", tier="commune", kind="commune_committee", commune_type="xa")
    await Agency.create(code="Y", name=EVIL, tier="commune", kind="commune_committee", commune_type="xa")
    await ReceptionPoint.create(code="X-01", name="Một cửa xã X", agency_code="X")
    await ReceptionPoint.create(code="Y-01", name="Một cửa xã Y", agency_code="Y")
    await publish_shipped("household-business")
    codes = {"A": await _drive(users, "X-01", False, [local(5, 8, 30), local(5, 9), local(5, 9, 30), local(5, 10)]),
             "B": await _drive(users, "X-01", True, [local(5, 8, 30), local(12, 9), local(12, 10), local(12, 11)]),
             "C": await _drive(users, "Y-01", False, [local(5, 8, 30)])}
    await accounts.create_user("manager", PASSWORD, "manager", roles=["specialist"])
    await accounts.create_user("leader_x", PASSWORD, "staff", roles=["leader"], agency="X")
    await drain()  # the worker's part: the reporting projections follow the events through the outbox
    return codes


def _links(html: str) -> list[tuple[str, str]]:
    """(href, text) of every drill-down link of a page."""
    return [(unescape(h), re.sub(r"<[^>]+>", "", t).strip())
            for h, t in re.findall(r'<a[^>]*href="(/bao-cao/ho-so\?[^"]+)"[^>]*>(.*?)</a>', html, re.S)]


def _codes(html: str) -> list[str]:
    return sorted(re.findall(r'<tr data-dossier="([^"]+)"', html))


def _row(html: str, table: str, attribute: str, value: str) -> str:
    body = re.search(rf'<table[^>]*id="{table}".*?</table>', html, re.S)
    assert body is not None, table
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', body.group(0), re.S)
    assert row is not None, (table, value)
    return row.group(1)


async def test_scorecard_numbers_all_link_to_the_exact_dossiers(client: httpx.AsyncClient, users: Any) -> None:
    codes = await _world(users)
    await page_login(client, "manager")
    r = await client.get("/bao-cao?" + PERIOD)
    assert r.status_code == 200
    html = r.text
    assert "33,33&nbsp;%" in _row(html, "indicators", "data-indicator", "2.1")
    # 3.3: household-business hands over a paper result (no delivery channel published), so an online
    # dossier counts only with an electronic result (RULES §4.1): A (online, result returned
    # electronically by the happy path) counts, C (online, no result yet) does not, B is a counter
    # dossier: 1 of 3 received = 33.33 %
    assert "33,33&nbsp;%" in _row(html, "indicators", "data-indicator", "3.3")
    figures = await reports.scorecard(reports.Period(date(2026, 10, 1), date(2026, 10, 31)),
                                      rt().calendars.value)
    card = report_data.card(figures)
    # Vietnamese pages write the decimal comma (the figures themselves are "33.33")
    assert re.search(rf'id="total"[^>]*>{str(card.total).replace(".", ",")}</a>/100', html)
    for group in card.groups:
        cell = _row(html, "groups", "data-group", group.number)
        shown = f"{group.points}/{group.max_points}".replace(".", ",")
        assert (shown in cell) if group.points is not None else ("data-nodata" in cell)
    assert "5. " in re.search(r'id="missing-groups">(.*?)</p>', html, re.S).group(1)  # type: ignore[union-attr]
    # per agency: X = A, B (1 late) -> 50.00 %; Y = C (late) -> 0.00 %
    assert "50,00&nbsp;%" in _row(html, "agency-table", "data-row", "X")
    assert "0,00&nbsp;%" in _row(html, "agency-table", "data-row", "Y")
    assert "33,33&nbsp;%" in _row(html, "procedure-table", "data-row", CODES["household-business"])
    assert "33,33&nbsp;%" in _row(html, "trend-table", "data-row", "10/2026")
    assert _codes(re.search(r'id="late-table".*?</table>', html, re.S).group(0)) == sorted(  # type: ignore[union-attr]
        [codes["B"], codes["C"]])
    # the control sheet: per official, steps on time / late (from the steps' own due dates)
    for who, on_time, late in (("officer", 5, 0), ("specialist", 1, 1), ("leader", 2, 0)):
        row = _row(html, "control-table", "data-official", who)
        assert re.search(rf'data-steps="dung-han"><a[^>]*>{on_time}</a>', row), (who, row)
        assert re.search(rf'data-steps="tre"><a[^>]*>{late}</a>', row), (who, row)
    # every integer shown as a link opens a list of exactly that many dossiers (distinct dossiers for
    # counts of dossiers; the control sheet counts steps, its lists the dossiers of those steps)
    links = _links(html)
    assert len(links) > 30
    for href, text in {(h, t) for h, t in links}:
        listed = await client.get(href)
        assert listed.status_code == 200, href
        if text.isdigit() and re.search(r"chi-so=(1\.3|3\.1|3\.2)&", href):  # procedure ids: the procedures
            assert len(re.findall(r'<tr data-procedure="', listed.text)) == int(text) and not _codes(listed.text)
        elif text.isdigit() and "chi-so=xu-ly" not in href:
            assert len(_codes(listed.text)) == int(text), (href, text)
    late_b = await client.get(next(h for h, _ in links if "chi-so=xu-ly" in h and "nhom=tre" in h
                                   and "can-bo=specialist" in h))
    assert _codes(late_b.text) == [codes["B"]] and f'href="/can-bo/ho-so/{codes["B"]}"' in late_b.text
    online = await client.get(f"/bao-cao/ho-so?chi-so=3.3&nhom=dat&{PERIOD}")
    assert _codes(online.text) == [codes["A"]]  # C: online but no electronic result (see 3.3 above)


async def test_a_control_sheet_figure_opens_a_list_that_repeats_it(client: httpx.AsyncClient, users: Any) -> None:
    """The officer's "5" steps on time are 3 intakes and 2 returns on 3 dossiers: the list it opens says
    5 steps on 3 dossiers, not a bare "3" under the heading of steps."""
    codes = await _world(users)
    await page_login(client, "manager")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    href = next(h for h, t in _links(_row(html, "control-table", "data-official", "officer"))
                if "nhom=dung-han" in h and t == "5")
    listed = (await client.get(href)).text
    assert re.search(r'id="list-count">5</strong> bước, thuộc <strong id="list-dossiers">3</strong> hồ sơ', listed)
    assert _codes(listed) == sorted(codes.values())
    other = (await client.get(f"/bao-cao/ho-so?chi-so=2.1&nhom=tong&{PERIOD}")).text
    assert 'id="list-count">3</strong></p>' in other and "list-dossiers" not in other


async def test_charts_are_accessible_svg_without_script(client: httpx.AsyncClient, users: Any) -> None:
    await _world(users)
    await page_login(client, "manager")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    charts = re.findall(r"<svg\b.*?</svg>", html, re.S)
    assert len(charts) == 2
    for svg in charts:
        labelled = re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="([^"]+) ([^"]+)"', svg)
        assert labelled is not None
        assert f'<title id="{labelled.group(1)}">' in svg and f'<desc id="{labelled.group(2)}">' in svg
        assert "<script" not in svg.lower() and not re.search(r"\son\w+=", svg)
    assert "<script" not in html.replace('<script src="/static/', "")  # no inline script on the page
    assert 'id="trend-table"' in html and 'id="agency-table"' in html  # the tables after the charts
    # the values printed on the bars: 2.1 = 33.33 % in October, with the page's decimal mark
    assert re.search(r">33,33<", charts[0]) and not re.search(r">33\.33<", charts[0])
    english = (await client.get("/bao-cao?lang=en&" + PERIOD)).text
    assert re.search(r">33\.33<", re.findall(r"<svg\b.*?</svg>", english, re.S)[0])
    # a month with no dossier: the empty chart says so in the page's language (pygal's text is English)
    empty = (await client.get("/bao-cao?tu-ngay=01%2F01%2F2026&den-ngay=31%2F01%2F2026")).text
    trend = re.findall(r"<svg\b.*?</svg>", empty, re.S)[0]
    assert "Chưa có dữ liệu" in trend and "No data" not in trend


async def test_exports_hold_the_page_values(client: httpx.AsyncClient, users: Any) -> None:
    codes = await _world(users)
    await page_login(client, "manager")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    r = await client.get("/bao-cao.xlsx?" + PERIOD)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["Chỉ số"]
    assert [c.value for c in sheet[1]][:3] == ["Chỉ số", "Giá trị (%)", "Điểm"]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        key = str(row[0]).split(".")[0] + "." + str(row[0]).split(".")[1].split(" ")[0]
        cell = _row(html, "indicators", "data-indicator", key)
        if isinstance(row[1], (int, float)):
            value, points = (str(Decimal(str(v)).quantize(Decimal("0.01"))).replace(".", ",") for v in row[1:3])
            assert f"{value}&nbsp;%" in cell and f">{points}/{row[3]}<" in cell  # the page: decimal comma
        else:
            assert str(row[1]).startswith("Chưa có dữ liệu") and "data-nodata" in cell
    agencies = {row[0]: row for row in book["Theo cơ quan"].iter_rows(min_row=2, values_only=True)}
    assert agencies["UBND xã X"][1] == 50.0 and agencies["UBND xã X"][2] == 2
    assert agencies[EVIL][1] == 0.0 and book["Theo cơ quan"]["A3"].data_type == "s"  # text, not a formula
    late = list(book["Hồ sơ trễ hạn"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in late) == sorted([codes["B"], codes["C"]])
    accepted = next(row[3] for row in late if row[0] == codes["B"])
    assert isinstance(accepted, datetime) and accepted.strftime("%d/%m/%Y %H:%M") in _row(
        html, "late-table", "data-dossier", codes["B"])
    assert book["Hồ sơ trễ hạn"]["D2"].number_format == "DD/MM/YYYY HH:MM"
    officials = {row[1]: row for row in book.worksheets[-1].iter_rows(min_row=2, values_only=True)}
    assert officials["specialist"][2:] == (1, 1, 0, 2)
    # CSV: BOM, Vietnamese headers, the formula-looking agency name neutralised
    r = await client.get("/bao-cao.csv?bang=co-quan&" + PERIOD)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Cơ quan" and "'" + EVIL in [row[0] for row in rows[1:]]
    assert (await client.get("/bao-cao.csv?bang=nope&" + PERIOD)).status_code == 400


async def test_a_leader_reads_the_reports_of_their_agency_only(client: httpx.AsyncClient, users: Any) -> None:
    codes = await _world(users)
    await page_login(client, "leader_x")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    assert "50,00&nbsp;%" in _row(html, "indicators", "data-indicator", "2.1")
    listed = await client.get(f"/bao-cao/ho-so?chi-so=2.1&nhom=tong&{PERIOD}")
    assert _codes(listed.text) == sorted([codes["A"], codes["B"]])
    other = await client.get(f"/bao-cao/ho-so?chi-so=tat-ca&nhom=tong&co-quan=Y&{PERIOD}")
    assert _codes(other.text) == []  # agency Y is outside the leader's scope
    english = await client.get("/bao-cao?lang=en&" + PERIOD)
    assert "Points by group" in english.text and "Processing control sheet per official" in english.text
    assert "50.00&nbsp;%" in _row(english.text, "indicators", "data-indicator", "2.1")  # English: a decimal point


def test_group_points_pool_the_indicators_of_a_group() -> None:
    def fig(key: str, value: str | None, points: str | None, max_points: int) -> reports.Figure:
        return reports.Figure(key, None if value is None else Decimal(value),
                              None if points is None else Decimal(points), max_points)

    # two indicators each scaled to the whole group (20): their mean; a split 10 + 10: their sum
    card = report_data.card({"2.1": fig("2.1", "50", "10", 20), "2.2": fig("2.2", "100", "20", 20),
                             "3.3": fig("3.3", "40", "6", 10), "3.6": fig("3.6", "80", "8", 12),
                             "5.4": fig("5.4", None, None, 18)})
    groups = {g.number: g for g in card.groups}
    assert groups["2"].points == Decimal("15.00") and groups["2"].keys == ("2.1", "2.2")
    assert groups["3"].points == Decimal("14.00")  # (6 + 8) / 22 x 22
    assert groups["5"].points is None and groups["5"].missing == ("5.4",)
    assert card.total == Decimal("29.00") and card.missing == ("1", "4", "5")


async def test_the_public_page_shows_rates_per_agency_and_is_cached(client: httpx.AsyncClient, users: Any) -> None:
    codes = await _world(users)
    app = client._transport.app  # type: ignore[attr-defined]
    now = local(31, 12)
    app.state.clock = lambda: now
    r = await client.get("/cong-khai")
    assert r.status_code == 200 and "Quý này: 01/10/2026 – 31/12/2026" in r.text
    assert "Quý trước: 01/07/2026 – 30/09/2026" in r.text
    row = re.search(r'<table[^>]*id="public-0".*?</table>', r.text, re.S).group(0)  # type: ignore[union-attr]
    x = re.search(r'<tr data-agency="UBND xã X">(.*?)</tr>', row, re.S).group(1)  # type: ignore[union-attr]
    assert "50,00&nbsp;%" in x and "100,00&nbsp;%" not in x  # on time 1/2; online 1/2 (A online, B counter)
    assert all(code not in r.text for code in codes.values()) and "Hộ kinh doanh Bình An" not in r.text
    assert "Chưa có hồ sơ" in re.search(r'id="public-1".*?</table>', r.text, re.S).group(0)  # type: ignore[union-attr]
    # a new dossier of agency X does not show before the cache expires (10 minutes), then does
    await _drive(users, "X-01", False, [local(5, 8, 30)])
    await drain()
    assert "(trên 2 hồ sơ)" in (await client.get("/cong-khai")).text
    now = local(31, 12) + timedelta(minutes=11)
    assert "(trên 3 hồ sơ)" in (await client.get("/cong-khai")).text


def test_a_running_period_is_counted_up_to_today() -> None:
    quarter = reports.Period(date(2026, 10, 1), date(2026, 12, 31))
    today = date(2026, 12, 3)
    assert report_data.so_far(quarter, today) == reports.Period(quarter.start, today)
    assert report_data.so_far(quarter, date(2027, 1, 5)) == quarter  # over: unchanged
    assert report_data.so_far(quarter, date(2026, 9, 30)) == quarter  # not begun: unchanged


async def test_dossiers_placed_in_no_agency_have_their_own_line(client: httpx.AsyncClient, users: Any) -> None:
    """An online dossier whose procedure names no agency of the province (no reception point) is
    placed nowhere: the per-agency tables give it a line "Chưa xác định cơ quan" so they add up."""
    await _world(users)
    await _drive(users, "", False, [local(5, 8, 30)])  # D: online, no reception point, accepted
    await drain()
    await page_login(client, "manager")
    html = (await client.get("/bao-cao?" + PERIOD)).text
    table = re.search(r'<table[^>]*id="agency-table".*?</table>', html, re.S).group(0)  # type: ignore[union-attr]
    unplaced = _row(html, "agency-table", "data-row", "")
    assert "Chưa xác định cơ quan" in unplaced and "/bao-cao/ho-so" not in unplaced  # no filter reaches them
    figures = await reports.scorecard(reports.Period(date(2026, 10, 1), date(2026, 10, 31)), rt().calendars.value)
    for key in report_data.HEADLINE:  # the lines add up to the scorecard's count
        shown = re.findall(rf'data-count="{key}">(?:<a[^>]*>|<span[^>]*>)(\d+)<', table)
        assert sum(map(int, shown)) == figures[key].count > 0, (key, shown)
    r = await client.get("/bao-cao.csv?bang=co-quan&" + PERIOD)
    assert "Chưa xác định cơ quan" in [row[0] for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig")))]
    assert "No agency" in (await client.get("/bao-cao?lang=en&" + PERIOD)).text
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.clock = lambda: local(31, 12)
    public = (await client.get("/cong-khai")).text
    line = re.search(r'<tr data-agency="Chưa xác định cơ quan">(.*?)</tr>', public, re.S)
    assert line is not None and "(trên 1 hồ sơ)" in line.group(1), public
