"""Staff notice digests by e-mail: the one sender of `motcua notices digest` and of the worker's jobs.

`compose_and_send(settings, send)` runs engine.notice_digest.send_digests with the site's wording
(web/staff/notice_text.py) and absolute links (MOTCUA_PUBLIC_URL); `by_email(settings)` hands each
digest to the process's mailer (web.notify_pages.mailer: the demo catcher, else SMTP). Accounts
without an e-mail address are skipped; a digest is recorded only after its e-mail went (a failed
one comes back next time). `schedule(scheduler, settings)` adds the worker's jobs: every day at
07:30 Vietnam time, and every URGENT_SECONDS an urgent digest to the heads of the one-stop unit
when a new escalation notice appeared (one indexed query when none did)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from engine import notice_digest
from engine.notice_digest import Digest, Run
from engine.settings import Settings
from engine.workdays import LOCAL_TZ
from integrations.mail import Message
from web import notify_pages
from web.staff.notice_text import link, phrase_for, role_names

if TYPE_CHECKING:
    from engine.scheduler import TimerScheduler

log = logging.getLogger("motcua.digests")
DAILY_JOB, URGENT_JOB = "motcua-notice-digest", "motcua-notice-digest-urgent"
DAILY_AT = (7, 30)  # hour, minute in Asia/Ho_Chi_Minh: before the offices open
URGENT_SECONDS = 60


class NoMailer(RuntimeError):
    """Neither MOTCUA_SMTP_HOST nor MOTCUA_NOTIFY_CATCHER is set: there is nowhere to send to."""


async def compose_and_send(settings: Settings, send: Callable[[Digest], Awaitable[None]], *, urgent: bool = False,
                           now: datetime | None = None) -> Run:
    """Every staff member's digest of new unread notices, worded in the site's language, handed to `send`."""
    roles = await role_names()
    base = settings.base_url
    return await notice_digest.send_digests(now or datetime.now(UTC), send,
                                            lambda _user: phrase_for(settings.language, roles),
                                            lambda notice: base + link(notice), urgent=urgent)


async def by_email(settings: Settings, *, urgent: bool = False, now: datetime | None = None) -> Run:
    """The digests e-mailed through this process's mailer; NoMailer when there is none."""
    mailer = notify_pages.mailer(settings)
    if mailer is None:
        raise NoMailer("no mailer: set MOTCUA_SMTP_HOST (or MOTCUA_NOTIFY_CATCHER=1 for the demo mailbox /dev/mail)")

    async def send(digest: Digest) -> None:
        await mailer.send(Message(digest.email, digest.subject, digest.text))

    return await compose_and_send(settings, send, urgent=urgent, now=now)


def report(run: Run) -> str:
    """The command's output: what was sent, who was skipped for want of an address, what failed."""
    lines = [f"{len(run.sent)} digest(s) sent, {len(run.skipped)} skipped (no e-mail address), "
             f"{len(run.failed)} failed (tried again next time)"]
    if run.skipped:
        lines.append("skipped: " + ", ".join(d.username for d in run.skipped))
    if run.failed:
        lines.append("failed: " + ", ".join(d.username for d in run.failed))
    return "\n".join(lines)


class UrgentDigests:
    """The urgent job: digests to the heads of the one-stop unit once a new escalation notice appeared."""

    def __init__(self, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.settings, self.clock = settings, clock
        self.seen = -1  # the newest escalation notice already handled (-1: none yet, so the first run looks)

    async def __call__(self) -> None:
        newest = await notice_digest.latest_escalation()
        if newest == self.seen:
            return
        run = await by_email(self.settings, urgent=True, now=self.clock())
        if run.sent or run.failed:
            log.info("urgent notice digests: %s", report(run).replace("\n", "; "))
        if not run.failed:  # a failed one is tried again at the next run
            self.seen = newest


def schedule(scheduler: TimerScheduler, settings: Settings) -> bool:
    """Add the daily and the urgent digest jobs to the worker's scheduler (False: no mailer, none added)."""
    if notify_pages.mailer(settings) is None:
        log.info("staff notice digests are not e-mailed: no MOTCUA_SMTP_HOST")
        return False

    async def daily() -> None:
        run = await by_email(settings, now=scheduler.clock())
        log.info("notice digests: %s", report(run).replace("\n", "; "))

    hour, minute = DAILY_AT
    scheduler.add_job(DAILY_JOB, daily, "cron", hour=hour, minute=minute, timezone=ZoneInfo(LOCAL_TZ))
    scheduler.add_job(URGENT_JOB, UrgentDigests(settings, scheduler.clock), "interval", seconds=URGENT_SECONDS)
    return True
