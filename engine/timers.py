"""fire_due(now): claim each due Timer row exactly once and advance its dossier.

The claim is a conditional UPDATE (pending → firing WHERE state = 'pending'); with two workers
on PostgreSQL only one of them gets the row. A timer whose dossier moved on is simply dropped.
"""

from __future__ import annotations

import logging
from datetime import datetime

from engine import dossiers
from engine.errors import Conflict
from engine.models import Timer

log = logging.getLogger("motcua.timers")


async def fire_due(now: datetime, limit: int = 100) -> int:
    """Fire the timers due at `now`; returns how many dossiers were advanced."""
    fired = 0
    due = await Timer.filter(state="pending", due_at__lt=now).order_by("due_at").limit(limit)
    for timer in due:
        if not await Timer.filter(id=timer.id, state="pending").update(state="firing", fired_at=now):
            continue  # another worker claimed it
        try:
            await dossiers.fire_due_timers(timer.dossier_id, now)
            fired += 1
        except Conflict:
            # the dossier changed meanwhile; its new projection re-created the timer row if still armed
            log.info("timer %s: dossier changed concurrently, will retry", timer.id)
            await Timer.filter(id=timer.id, state="firing").update(state="pending", fired_at=None)
    return fired


async def next_due() -> datetime | None:
    timer = await Timer.filter(state="pending").order_by("due_at").first()
    return timer.due_at if timer else None
