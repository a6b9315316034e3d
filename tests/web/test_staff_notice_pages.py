"""Staff notices on the pages and the API: the header badge, the list, mark read (CSRF), mark all
read, the English wording, and who may not see them (citizens, administrators, another agency)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from engine import accounts, agencies, outbox
from engine.models import HumanTask
from engine.notice_digest import Digest
from engine.settings import Settings
from tests.conftest import PASSWORD
from tests.factories import accepted_household, page_csrf, page_login, rt, token
from web.notice_mail import compose_and_send

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
NOW = ACCEPTED + timedelta(minutes=10)


async def delivered(client: httpx.AsyncClient, users: dict[str, Any], at: datetime = ACCEPTED) -> str:
    """An accepted dossier with its notices delivered (the app's clock at NOW): its code."""
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    dossier = await accepted_household(users, at)
    for _ in range(5):
        await outbox.dispatch(rt(), max(NOW, at + timedelta(minutes=1)))
    return str(dossier.code)


def badge(page: str) -> str | None:
    found = re.search(r'id="notices-badge">(\d+)', page)
    return found.group(1) if found else None


async def test_badge_list_open_mark_read_and_mark_all_read(client: httpx.AsyncClient, users: dict[str, Any]) -> None:
    code = await delivered(client, users)
    task = await HumanTask.get(dossier__code=code, state="ready")
    await page_login(client, "specialist")
    inbox = (await client.get("/can-bo")).text
    assert badge(inbox) == "1" and 'href="/can-bo/thong-bao"' in inbox
    page = (await client.get("/can-bo/thong-bao")).text
    assert f"Việc mới “Thẩm định hồ sơ” của hồ sơ {code} đã đến hộp việc của vai trò Chuyên viên xử lý." in page
    notice_id = re.search(r'data-notice="(\d+)"', page)
    assert notice_id and "Chưa đọc" in page
    r = await client.post(f"/can-bo/thong-bao/{notice_id.group(1)}/da-doc", data={"open": "/can-bo/viec/x"})
    assert r.status_code == 400  # no CSRF token: refused (the expired-form page), nothing marked
    assert badge((await client.get("/can-bo")).text) == "1"
    csrf = await page_csrf(client, "/can-bo/thong-bao")
    r = await client.post(f"/can-bo/thong-bao/{notice_id.group(1)}/da-doc",
                          data={"csrf_token": csrf, "open": f"/can-bo/viec/{task.id}"})
    assert r.status_code == 303 and r.headers["location"] == f"/can-bo/viec/{task.id}"
    assert badge((await client.get("/can-bo")).text) is None
    await delivered(client, users, ACCEPTED + timedelta(minutes=1))
    assert badge((await client.get("/can-bo")).text) == "1"
    r = await client.post("/can-bo/thong-bao/da-doc-het", data={"csrf_token": csrf})
    assert r.status_code == 303
    page = (await client.get("/can-bo/thong-bao")).text
    assert badge(page) is None and "Chưa đọc" not in page and page.count("data-notice=") == 2
    assert "Không có thông báo nào." in (await client.get("/can-bo/thong-bao?chua-doc=1")).text


async def test_api_lists_in_english_marks_read_and_refuses_others(
        client: httpx.AsyncClient, users: dict[str, Any]) -> None:
    code = await delivered(client, users)
    specialist = await token(client, "specialist")
    r = await client.get("/api/v1/notices?lang=en", headers=specialist)
    assert r.status_code == 200
    body = r.json()
    assert body["unread"] == 1 and len(body["items"]) == 1
    item = body["items"][0]
    assert item["text"] == (f"New task “Thẩm định hồ sơ” of dossier {code} arrived in the inbox of the role "
                            "Specialist.")
    assert item["for_role"] == "specialist" and item["href"].startswith("/can-bo/viec/") and not item["read"]
    r = await client.post(f"/api/v1/notices/{item['id']}/read", headers=specialist)
    assert r.status_code == 200
    assert (await client.get("/api/v1/notices?unread=1", headers=specialist)).json() == {"unread": 0, "items": []}
    assert (await client.post("/api/v1/notices/read-all", headers=specialist)).json() == {"marked": 0}
    for who in ("citizen", "admin"):
        headers = await token(client, who)
        assert (await client.get("/api/v1/notices", headers=headers)).status_code == 403
        assert (await client.post(f"/api/v1/notices/{item['id']}/read", headers=headers)).status_code == 403
    await agencies.save_agency({"code": "000.01.01.H00", "name": "Ủy ban nhân dân xã Đông Anh", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa", "parent_code": ""})
    await accounts.create_user("xa-specialist", PASSWORD, "staff", roles=["specialist"], agency="000.01.01.H00")
    other = await token(client, "xa-specialist")
    assert (await client.get("/api/v1/notices", headers=other)).json() == {"unread": 0, "items": []}
    assert (await client.post(f"/api/v1/notices/{item['id']}/read", headers=other)).status_code == 404


async def test_a_citizen_gets_no_badge_and_no_notices_page(client: httpx.AsyncClient, users: dict[str, Any]) -> None:
    await delivered(client, users)
    await page_login(client, "citizen")
    assert 'id="notices-link"' not in (await client.get("/tai-khoan")).text
    r = await client.get("/can-bo/thong-bao")
    assert r.status_code == 403 and "Thẩm định" not in r.text


async def test_the_digest_command_words_each_members_new_notices_once(
        client: httpx.AsyncClient, users: dict[str, Any], db: Settings) -> None:
    code = await delivered(client, users, datetime.now(UTC) - timedelta(minutes=5))
    sent: list[Digest] = []

    async def send(digest: Digest) -> None:
        sent.append(digest)

    for name in ("officer", "specialist"):
        await accounts.update_user(users[name].id, full_name="", kind="staff", roles=users[name].roles, agency="",
                                   email=f"{name}@example.vn")
    assert len((await compose_and_send(db, send)).sent) == 2  # the intake task's officer and the specialist
    specialist = next(d for d in sent if d.username == "specialist")
    assert specialist.subject == "Motcua: 1 thông báo mới"
    assert f"Việc mới “Thẩm định hồ sơ” của hồ sơ {code}" in specialist.text and "/can-bo/viec/" in specialist.text
    assert (await compose_and_send(db, send)).sent == []  # already sent
