"""Citizen notifications end to end on real parts: a dossier submitted with e-mail and SMS chosen,
the outbox dispatched, the e-mail arriving at a real local SMTP server (aiosmtpd) and the SMS at a
real local HTTP gateway (tests/sink.py); SMTP down then up delivers once; a redelivery sends nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from engine import dossiers, outbox
from engine.models import Dossier, HumanTask, Notification, OutboxEvent
from engine.runtime import Runtime
from engine.settings import Settings
from integrations.mail import SmtpMailer
from integrations.notify import NotifySubscriber
from integrations.sms import SmsGateway
from tests.factories import APPLICATIONS, CODES, free_port, publish_shipped, rt
from tests.integrations.test_outbox import drain
from tests.sink import Sink
from web.notify_templates import render

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
EMAIL, PHONE = "le.van.nam@example.vn", "0912345678"
APPLICATION = {**APPLICATIONS["household-business"], "business_email": EMAIL, "business_phone": PHONE}


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(  # aiosmtpd's hook name
            self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def notifying(port: int, sms_url: str) -> tuple[Runtime, NotifySubscriber]:
    sub = NotifySubscriber(render, mailer=SmtpMailer("127.0.0.1", port, starttls=False, sender="motcua@tinh.gov.vn",
                                                     timeout=5),
                           sms=SmsGateway(sms_url, key="k", secret="s"), public_url="https://dvc.example.vn")
    return replace(rt(), subscribers={"notify": sub}), sub


async def submit_and_accept(runtime: Runtime, users: dict[str, Any], notify: list[str]) -> str:
    await publish_shipped("household-business")
    d = await dossiers.submit(runtime, CODES["household-business"], APPLICATION, now=NOW, user=users["citizen"],
                              notify=notify)
    task = await HumanTask.get(dossier_id=d.id, state="ready")
    await dossiers.complete_task(runtime, task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    return d.code


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def test_the_citizen_gets_the_code_and_link_by_email_and_sms_once_each(
        db: Settings, users: dict[str, Any]) -> None:
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with Sink() as sink:
            runtime, _sub = notifying(port, sink.url)
            code = await submit_and_accept(runtime, users, ["email", "sms"])
            assert (await Dossier.get(code=code)).notify_channels == "email,sms"
            await drain(runtime, datetime.now(UTC))
    finally:
        smtp.stop()
    subjects = [m["Subject"] for m in inbox.messages]
    assert subjects == [f"Hồ sơ {code} đã được nộp", f"Hồ sơ {code} đã được tiếp nhận"]
    first = inbox.messages[0]
    assert first["To"] == EMAIL and first["Message-ID"]
    assert code in body_of(first) and f"https://dvc.example.vn/tra-cuu?ma={code}" in body_of(first)
    assert first.get_body(preferencelist=("html",)) is not None
    accepted = body_of(inbox.messages[1])
    assert "Ngày hẹn trả kết quả: " in accepted and "/2026" in accepted  # dd/mm/yyyy
    texts = [r["text"] for r in sink.received]
    assert len(texts) == 2 and all(code in t for t in texts) and {r["to"] for r in sink.received} == {PHONE}
    assert sink.received[0]["encoding"] == "ucs2" and all(len(p) <= 67 for p in sink.received[0]["parts"])
    assert sink.received[0]["headers"]["X-Motcua-Signature"]
    records = await Notification.all().order_by("id")
    assert [(r.channel, r.template, r.status) for r in records] == [
        ("email", "submitted", "sent"), ("sms", "submitted", "sent"),
        ("email", "accepted", "sent"), ("sms", "accepted", "sent")]
    assert records[0].recipient == "l***@example.vn" and records[1].recipient == "091****678"
    assert records[0].provider_id == first["Message-ID"]


async def test_smtp_down_then_up_delivers_each_email_once_after_recovery(db: Settings, users: dict[str, Any]) -> None:
    inbox, port = Inbox(), free_port()
    with Sink() as sink:
        runtime, _sub = notifying(port, sink.url)
        code = await submit_and_accept(runtime, users, ["email"])
        now = datetime.now(UTC)
        result = await outbox.dispatch(runtime, now)  # nobody listens on the port yet
        assert result.failed == 1 and result.delivered == 0
        failed = await Notification.get(channel="email")
        assert failed.status == "failed" and "Connection" in failed.error
        smtp = Controller(inbox, hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            await drain(runtime, now + outbox.CAP)
        finally:
            smtp.stop()
    assert [m["Subject"] for m in inbox.messages] == [f"Hồ sơ {code} đã được nộp", f"Hồ sơ {code} đã được tiếp nhận"]
    assert sink.received == []  # SMS not chosen
    assert {r.status for r in await Notification.all()} == {"sent"} and await Notification.all().count() == 2
    assert await OutboxEvent.filter(subscriber="notify", attempts__gt=1).count() == 1


async def test_a_redelivered_event_sends_nothing_again(db: Settings, users: dict[str, Any]) -> None:
    inbox, port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with Sink() as sink:
            runtime, sub = notifying(port, sink.url)
            await submit_and_accept(runtime, users, ["email", "ascii"])
            await drain(runtime, datetime.now(UTC))
            row = await OutboxEvent.filter(subscriber="notify").order_by("id").first()
            assert row is not None
            await sub.deliver(outbox.Delivery(row.id, "notify", row.key, row.kind, row.payload, 2))
    finally:
        smtp.stop()
    assert len(inbox.messages) == 2 and len(sink.received) == 2
    assert all(r["encoding"] == "gsm7" and "Ho so" in r["text"] for r in sink.received)  # unaccented by choice


async def test_the_acceptance_email_carries_the_receipt_form_as_pdf(db: Settings, users: dict[str, Any]) -> None:
    """The web wiring (web.notify_pages.subscriber): Form 01 (receipt and appointment) rides on the
    'accepted' e-mail as a PDF whose text names the dossier; the 'submitted' e-mail carries nothing."""
    from io import BytesIO

    from pypdf import PdfReader

    from web.notify_pages import subscriber

    inbox, port = Inbox(), free_port()
    settings = replace(db, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, notify_catcher=False,
                       public_url="https://dvc.example.vn")
    sub = subscriber(settings)
    assert sub is not None
    runtime = replace(rt(), subscribers={"notify": sub})
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        code = await submit_and_accept(runtime, users, ["email"])
        await drain(runtime, datetime.now(UTC))
    finally:
        smtp.stop()
    submitted, accepted = inbox.messages
    assert [p.get_filename() for p in submitted.iter_attachments()] == []
    (pdf,) = list(accepted.iter_attachments())
    assert pdf.get_content_type() == "application/pdf" and code in (pdf.get_filename() or "")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.get_content())).pages)
    assert code in text
