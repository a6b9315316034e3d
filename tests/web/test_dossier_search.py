"""/quan-ly/ho-so, /quan-ly/ho-so.csv and GET /api/v1/dossiers: the managers' dossier search."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from engine import accounts, dossiers
from engine.models import HumanTask
from tests.factories import APPLICATIONS, CODES, PASSWORD, page_login, publish_shipped, rt, token

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội


async def _three(users: dict[str, Any]) -> list[str]:
    """Three household dossiers a day apart; the first accepted (due 3 working days later)."""
    await publish_shipped("household-business")
    codes = []
    for i, name in enumerate(["Lê Văn Nam", "=HYPERLINK(\"x\")", "Đỗ Thị Lan"]):
        data = {**APPLICATIONS["household-business"], "owner_full_name": name}
        codes.append((await dossiers.submit(rt(), CODES["household-business"], data, now=T0 + timedelta(days=i),
                                            user=users["citizen"])).code)
    task = await HumanTask.get(dossier__code=codes[0], state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"],
                                 T0 + timedelta(hours=1))
    return codes


def _late(client: httpx.AsyncClient) -> None:
    client._transport.app.state.clock = lambda: T0 + timedelta(days=20)  # type: ignore[attr-defined]


async def test_the_page_finds_late_dossiers_and_pages_by_keyset(client: httpx.AsyncClient, users: dict) -> None:
    codes = await _three(users)
    await accounts.create_user("manager", PASSWORD, "manager")
    await page_login(client, "manager")
    _late(client)
    page = (await client.get("/quan-ly/ho-so", params={"overdue": "1"})).text
    assert f'data-dossier="{codes[0]}"' in page and f'data-dossier="{codes[1]}"' not in page
    assert f'href="/can-bo/ho-so/{codes[0]}"' in page and "Quá hạn" in page and "02/11/2026" in page
    page = (await client.get("/quan-ly/ho-so", params={"name": "do thi lan"})).text
    assert f'data-dossier="{codes[2]}"' in page and f'data-dossier="{codes[0]}"' not in page
    # every dossier, 50 a page: here all three, newest first, no next page
    page = (await client.get("/quan-ly/ho-so")).text
    assert [page.index(f'data-dossier="{c}"') for c in reversed(codes)] == sorted(
        page.index(f'data-dossier="{c}"') for c in codes)
    assert 'id="next-page"' not in page


async def test_bad_filters_answer_a_vietnamese_page_that_keeps_them(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "officer")
    r = await client.get("/quan-ly/ho-so", params={"received_from": "31/02/2026", "name": "Nam", "status": "42"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy" in r.text and "Trạng thái không hợp lệ" in r.text
    assert 'value="31/02/2026"' in r.text and 'value="Nam"' in r.text
    r = await client.get("/quan-ly/ho-so.csv", params={"accepted_to": "2026-13-01"})
    assert r.status_code == 400 and "Ngày không hợp lệ" in r.text and r.headers["content-type"].startswith("text/html")
    r = await client.get("/quan-ly/ho-so", params={"cursor": "nonsense"})
    assert r.status_code == 422 and "<html" in r.text and "Traceback" not in r.text


async def test_citizens_may_not_search(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "citizen")
    assert (await client.get("/quan-ly/ho-so")).status_code == 403
    assert (await client.get("/quan-ly/ho-so.csv")).status_code == 403
    r = await client.get("/api/v1/dossiers", headers=await token(client, "citizen"))
    assert r.status_code == 403 and r.json()["error"]["code"]


async def test_the_csv_opens_in_excel_with_vietnamese_headers_words_and_local_dates(client: httpx.AsyncClient,
                                                                                  users: dict) -> None:
    codes = await _three(users)
    await page_login(client, "officer")
    _late(client)
    r = await client.get("/quan-ly/ho-so.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã hồ sơ", "Thủ tục"] and rows[0][-1] == "Trễ hạn"
    assert [row[0] for row in rows[1:]] == list(reversed(codes))
    first = rows[3]
    assert first[4] == "Lê Văn Nam" and first[5] == "Đang xử lý" and first[-1] == "Có"
    assert first[7] == "02/11/2026" and first[8] == "02/11/2026" and first[9] == "05/11/2026"
    assert rows[2][4] == "'=HYPERLINK(\"x\")"  # never a formula in Excel
    assert rows[1][5] == "Mới đăng ký" and rows[1][-1] == "Không trễ hạn"
    english = list(csv.reader(io.StringIO((await client.get("/quan-ly/ho-so.csv", params={"lang": "en"}))
                                          .content.decode("utf-8-sig"))))
    assert english[0][-1] == "Late" and english[3][5] == "In process" and english[3][-1] == "Yes"
    late = (await client.get("/quan-ly/ho-so.csv", params={"overdue": "1"})).content.decode("utf-8-sig")
    assert [row[0] for row in list(csv.reader(io.StringIO(late)))[1:]] == [codes[0]]


async def test_the_api_searches_with_the_same_filters_and_a_cursor(client: httpx.AsyncClient, users: dict) -> None:
    codes = await _three(users)
    officer = await token(client, "officer")
    _late(client)
    first = (await client.get("/api/v1/dossiers", params={"limit": 2}, headers=officer)).json()
    assert [d["code"] for d in first["items"]] == [codes[2], codes[1]] and first["next_cursor"]
    second = (await client.get("/api/v1/dossiers", params={"limit": 2, "cursor": first["next_cursor"]},
                               headers=officer)).json()
    assert [d["code"] for d in second["items"]] == [codes[0]] and second["next_cursor"] is None
    assert second["items"][0]["overdue"] is True and second["items"][0]["lifecycle"]["code"] == 4
    found = (await client.get("/api/v1/dossiers", params={"overdue": "true", "received_from": "2026-11-02",
                                                           "received_to": "02/11/2026"}, headers=officer)).json()
    assert [d["code"] for d in found["items"]] == [codes[0]]
    r = await client.get("/api/v1/dossiers", params={"received_from": "yesterday", "limit": "0"}, headers=officer)
    assert r.status_code == 422
    assert set(r.json()["error"]["details"]["fields"]) == {"received_from", "limit"}


async def test_trang_sau_follows_the_keyset_to_the_51st_dossier(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    codes = [(await dossiers.submit(rt(), CODES["birth-registration"], APPLICATIONS["birth-registration"],
                                    now=T0 + timedelta(minutes=i), user=users["citizen"])).code for i in range(51)]
    await page_login(client, "officer")
    first = (await client.get("/quan-ly/ho-so", params={"procedure": CODES["birth-registration"]})).text
    assert first.count('<tr data-dossier="') == 50 and f'data-dossier="{codes[0]}"' not in first
    link = re.search(r'<a href="([^"]+)" id="next-page"', first)
    assert link and "procedure=1.001193" in link.group(1)
    second = (await client.get(html.unescape(link.group(1)))).text
    assert second.count('<tr data-dossier="') == 1 and f'data-dossier="{codes[0]}"' in second
    assert 'id="next-page"' not in second
