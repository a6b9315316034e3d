"""Issue 13 acceptance, on a real server with real mail, SMS and portal: a citizen in Chromium (360 px)
applies with e-mail and SMS chosen; the e-mail with the code and tracking link arrives at a local SMTP
server (aiosmtpd), the SMS at a local gateway (tests/sink.py Sink); staff ask for a supplement (API)
and that message arrives; the citizen uploads the supplement on the tracking page; staff finish and
return the result and the result-ready message arrives; the fake national portal (FakePortal) holds the
same status history as the dossier. The embedded scheduler delivers the outbox; the catcher is off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
from aiosmtpd.controller import Controller

from tests.browser.conftest import Watch, login, new_page, running_server
from tests.browser.test_citizen_journey import PDF, _fill_birth_application
from tests.factories import HAPPY_PATH, PASSWORD, free_port
from tests.integrations.test_notify import Inbox, body_of
from tests.sink import FakePortal, Sink

EMAIL, PHONE = "tran.thi.hoa@example.vn", "0912345678"  # PHONE: _fill_birth_application's requester_phone
ASKED = "Bản sao giấy chứng nhận kết hôn"
T = TypeVar("T")


async def arrives(found: Callable[[], T], what: str, within: float = 30) -> T:
    """Poll (small sleeps, bounded) until `found()` is truthy."""
    deadline = time.monotonic() + within
    while not (value := found()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: nothing after {within} s")
        await asyncio.sleep(0.1)
    return value


def unique(statuses: list[int]) -> list[int]:
    """The sequence without immediate repeats (a snapshot is sent per event, several per status)."""
    return [s for i, s in enumerate(statuses) if i == 0 or statuses[i - 1] != s]


async def test_a_citizen_is_told_by_email_and_sms_at_each_step_and_the_portal_follows(
        browser: Any, watch: Watch, tmp_path: Path) -> None:
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    data = tmp_path / "server"
    data.mkdir()
    api = httpx.AsyncClient()
    try:
        with Sink() as gateway, FakePortal() as portal, running_server(
                data, MOTCUA_EMBEDDED_SCHEDULER="1", MOTCUA_NOTIFY_CATCHER="", MOTCUA_SMTP_HOST="127.0.0.1",
                MOTCUA_SMTP_PORT=str(port), MOTCUA_SMTP_STARTTLS="0", MOTCUA_SMS_URL=gateway.url,
                MOTCUA_PORTAL_URL=portal.url) as server:
            api.base_url = httpx.URL(server)

            def mail(code: str, subject: str) -> list[EmailMessage]:
                return [m for m in inbox.messages if m["Subject"] == subject.format(code)]

            def sms(code: str, words: str) -> list[dict[str, Any]]:
                with gateway.lock:
                    return [r for r in gateway.received if r["ref"].startswith(code + ":") and words in r["text"]]

            tokens: dict[str, dict[str, str]] = {}

            async def as_staff(username: str) -> dict[str, str]:
                if username not in tokens:  # one sign-in each (password hashing is slow)
                    r = await api.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
                    tokens[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
                return tokens[username]

            async def settled(code: str) -> dict[str, Any]:
                """The dossier (as staff see it) once the outbox delivered everything (no dead letter)."""
                admin, deadline = await as_staff("admin"), time.monotonic() + 30
                while True:
                    queue = (await api.get("/api/v1/outbox", headers=admin)).json()["subscribers"]
                    assert not any(s["dead"] for s in queue), queue
                    if all(s["pending"] == s["delivering"] == 0 for s in queue):
                        break
                    assert time.monotonic() < deadline, queue
                    await asyncio.sleep(0.1)
                return dict((await api.get(f"/api/v1/dossiers/{code}", headers=await as_staff("officer"))).json())

            async def task(code: str, element_id: str, username: str, values: Any) -> None:
                headers = await as_staff(username)
                mine = [t for t in (await api.get("/api/v1/tasks", headers=headers)).json()["items"]
                        if t["dossier"] == code]
                assert [t["element_id"] for t in mine] == [element_id]
                assert (await api.post(f"/api/v1/tasks/{mine[0]['id']}/claim", headers=headers)).status_code == 200
                r = await api.post(f"/api/v1/tasks/{mine[0]['id']}/complete", headers=headers, json={"data": values})
                assert r.status_code == 200, r.text
                await settled(code)

            # the citizen applies at 360 px, e-mail and SMS chosen
            page = await new_page(browser, watch, width=360, height=740)
            await login(page, server, "citizen")
            await page.goto(server + "/nop-ho-so/1.001193")
            await _fill_birth_application(page)
            await page.fill("[name='requester_email']", EMAIL)
            await page.set_input_files("[name='birth_certificate']", files=[
                {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            await page.check("#notify-email")
            await page.check("#notify-sms")
            await page.screenshot(path=str(tmp_path / "apply-360.png"), full_page=True)
            await page.click("#submit")
            await page.wait_for_load_state("load")
            assert "/xong/" in page.url, await page.inner_text("main")
            code = page.url.rsplit("/", 1)[1]
            [first] = await arrives(lambda: mail(code, "Hồ sơ {} đã được nộp"), "submitted e-mail")
            assert first["To"] == EMAIL and f"{server}/tra-cuu?ma={code}" in body_of(first)
            [text] = await arrives(lambda: sms(code, code), "submitted SMS")
            assert text["to"] == PHONE and f"/tra-cuu?ma={code}" in text["text"]
            await settled(code)

            # staff accept, then the specialist asks for a supplement: the citizen is told
            intake, *rest = HAPPY_PATH
            await task(code, *intake)
            await arrives(lambda: mail(code, "Hồ sơ {} đã được tiếp nhận"), "accepted e-mail")
            r = await api.post(f"/api/v1/dossiers/{code}/request-supplement", headers=await as_staff("specialist"),
                               json={"reasons": [ASKED]})
            assert r.status_code == 200, r.text
            [asked] = await arrives(lambda: mail(code, "Hồ sơ {} cần bổ sung"), "supplement e-mail")
            assert ASKED in body_of(asked)
            await arrives(lambda: sms(code, "cần bổ sung"), "supplement SMS")

            # the citizen uploads the supplement on the tracking page
            await page.goto(f"{server}/tra-cuu/{code}")
            assert ASKED in await page.inner_text("#supplement")
            await page.set_input_files("#files", files=[
                {"name": "giay-ket-hon.pdf", "mimeType": "application/pdf", "buffer": PDF}])
            async with page.expect_navigation():
                await page.click(f"form[action='/tra-cuu/{code}/bo-sung'] button[type=submit]")
            assert "Đã gửi giấy tờ bổ sung" in await page.inner_text("#supplement-notice")
            assert await page.evaluate("document.documentElement.scrollWidth") <= 360
            await page.screenshot(path=str(tmp_path / "tracking-supplement-sent-360.png"), full_page=True)

            # staff record it, finish and return the result: the result-ready message arrives
            r = await api.post(f"/api/v1/dossiers/{code}/receive-supplement", headers=await as_staff("officer"),
                               json={})
            assert r.status_code == 200, r.text
            await settled(code)
            for element_id, username, values in rest:
                await task(code, element_id, username, values)
            await arrives(lambda: mail(code, "Hồ sơ {} đã có kết quả"), "result e-mail")
            await arrives(lambda: sms(code, "đã có kết quả"), "result SMS")
            await page.goto(f"{server}/tra-cuu/{code}")
            await page.screenshot(path=str(tmp_path / "tracking-returned-360.png"), full_page=True)
            await page.context.close()

            # the portal holds the same status history as the dossier
            final = await settled(code)
    finally:
        await api.aclose()
        smtp.stop()
    # the status after each command (the portal gets snapshots: accept-then-route lands as one status)
    after: dict[int, int] = {}
    for e in final["history"]:
        if e["action"] == "status_changed":
            after[e["revision"]] = e["details"]["to_status"]
    statuses = [1] + [after[r] for r in sorted(after)]
    assert unique(portal.history[code]) == unique(statuses), (portal.history, final["history"])
    assert statuses[-1] == final["lifecycle"]["code"] == 10 and portal.records[code]["PhienBan"] == final["revision"]
    assert set(portal.applied.values()) == {1} and portal.stale == 0
    # each message once: e-mails by subject, SMS by reference
    subjects = [m["Subject"].replace(code, "{}") for m in inbox.messages]
    assert subjects == ["Hồ sơ {} đã được nộp", "Hồ sơ {} đã được tiếp nhận", "Hồ sơ {} cần bổ sung",
                        "Hồ sơ {} đã có kết quả", "Hồ sơ {} đã trả kết quả"][:len(subjects)], subjects
    refs = [r["ref"] for r in gateway.received]
    assert len(refs) == len(set(refs)) == len(subjects) and {r["to"] for r in gateway.received} == {PHONE}
