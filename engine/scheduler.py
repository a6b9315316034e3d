"""APScheduler (3.x) wiring: it only wakes us; the Timer rows in the database are the truth.

One job sleeps until the next due timer (+1 s: SpiffWorkflow fires strictly after the due
instant); a sweep every `sweep_seconds` catches timers armed by other processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from engine import timers

log = logging.getLogger("motcua.scheduler")
WAKE_JOB = "motcua-wake"


class TimerScheduler:
    def __init__(self, clock: Callable[[], datetime] | None = None, sweep_seconds: float = 5.0) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.sweep_seconds = sweep_seconds

    def start(self) -> None:
        self.scheduler.add_job(self.tick, "interval", seconds=self.sweep_seconds, id="motcua-sweep",
                               max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def tick(self) -> None:
        try:
            while await timers.fire_due(self.clock()):
                pass
            due = await timers.next_due()
        except Exception:  # a failing tick must not kill the scheduler; it is retried on the next sweep
            log.exception("timer tick failed")
            return
        if due is not None:
            self.scheduler.add_job(self.tick, "date", run_date=due + timedelta(seconds=1), id=WAKE_JOB,
                                   replace_existing=True, max_instances=1)
