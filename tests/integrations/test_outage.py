"""Issue 13 acceptance: SMTP (aiosmtpd), the SMS gateway (tests/sink.py Sink) and the national portal
(FakePortal) all down at once under load — dossiers submitted with e-mail and SMS chosen, accepted,
some asked for a supplement; the outbox dispatched several rounds while everything refuses; then all
three back and the outbox drained. Nothing is lost (every expected e-mail, SMS and portal change
arrives), nothing is applied twice, and the portal ends equal to the local dossiers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiosmtpd.controller import Controller

from engine import dossiers, outbox
from engine.dossier_lifecycle import Step
from engine.models import HumanTask, Notification, OutboxEvent
from engine.settings import Settings
from integrations.portal import PortalClient, PortalSubscriber
from tests.factories import CODES, free_port, publish_shipped
from tests.integrations.test_notify import APPLICATION, EMAIL, NOW, PHONE, Inbox, notifying
from tests.integrations.test_outbox import drain
from tests.integrations.test_portal import applied_once, assert_remote_equals_local
from tests.sink import FakePortal, Sink

COUNT, EVERY = 30, 3  # dossiers; one in EVERY is asked for a supplement
SUBJECTS = {"submitted": "Hồ sơ {} đã được nộp", "accepted": "Hồ sơ {} đã được tiếp nhận"}


async def load(runtime: Any, users: dict[str, Any]) -> dict[str, list[str]]:
    """COUNT dossiers (e-mail and SMS chosen) submitted and accepted, every EVERY-th asked for a
    supplement: the notification kinds each should cause, by code."""
    await publish_shipped("household-business")
    expected: dict[str, list[str]] = {}
    for i in range(COUNT):
        d = await dossiers.submit(runtime, CODES["household-business"], APPLICATION, now=NOW, user=users["citizen"],
                                  notify=["email", "sms"])
        task = await HumanTask.get(dossier_id=d.id, state="ready")
        await dossiers.complete_task(runtime, task.id, {"intake_decision": "accept"}, users["officer"], NOW)
        expected[d.code] = ["submitted", "accepted"]
        if i % EVERY == 0:
            await dossiers.step(runtime, d.code, Step("request_supplement", reasons=("Thiếu biên bản họp",)),
                                users["specialist"], NOW)
            expected[d.code].append("supplement_requested")
    return expected


async def test_smtp_sms_and_portal_down_under_load_lose_nothing_and_send_nothing_twice(
        db: Settings, users: dict[str, Any]) -> None:
    inbox, port = Inbox(), free_port()  # nobody listens on the SMTP port until it comes back
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    with Sink(fail_first=10**9) as gateway, FakePortal() as portal:
        portal.down = True
        runtime, _ = notifying(port, gateway.url)
        runtime = replace(runtime, subscribers={
            **runtime.subscribers, "portal": PortalSubscriber(PortalClient(portal.url, "t0ken", 2.0))})
        expected = await load(runtime, users)

        now = datetime.now(UTC)
        rounds = 3
        for _ in range(rounds):  # everything refuses: each dossier's first delivery per subscriber fails
            result = await outbox.dispatch(runtime, now)
            assert result.delivered == 0 and result.failed == 2 * COUNT and result.dead == 0
            now += outbox.CAP
        assert inbox.messages == [] and gateway.received == [] and not portal.applied
        assert gateway.attempts == rounds * COUNT and portal.receipts == rounds * COUNT
        failed = await Notification.filter(status="failed").count()
        assert failed == 2 * COUNT and await Notification.filter(status="sent").count() == 0
        assert not await OutboxEvent.filter(state__in=["done", "dead"]).exists()

        smtp.start()  # all three back
        try:
            gateway.fail_first = 0
            portal.down = False
            await drain(runtime, now)
        finally:
            smtp.stop()
        keys = await applied_once(portal)  # every portal change applied, each once
        await assert_remote_equals_local(portal)
    assert portal.stale == 0 and gateway.overlaps == []

    rows = await OutboxEvent.filter(subscriber="notify").order_by("id")
    by_code: dict[str, list[str]] = {}
    for row in rows:
        by_code.setdefault(row.key.rsplit(":", 2)[0], []).append(row.kind)
    assert by_code == expected  # the events caused exactly the expected notifications, in order
    total = sum(len(kinds) for kinds in expected.values())
    assert total == COUNT * 2 + len(range(0, COUNT, EVERY)) and len(keys) > COUNT

    # e-mail: exactly one message per expected notification, to the citizen, the ones recorded as sent
    assert len(inbox.messages) == total and {m["To"] for m in inbox.messages} == {EMAIL}
    records = await Notification.all()
    assert {r.status for r in records} == {"sent"} and len(records) == 2 * total
    mail_ids = {r.provider_id for r in records if r.channel == "email"}
    assert sorted(m["Message-ID"] for m in inbox.messages) == sorted(mail_ids) and len(mail_ids) == total
    for code, kinds in expected.items():
        subjects = [m["Subject"] for m in inbox.messages if code in m["Subject"]]
        assert [s.format(code) for k, s in SUBJECTS.items() if k in kinds] == subjects[:2], code
        assert len(subjects) == len(kinds)
    # SMS: one accepted message per expected notification (by its reference), to the citizen
    refs = [r["ref"] for r in gateway.received]
    assert sorted(refs) == sorted(f"{row.key}:sms" for row in rows) and {r["to"] for r in gateway.received} == {PHONE}
    # the outbox is done, and every subscriber was tried again after the outage
    assert {r.state for r in await OutboxEvent.all()} == {"done"}
    assert await OutboxEvent.filter(attempts__gt=rounds).exists()
