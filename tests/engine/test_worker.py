"""`motcua worker` as real processes against the test database: a timer fires within 2 s of its
due time, a killed worker loses nothing and fires once, two workers never double-fire."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine import dossiers
from engine.models import AuditEvent, Timer
from engine.settings import Settings
from tests.engine.test_timers import duration, publish, timer_states
from tests.factories import rt

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0  # every wait is bounded


class Worker:
    """One `python -m web.cli worker` process; its output is kept (stdout and stderr merged)."""

    def __init__(self, settings: Settings, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.env = env or {}
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Worker:
        env = {**os.environ, "DATABASE_URL": self.settings.database_url, "PYTHONPATH": str(ROOT),
               "MOTCUA_DATA_DIR": str(self.settings.data_dir), "MOTCUA_SECRET_KEY": "test-secret", **self.env}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "web.cli", "worker", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        ready = asyncio.Event()
        self._reader = asyncio.create_task(self._read(ready))
        try:
            await asyncio.wait_for(ready.wait(), WAIT)
        except TimeoutError:
            raise AssertionError("the worker did not start:\n" + "".join(self.lines)) from None
        return self

    async def _read(self, ready: asyncio.Event) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := (await self.proc.stdout.readline()).decode():
            self.lines.append(line)
            if "motcua worker: firing timers" in line:
                ready.set()

    async def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the worker and wait for it; its exit code."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), WAIT)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, WAIT)
        return code


@pytest.fixture
async def workers(db: Settings) -> AsyncIterator[list[Worker]]:
    """Started workers are always gone after the test, whatever happened."""
    started: list[Worker] = []
    yield started
    for worker in started:
        if worker.proc is not None and worker.proc.returncode is None:
            worker.proc.kill()
            await worker.proc.wait()


async def start(workers: list[Worker], settings: Settings, env: dict[str, str] | None = None) -> Worker:
    worker = Worker(settings, env)
    workers.append(worker)
    return await worker.start()


async def wait_for_fired(count: int) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while await Timer.filter(state="fired").count() < count:
        assert asyncio.get_running_loop().time() < deadline, f"fewer than {count} timers fired in {WAIT} s"
        await asyncio.sleep(0.05)


async def latency(dossier_id: int) -> float:
    """Seconds from the fired row's due_at to the `timer_fired` audit event."""
    timer = await Timer.get(dossier_id=dossier_id, state="fired")
    event = await AuditEvent.get(dossier_id=dossier_id, action="timer_fired")
    return (event.at - timer.due_at).total_seconds()


async def test_a_three_second_timer_fires_within_two_seconds_of_its_due_time(
        db: Settings, workers: list[Worker]) -> None:
    await publish("W.A", duration("PT3S"))
    worker = await start(workers, db)
    dossier = await dossiers.submit(rt(), "W.A", {}, now=datetime.now(UTC))  # armed by "the web", not the worker
    await wait_for_fired(1)
    seen = datetime.now(UTC)
    seconds = await latency(dossier.id)
    timer = await Timer.get(dossier_id=dossier.id)
    print(f"\n[{db.database_url.split(':')[0]}] due -> fired: {seconds * 1000:.0f} ms "
          f"(seen fired by the test's 50 ms poll {(seen - timer.due_at).total_seconds() * 1000:.0f} ms after due)")
    assert 0 < seconds < 2
    assert await worker.stop() == 0  # SIGTERM: a clean stop
    assert "motcua worker: stopped" in "".join(worker.lines)


async def test_a_killed_worker_loses_nothing_and_its_successor_fires_the_timer_once(
        db: Settings, workers: list[Worker]) -> None:
    await publish("W.B", duration("PT2S"))
    first = await start(workers, db)
    dossier = await dossiers.submit(rt(), "W.B", {}, now=datetime.now(UTC))
    timer = await Timer.get(dossier_id=dossier.id, state="pending")
    assert await first.stop(signal.SIGKILL) == -signal.SIGKILL
    await asyncio.sleep(max(0.0, (timer.due_at - datetime.now(UTC)).total_seconds()) + 0.5)
    assert await timer_states(dossier.id) == ["pending"]  # missed while no worker ran
    second = await start(workers, db)
    await wait_for_fired(1)
    await asyncio.sleep(1.5)  # a few more wake-ups and watches: nothing fires twice
    assert await AuditEvent.filter(dossier_id=dossier.id, action="timer_fired").count() == 1
    assert await timer_states(dossier.id) == ["fired"]
    event = await AuditEvent.get(dossier_id=dossier.id, action="timer_fired")
    print(f"\n[{db.database_url.split(':')[0]}] missed timer fired {(event.at - timer.due_at).total_seconds():.2f} s "
          "after its due time (worker down)")
    assert await second.stop() == 0


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
async def test_two_workers_fire_two_hundred_timers_each_exactly_once(
        db: Settings, workers: list[Worker]) -> None:
    await publish("W.C", duration("PT0.5S"))
    overdue = [await dossiers.submit(rt(), "W.C", {}, now=datetime.now(UTC)) for _ in range(100)]
    await asyncio.sleep(0.6)  # all of those are due before any worker runs: both race at start-up
    await asyncio.gather(start(workers, db), start(workers, db))
    await publish("W.C", duration("PT1S"))  # the next hundred come due while both workers run
    soon = [await dossiers.submit(rt(), "W.C", {}, now=datetime.now(UTC)) for _ in range(100)]
    await wait_for_fired(200)
    await asyncio.sleep(1.0)  # let any double fire happen before counting
    audits = Counter(e["dossier_id"] for e in await AuditEvent.filter(action="timer_fired").values("dossier_id"))
    assert len(overdue + soon) == len(audits) == 200
    assert set(audits.values()) == {1}
    states = Counter(t.state for t in await Timer.all())
    assert states == {"fired": 200}
    late = sorted([await latency(d.id) for d in soon])
    print(f"\n[postgres, 2 workers] soon-due timers: due -> fired median {late[50] * 1000:.0f} ms, "
          f"max {late[-1] * 1000:.0f} ms")
    assert late[-1] < 2
    codes = await asyncio.gather(*(w.stop() for w in workers))
    assert codes == [0, 0]
    shares = [sum(int(line.split("fired ")[1].split()[0]) for line in w.lines if "motcua.scheduler: fired" in line)
              for w in workers]
    print(f"[postgres, 2 workers] timers fired by each worker: {shares}")
    assert sum(shares) == 200


async def test_on_postgresql_a_timer_armed_by_the_web_wakes_the_worker_at_once(
        db: Settings, workers: list[Worker]) -> None:
    """The web NOTIFYs a timer due within seconds; without it the worker's 1 s watch would see each
    of these 0.2 s timers 0-1 s late, evenly spread (the chance that five of eight come in under
    150 ms: ~0.5 %). Five of eight, not all: on a loaded machine one wake-up can queue behind
    other work (seen: one of eight at 585 ms while the others took 5-92 ms)."""
    if not db.database_url.startswith("postgres"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; SQLite relies on the 1 s watch")
    await publish("W.N", duration("PT0.2S"))
    await start(workers, db)
    made = []
    for _ in range(8):
        made.append(await dossiers.submit(rt(), "W.N", {}, now=datetime.now(UTC)))
        await asyncio.sleep(0.37)  # a different phase of the watch each time
    await wait_for_fired(len(made))
    lags = [await latency(d.id) for d in made]
    print(f"\n[postgres] due -> fired with NOTIFY: max {max(lags) * 1000:.0f} ms")
    assert all(0 < lag < 1.5 for lag in lags), lags
    assert sorted(lags)[4] < 0.15, lags
