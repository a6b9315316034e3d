"""The transactional outbox delivering dossier events to a real local HTTP receiver (the webhook
subscriber): retries with backoff, exactly once in effect, order per dossier, no concurrent
double delivery, and nothing lost when the worker is killed with SIGKILL mid-delivery."""

from __future__ import annotations

import asyncio
import signal
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from engine import dossiers, outbox
from engine.models import HumanTask, OutboxEvent
from engine.runtime import Runtime
from engine.settings import Settings
from integrations.webhook import WebhookSubscriber
from tests.engine.test_worker import Worker, start, workers  # noqa: F401  (fixture)
from tests.factories import APPLICATIONS, CODES, publish_shipped, rt
from tests.sink import Sink

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def with_webhook(url: str) -> Runtime:
    return replace(rt(), subscribers={"webhook": WebhookSubscriber(url, secret="s3cret")})


async def make_events(runtime: Runtime, users: dict, count: int = 2, now: datetime = NOW) -> list[str]:
    """`count` dossiers submitted and accepted: a few events each. Their codes."""
    await publish_shipped("household-business")
    codes = []
    for _ in range(count):
        d = await dossiers.submit(runtime, CODES["household-business"], APPLICATIONS["household-business"], now=now,
                                  user=users["citizen"])
        task = await HumanTask.get(dossier_id=d.id, state="ready")
        await dossiers.complete_task(runtime, task.id, {"intake_decision": "accept"}, users["officer"], now)
        codes.append(d.code)
    return codes


def order_of(key: str) -> tuple[int, int]:
    _code, revision, n = key.rsplit(":", 2)
    return int(revision), int(n)


async def drain(runtime: Runtime, start_at: datetime, rounds: int = 200) -> datetime:
    """Dispatch until nothing is pending, moving the clock past each backoff."""
    now = start_at
    for _ in range(rounds):
        await outbox.dispatch(runtime, now)
        if not await OutboxEvent.filter(state__in=["pending", "delivering"]).exists():
            return now
        now += outbox.CAP
    raise AssertionError("the outbox did not drain")


async def test_a_receiver_failing_three_times_gets_each_event_once_in_effect_and_in_order(
        db: Settings, users: dict) -> None:
    with Sink(fail_first=3) as sink:
        runtime = with_webhook(sink.url)
        codes = await make_events(runtime, users)
        rows = await OutboxEvent.all().order_by("id")
        assert rows and {r.subscriber for r in rows} == {"webhook"}
        await drain(runtime, datetime.now(UTC))
    keys = [r.key for r in rows]
    assert sink.attempts == len(keys) + 3  # three refusals, then every row once
    assert sorted(sink.keys()) == sorted(keys)  # nothing lost, nothing twice
    for code in codes:  # in order per dossier
        mine = [k for k in sink.keys() if k.startswith(code + ":")]
        assert mine == sorted(mine, key=order_of) and mine
    first = sink.received[0]
    assert first["headers"]["Idempotency-Key"] == first["key"] and first["kind"] == "submitted"
    assert first["event"]["dossier_code"] in codes and "X-Motcua-Signature" in first["headers"]
    states = {r.state for r in await OutboxEvent.all()}
    assert states == {"done"}
    failed_once = await OutboxEvent.filter(attempts__gt=1).count()
    assert failed_once >= 1


async def test_a_dead_letter_holds_the_dossiers_later_events_until_an_admin_retries(
        db: Settings, users: dict) -> None:
    with Sink(fail_first=10_000) as sink:
        runtime = with_webhook(sink.url)
        await make_events(runtime, users, count=1)
        now = datetime.now(UTC)
        for _ in range(outbox.MAX_ATTEMPTS):
            await outbox.dispatch(runtime, now)
            now += outbox.CAP
        first, *later = await OutboxEvent.all().order_by("id")
        await first.refresh_from_db()
        assert first.state == "dead" and first.attempts == outbox.MAX_ATTEMPTS and "503" in first.last_error
        assert all(r.attempts == 0 and r.state == "pending" for r in later)  # held: order is kept
        summary = {s["subscriber"]: s for s in await outbox.summary()}
        assert summary["webhook"]["dead"] == 1 and summary["webhook"]["pending"] == len(later)
        sink.fail_first = 0
        assert await outbox.retry([first.id], now) == 1
        await drain(runtime, now)
    assert [order_of(k) for k in sink.keys()] == sorted(order_of(k) for k in sink.keys())
    assert len(sink.keys()) == 1 + len(later)


async def test_two_dispatchers_never_deliver_the_same_row_at_once(db: Settings, users: dict) -> None:
    with Sink(delay=0.02) as sink:
        runtime = with_webhook(sink.url)
        await make_events(runtime, users, count=4)
        total = await OutboxEvent.all().count()

        async def worker() -> None:
            deadline = asyncio.get_running_loop().time() + 30
            while await OutboxEvent.filter(state__in=["pending", "delivering"]).exists():
                assert asyncio.get_running_loop().time() < deadline, "not drained in 30 s"
                if not (await outbox.dispatch(runtime, datetime.now(UTC), limit=5)).delivered:
                    await asyncio.sleep(0.01)  # the other dispatcher holds what is due
        await asyncio.gather(worker(), worker())
    assert sink.overlaps == []
    assert sorted(sink.keys()) == sorted(r.key for r in await OutboxEvent.all())  # each exactly once
    assert len(sink.keys()) == total


async def test_a_worker_killed_mid_delivery_loses_nothing(
        db: Settings, users: dict, workers: list[Worker]) -> None:  # noqa: F811
    with Sink(delay=0.3) as sink:
        runtime = with_webhook(sink.url)
        await make_events(runtime, users, count=4, now=datetime.now(UTC))  # no SLA timer due meanwhile
        keys = sorted(r.key for r in await OutboxEvent.all())
        env = {"MOTCUA_WEBHOOK_URL": sink.url, "MOTCUA_LEASE_SECONDS": "2"}
        first = await start(workers, db, env)
        deadline = asyncio.get_running_loop().time() + 30
        while len(sink.keys()) < 3:
            assert asyncio.get_running_loop().time() < deadline, "no delivery within 30 s"
            await asyncio.sleep(0.05)
        assert await first.stop(signal.SIGKILL) == -signal.SIGKILL
        assert len(set(sink.keys())) < len(keys)  # killed before the end
        second = await start(workers, db, env)
        while len(set(sink.keys())) < len(keys):
            assert asyncio.get_running_loop().time() < deadline + 30, "the successor did not finish"
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        assert await second.stop() == 0
    assert sorted(sink.effective()) == keys  # at least once: every event arrived
    duplicates = len(sink.keys()) - len(keys)
    print(f"\n[{db.database_url.split(':')[0]}] kill -9 mid-delivery: {len(keys)} events, "
          f"{duplicates} redelivered after the lease")
    assert duplicates <= 5  # only what was in flight when the worker died
    assert {r.state for r in await OutboxEvent.all()} == {"done"}
    assert sink.overlaps == []
    _ = timedelta
