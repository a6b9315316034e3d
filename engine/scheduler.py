"""APScheduler (3.x) wiring: it only wakes us; the Timer rows in the database are the truth.

Three jobs on one AsyncIOScheduler:

* ``motcua-wake`` (a ``date`` job) sleeps until the earliest pending timer and then starts a sweep
  that fires every due row (engine/timers.py claims each row once, so several workers may all wake:
  one fires). The job only starts the sweep as a task: a wake-up armed while a sweep runs (the
  watch's read ending after the sweep began, a notification, the recovery job) then queues behind
  it. When the job ran the sweep itself, APScheduler skipped such a wake-up (the previous run still
  going, ``max_instances``) and dropped it, leaving no wake-up at all: every later timer waited for
  a restart (a CI failure on 03/12/2026, tests/engine/test_timers.py reproduces it).
* ``motcua-watch`` (every ``watch_seconds``, 1 s) asks the database for that earliest due instant
  (one indexed MIN query) and moves the wake-up earlier when another process (the web app)
  armed a sooner timer. Together: a timer fires within about ``watch_seconds`` of its due time
  even when it was armed elsewhere a moment before.
* ``motcua-recover`` (every ``recover_seconds``) returns rows stuck in 'firing' (timers) or
  'delivering' (outbox) by a crashed worker to 'pending' (after their lease, engine.claims).
* ``motcua-outbox`` (every ``outbox_seconds``) delivers due outbox rows to the runtime's
  subscribers (engine.outbox.dispatch) until none is due or MAX_SWEEP has passed. While a timer
  sweep runs it waits, for up to MAX_SWEEP: the deliveries a burst of fires creates (4 rows per
  BPMN fire with the default subscribers, each costing about what a fire costs) would otherwise
  halve the firing rate when many timers fall due at once (bench/timers.py); the timers are the
  legal clock, the outbox is eventually consistent anyway.

On PostgreSQL the worker also LISTENs on ``motcua_timer``: a command that arms a timer due within
NOTIFY_WITHIN (engine/dossiers/store.py) notifies in its transaction, so the wake-up moves at once
instead of at the next watch (the watch stays: a lost notification or a dropped listener costs ≤ 1 s).

The composition root may add its own jobs (`add_job`: the staff e-mail digests, web/staff/digests.py),
run on the same loop, skipped while stopping, their failures logged.

Start-up fires everything already overdue (missed while no worker ran). SpiffWorkflow fires a
timer only when due < now, strictly, so the wake-up is set just after the due instant.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import asyncpg  # type: ignore[import-untyped]
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine import outbox, sql, timers

if TYPE_CHECKING:
    from engine.runtime import Runtime

log = logging.getLogger("motcua.scheduler")
WAKE_JOB, WATCH_JOB, RECOVER_JOB, OUTBOX_JOB = "motcua-wake", "motcua-watch", "motcua-recover", "motcua-outbox"
PURGE_JOB = "motcua-retention-purge"  # daily: personal data past the retention period (engine/retention.py)
AFTER_DUE = timedelta(milliseconds=5)  # fire strictly after the due instant
MIN_GAP = timedelta(milliseconds=200)  # a timer that keeps coming back due cannot make a busy loop
BATCH = 100  # rows per fire_batch call (claimed in one statement); a stop request waits at most one batch
MAX_SWEEP = timedelta(seconds=5)  # then yield (the wake-up comes back at once if rows are still due)


def utc_now() -> datetime:
    return datetime.now(UTC)


class TimerScheduler:
    """Wakes this process when a timer is due and fires it; `aclose()` stops cleanly."""

    def __init__(self, rt: Runtime, clock: Callable[[], datetime] | None = None, watch_seconds: float = 1.0,
                 recover_seconds: float = 15.0, outbox_seconds: float = 0.5) -> None:
        self.rt = rt
        self.clock = clock or rt.clock
        self.lease = timedelta(seconds=rt.settings.lease_seconds)
        recover_seconds = min(recover_seconds, max(0.5, rt.settings.lease_seconds / 2))
        self.outbox_seconds = outbox_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.watch_seconds = watch_seconds
        self.recover_seconds = recover_seconds
        self._lock = asyncio.Lock()  # one sweep at a time in this process
        self._stopping = False
        self._wake_at: datetime | None = None
        self._last_sweep = datetime.min.replace(tzinfo=UTC)
        self._deferred_since: datetime | None = None  # deliveries waiting for a timer sweep to end
        self._queued = False  # a sweep task is waiting for the lock: another wake-up adds nothing
        self._sweeps: set[asyncio.Task[None]] = set()  # started by the wake-up job, kept until done
        self._listener: Any = None  # asyncpg connection LISTENing on timers.CHANNEL (PostgreSQL)

    def start(self) -> None:
        """Schedule the jobs on the running event loop; the first sweep (overdue timers) runs now."""
        now = utc_now()
        common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        self.scheduler.add_job(self.recover, "interval", seconds=self.recover_seconds, id=RECOVER_JOB,
                               next_run_time=now, **common)
        self.scheduler.add_job(self.watch, "interval", seconds=self.watch_seconds, id=WATCH_JOB,
                               next_run_time=now + timedelta(seconds=self.watch_seconds), **common)
        if self.rt.subscribers:
            self.scheduler.add_job(self.deliver, "interval", seconds=self.outbox_seconds, id=OUTBOX_JOB,
                                   next_run_time=now, **common)
        self.scheduler.add_job(self.purge, "interval", hours=24, id=PURGE_JOB,
                               next_run_time=now + timedelta(minutes=5), **common)
        self._wake(now)
        self.scheduler.start()
        if sql.is_postgres(sql.db()):
            self._listening = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        try:
            self._listener = await asyncpg.connect(self.rt.settings.database_url.split("?", 1)[0], timeout=10)
            await self._listener.add_listener(timers.CHANNEL, self._notified)
        except Exception:  # the watch job still finds new timers within a second
            log.warning("cannot LISTEN for new timers; relying on the %s s watch", self.watch_seconds, exc_info=True)
        if self._stopping:
            self._close_listener()

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        """A command armed a timer due soon: wake up for it (the sweep in progress re-reads anyway)."""
        try:
            due = datetime.fromisoformat(payload)
        except ValueError:
            return
        if not self._stopping and not self._lock.locked() and (
                self._wake_at is None or due + AFTER_DUE < self._wake_at):
            self._wake(due + AFTER_DUE)

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._listener.terminate()
            self._listener = None

    def shutdown(self) -> None:
        """Stop at once (an in-flight sweep is cancelled; its claims come back after the lease)."""
        self._stopping = True
        self._close_listener()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def aclose(self) -> None:
        """Stop scheduling, let the sweep in progress finish its batch, then shut down."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.pause()
        async with self._lock:
            pass
        await asyncio.gather(*self._sweeps, return_exceptions=True)  # queued ones see the stop and end
        self.shutdown()

    def add_job(self, job_id: str, job: Callable[[], Awaitable[None]], trigger: str, **trigger_args: Any) -> None:
        """Run `job` on an APScheduler trigger ("cron", "interval") beside the timers; before or after start."""

        async def run() -> None:
            if self._stopping:
                return
            try:
                await job()
            except Exception:  # a failing job must not kill the scheduler; it runs again next time
                log.exception("the job %s failed", job_id)

        self.scheduler.add_job(run, trigger, id=job_id, replace_existing=True, max_instances=1, coalesce=True,
                               misfire_grace_time=None, **trigger_args)

    # -- jobs ---------------------------------------------------------------------------------

    async def recover(self) -> None:
        if self._stopping:
            return
        try:
            if await timers.recover_stuck(self.clock(), self.lease):
                self._wake(utc_now())
            await outbox.recover_stuck(self.clock(), self.lease)
        except Exception:  # a failing job must not kill the scheduler; it runs again
            log.exception("recovering stuck timers failed")

    async def purge(self) -> None:
        """The daily retention purge (one transaction per dossier; a failure is retried the next day)."""
        if self._stopping:
            return
        from engine import retention

        try:
            report = await retention.purge(self.rt, self.clock(), apply=True)
            if report.purged:
                log.info("retention: %d dossier(s) purged, %d file(s) deleted", len(report.purged),
                         report.files_deleted)
        except Exception:
            log.exception("the retention purge failed")

    async def deliver(self) -> None:
        """Deliver due outbox rows until none is due (or MAX_SWEEP passed: the next run goes on)."""
        started = utc_now()
        if self._stopping or self._defer_delivery(started):
            return
        try:
            while not self._stopping and utc_now() - started < MAX_SWEEP and not self._defer_delivery(utc_now()):
                done = await outbox.dispatch(self.rt, self.clock())
                if done.seen == 0:
                    break
        except Exception:  # e.g. the database is away: the next run retries
            log.exception("delivering outbox events failed")

    def _defer_delivery(self, now: datetime) -> bool:
        """Whether deliveries wait: while a timer sweep runs, for MAX_SWEEP at most since they first waited."""
        if not self._lock.locked():
            self._deferred_since = None
            return False
        self._deferred_since = self._deferred_since or now
        return now - self._deferred_since < MAX_SWEEP

    async def watch(self) -> None:
        """Move the wake-up earlier when a sooner timer appeared (armed by another process)."""
        if self._stopping or self._lock.locked():
            return  # a sweep is running; it reschedules when it ends
        try:
            due = await timers.next_due()
        except Exception:
            log.exception("reading the next due timer failed")
            return
        if self.scheduler.get_job(WAKE_JOB) is None and not self._queued:
            self._wake_at = None  # no wake-up is armed, whatever the last one said (belt and braces)
        if due is not None and (self._wake_at is None or due + AFTER_DUE < self._wake_at):
            self._wake(due + AFTER_DUE)

    async def _start_sweep(self) -> None:
        """The wake-up job: start a sweep of its own (queued behind the one running, if any)."""
        if self._stopping or self._queued:
            return
        self._queued = True  # until the sweep holds the lock
        task = asyncio.get_running_loop().create_task(self.sweep())
        self._sweeps.add(task)
        task.add_done_callback(self._sweeps.discard)

    async def sweep(self) -> None:
        """Fire every due timer, then sleep until the next one."""
        if self._stopping:
            return
        self._queued = True
        try:
            await self._lock.acquire()
        finally:
            self._queued = False
        try:
            if self._stopping:
                return
            self._wake_at = None
            try:
                started, fired = utc_now(), 0
                while not self._stopping and utc_now() - started < MAX_SWEEP:
                    batch = await timers.fire_batch(self.rt, self.clock(), BATCH)
                    fired += batch.fired
                    if batch.seen < BATCH:
                        break
                if fired:
                    log.info("fired %d timer(s)", fired)
                due = await timers.next_due()
            except Exception:  # e.g. the database is away: the watch job retries within a second
                log.exception("firing due timers failed")
                return
            finally:
                self._last_sweep = utc_now()
            if due is not None and not self._stopping:
                self._wake(due + AFTER_DUE)
        finally:
            self._lock.release()

    def _wake(self, at: datetime) -> None:
        at = max(at, self._last_sweep + MIN_GAP)
        self._wake_at = at
        self.scheduler.add_job(self._start_sweep, "date", run_date=at, id=WAKE_JOB, replace_existing=True,
                               misfire_grace_time=None)
