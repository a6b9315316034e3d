"""Staff notice digests by e-mail (web/notice_mail.py): `motcua notices digest` run for real against a
real local SMTP server (aiosmtpd) with the notices' wording and absolute links; an account without an
address skipped and not recorded; a failed send not recorded; the worker's daily and urgent jobs
(the urgent one mails the head of the one-stop unit on an escalation); the address on the admin pages."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiosmtpd.controller import Controller

from engine import accounts, dossiers, timers
from engine.models import CaughtMessage, Dossier, HumanTask, User
from engine.scheduler import TimerScheduler
from engine.settings import Settings
from tests.factories import PASSWORD, accepted_household, free_port, page_csrf, page_login, rt
from tests.integrations.test_notify import Inbox, body_of
from tests.web.test_cli_demo import ROOT, _env
from tests.web.test_staff_notice_pages import delivered
from web import notice_mail

PUBLIC = "https://dvc.example.vn"


async def with_email(user: Any, email: str) -> None:
    await accounts.update_user(user.id, full_name=user.full_name, kind=user.kind, roles=user.roles,
                               agency=user.agency, email=email)


def command(settings: Settings, port: int, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`motcua notices digest` in its own process, on the test's database, mailing to 127.0.0.1:port."""
    env = _env(tmp_path / "data", DATABASE_URL=settings.database_url, MOTCUA_SECRET_KEY="test-secret",
               MOTCUA_SMTP_HOST="127.0.0.1", MOTCUA_SMTP_PORT=str(port), MOTCUA_SMTP_STARTTLS="0",
               MOTCUA_SMTP_FROM="motcua@tinh.gov.vn", MOTCUA_PUBLIC_URL=PUBLIC)
    return subprocess.run([sys.executable, "-m", "web.cli", "notices", "digest"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


async def test_the_command_mails_the_digest_with_links_and_skips_accounts_without_an_address(
        client: httpx.AsyncClient, users: dict[str, Any], db: Settings, tmp_path: Path) -> None:
    code = await delivered(client, users, datetime.now(UTC) - timedelta(minutes=5))
    task = await HumanTask.get(dossier__code=code, state="ready")
    await with_email(users["specialist"], "chuyen.vien@example.vn")
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = replace(db, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, public_url=PUBLIC)
    try:
        first = await asyncio.to_thread(command, db, port, tmp_path)
        again = notice_mail.report(await notice_mail.by_email(settings))  # the same sender, in this process
        await with_email(users["officer"], "mot.cua@example.vn")  # given an address: his digest goes next time
        third = notice_mail.report(await notice_mail.by_email(settings))
    finally:
        smtp.stop()
    assert first.returncode == 0, first.stderr
    assert "1 digest(s) sent, 1 skipped (no e-mail address), 0 failed" in first.stdout
    assert "skipped: officer" in first.stdout
    assert again.startswith("0 digest(s) sent, 1 skipped")  # the specialist's was recorded; the officer's was not
    assert third.startswith("1 digest(s) sent, 0 skipped")
    assert [m["To"] for m in inbox.messages] == ["chuyen.vien@example.vn", "mot.cua@example.vn"]
    mail = inbox.messages[0]
    assert mail["Subject"] == "Motcua: 1 thông báo mới" and mail["From"] == "motcua@tinh.gov.vn"
    text = body_of(mail)
    assert f"Việc mới “Thẩm định hồ sơ” của hồ sơ {code}" in text and f"{PUBLIC}/can-bo/viec/{task.id}" in text
    assert code in body_of(inbox.messages[1])


async def test_a_failed_send_is_not_recorded_and_goes_next_time(
        client: httpx.AsyncClient, users: dict[str, Any], db: Settings) -> None:
    await delivered(client, users, datetime.now(UTC) - timedelta(minutes=5))
    await with_email(users["specialist"], "chuyen.vien@example.vn")
    port = free_port()
    settings = replace(db, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    down = await notice_mail.by_email(settings)  # nobody listens on the port
    assert [d.username for d in down.failed] == ["specialist"] and not down.sent
    assert "failed: specialist" in notice_mail.report(down)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        up = await notice_mail.by_email(settings)
    finally:
        smtp.stop()
    assert [d.username for d in up.sent] == ["specialist"] and len(inbox.messages) == 1
    with pytest.raises(notice_mail.NoMailer):
        await notice_mail.by_email(replace(db, smtp_host="", notify_catcher=False))


async def test_the_worker_jobs_mail_the_daily_digest_and_escalations_to_the_head_at_once(
        db: Settings, users: dict[str, Any]) -> None:
    accepted = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    dossier = await accepted_household(users, accepted)
    head = await accounts.create_user("truongbp", PASSWORD, "staff", roles=["one_stop_head"],
                                      email="truong.bp@example.vn")
    await with_email(users["specialist"], "chuyen.vien@example.vn")
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.claim(rt(), task.id, users["specialist"], accepted)
    due = (await Dossier.get(id=dossier.id)).due_adjusted_at
    assert due is not None
    late = due + timedelta(seconds=1)
    scheduler = TimerScheduler(rt(), clock=lambda: late + timedelta(minutes=1))
    assert notice_mail.schedule(scheduler, replace(db, notify_catcher=True))  # the demo mailbox
    assert not notice_mail.schedule(TimerScheduler(rt()), replace(db, notify_catcher=False, smtp_host=""))
    daily = scheduler.scheduler.get_job(notice_mail.DAILY_JOB)
    urgent = scheduler.scheduler.get_job(notice_mail.URGENT_JOB)
    assert str(daily.trigger) == "cron[hour='7', minute='30']"
    assert daily.trigger.timezone == ZoneInfo("Asia/Ho_Chi_Minh")
    assert urgent.trigger.interval == timedelta(seconds=notice_mail.URGENT_SECONDS)
    await urgent.func()  # no escalation yet: nothing
    assert await CaughtMessage.all().count() == 0
    await timers.fire_due(rt(), late)
    from tests.engine.test_staff_notices import drain

    await drain(late)
    await urgent.func()
    caught = await CaughtMessage.all().order_by("id")
    assert [c.recipient for c in caught] == [head.email]  # only the head, at once
    assert "Báo cáo Trưởng Bộ phận Một cửa" in caught[0].text and dossier.code in caught[0].text
    await urgent.func()  # nothing new
    await daily.func()  # the specialist's overdue and task notices; the head already has his
    caught = await CaughtMessage.all().order_by("id")
    assert [c.recipient for c in caught] == [head.email, "chuyen.vien@example.vn"]
    assert (await User.get(id=head.id)).email == "truong.bp@example.vn"


async def test_the_admin_pages_save_check_and_mask_the_address(
        client: httpx.AsyncClient, users: dict[str, Any]) -> None:
    await page_login(client, "admin")
    csrf = await page_csrf(client, "/quan-tri/nguoi-dung/moi")
    form = {"csrf_token": csrf, "username": "canbo2", "password": PASSWORD, "full_name": "Trần Thị Bình",
            "kind": "staff", "roles": ["one_stop"], "agency": "", "email": "binh@"}
    r = await client.post("/quan-tri/nguoi-dung/moi", data=form)
    assert r.status_code == 422 and "Nhập địa chỉ thư điện tử đúng định dạng" in r.text and 'value="binh@"' in r.text
    assert not await User.filter(username="canbo2").exists()
    r = await client.post("/quan-tri/nguoi-dung/moi", data={**form, "email": " tran.binh@example.vn "})
    assert r.status_code == 303
    made = await User.get(username="canbo2")
    assert made.email == "tran.binh@example.vn"
    listing = (await client.get("/quan-tri/nguoi-dung?q=canbo2")).text
    assert "t***@example.vn" in listing and "tran.binh@example.vn" not in listing
    assert 'value="tran.binh@example.vn"' in (await client.get(f"/quan-tri/nguoi-dung/{made.id}")).text
    edit = {"csrf_token": csrf, "full_name": "Trần Thị Bình", "kind": "staff", "roles": ["one_stop"], "agency": ""}
    r = await client.post(f"/quan-tri/nguoi-dung/{made.id}", data={**edit, "email": "a b@example.vn"})
    assert r.status_code == 422 and (await User.get(id=made.id)).email == "tran.binh@example.vn"
    r = await client.post(f"/quan-tri/nguoi-dung/{made.id}?lang=en", data={**edit, "email": "nope"})
    assert r.status_code == 422 and "Optional: the daily digest of notices is sent to this address." in r.text
    # the shared form macros are drawn in the page's language too (imported with the page's context)
    assert "There is a problem" in r.text and "Có lỗi cần sửa" not in r.text
    r = await client.post(f"/quan-tri/nguoi-dung/{made.id}", data={**edit, "email": ""})
    assert r.status_code == 303 and (await User.get(id=made.id)).email == ""
