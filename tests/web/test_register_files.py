"""The Form 07 register (/quan-ly/so-theo-doi) as CSV and XLSX, both databases: the same dossiers and
values as the HTML register, Vietnamese headers, dd/mm/yyyy, instants as real date cells, a
formula-looking applicant name kept as text, every export in the access log."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any

import httpx
import openpyxl

from engine import document_access, dossiers
from engine.models import HumanTask
from tests.factories import APPLICATIONS, accepted_household, page_login, rt

PERIOD = "tu-ngay=01/03/2026&den-ngay=31/03/2026"
ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local
EVIL = '=HYPERLINK("http://x","y")'
HEADERS = [
    "TT",
    "Mã hồ sơ",
    "Thủ tục",
    "Tên tổ chức, cá nhân",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận",
    "Hẹn trả kết quả",
    "Yêu cầu bổ sung",
    "Có kết quả",
    "Đã trả kết quả",
    "Trạng thái",
]


async def _register(users: dict[str, Any]) -> list[Any]:
    first = await accepted_household(users, ACCEPTED)
    application = {**APPLICATIONS["household-business"], "owner_full_name": EVIL}
    made = await dossiers.submit(rt(), "2.000720", application, now=ACCEPTED.replace(hour=3), user=users["citizen"])
    task = await HumanTask.get(dossier_id=made.id, state="ready")
    second = await dossiers.complete_task(
        rt(), task.id, {"intake_decision": "accept"}, users["officer"], ACCEPTED.replace(hour=3)
    )
    await accepted_household(users, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))  # April: outside the period
    return [first, second]


def _html_rows(html: str) -> list[list[str]]:
    rows = re.findall(r'<tr data-code="[^"]+">(.*?)</tr>', html, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", c).replace("&#34;", '"').replace("&quot;", '"')
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


async def test_the_register_as_csv_and_xlsx_holds_the_page_values(client: httpx.AsyncClient, users: Any) -> None:
    made = await _register(users)
    await page_login(client, "officer")
    page = await client.get("/quan-ly/so-theo-doi?" + PERIOD)
    assert f'href="/quan-ly/so-theo-doi.csv?{PERIOD.replace("/", "%2F").replace("&", "&amp;")}' in page.text
    assert 'id="register-xlsx"' in page.text
    shown = _html_rows(page.text)
    assert [r[1] for r in shown] == [d.code for d in made]

    r = await client.get("/quan-ly/so-theo-doi.xlsx?" + PERIOD)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="mau-07-so-theo-doi-20260301-20260331.xlsx"' in r.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == HEADERS
    lines = list(sheet.iter_rows(min_row=2))
    assert len(lines) == len(shown) == 2
    for line, html in zip(lines, shown, strict=True):
        values = ["" if c.value is None else c.value for c in line]  # an empty text cell reads back as None
        assert values[0] == int(html[0]) and values[1:5] == html[1:5] and values[10] == html[10]
        received, due = line[5], line[6]
        assert received.is_date and isinstance(received.value, datetime)
        assert received.number_format == "DD/MM/YYYY HH:MM"
        assert received.value.strftime("%H:%M ngày %d/%m/%Y") == html[5]  # the page: "09:00 ngày 02/03/2026"
        assert due.is_date and due.number_format == "DD/MM/YYYY" and due.value.time() == datetime.min.time()
        assert due.value.strftime("%d/%m/%Y") in html[6]  # the page: "24:00 ngày 05/03/2026" (end of that day)
    assert lines[0][5].value == datetime(2026, 3, 2, 9, 0)  # noqa: DTZ001 (local wall-clock time, as Excel keeps it)
    assert lines[1][3].value == EVIL and lines[1][3].data_type == "s"  # text, never a formula

    r = await client.get("/quan-ly/so-theo-doi.csv?" + PERIOD)
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and [row[1] for row in rows[1:]] == [d.code for d in made]
    assert rows[1][5] == "02/03/2026 09:00" and re.fullmatch(r"\d\d/\d\d/2026", rows[1][6])
    assert rows[1][6] == lines[0][6].value.strftime("%d/%m/%Y")
    assert rows[2][3] == "'" + EVIL  # neutralised as /quan-ly/ho-so.csv does

    reads = await document_access.reads_of([d.id for d in made])  # two exports of personal data, logged
    assert sorted((r.username, r.purpose) for r in reads) == [("officer", "export")] * 4
    english = await client.get("/quan-ly/so-theo-doi.csv?lang=en&" + PERIOD)
    assert next(csv.reader(io.StringIO(english.content.decode("utf-8-sig"))))[:2] == ["No.", "Dossier code"]
    bad = await client.get("/quan-ly/so-theo-doi.xlsx?tu-ngay=31/02/2026")
    assert bad.status_code == 400 and "text/html" in bad.headers["content-type"]  # the form says what is wrong
    await page_login(client, "citizen")
    assert (await client.get("/quan-ly/so-theo-doi.csv?" + PERIOD)).status_code == 403
