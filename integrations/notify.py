"""The citizen notification subscriber (outbox): tells the applicant by e-mail and / or SMS, as
they chose at submit, that the dossier was received, accepted (with the appointment date), needs a
supplement, waits for fees, was re-appointed, has its result ready, was refused or returned.

Templates are rendered by an injected `render` (web/notify_templates.py: admin-edited, sandboxed);
`attachments(kind, dossier_code)` may add files to the e-mail (PDFs of the legal forms). Every
message is recorded (engine.notifications) under `<outbox key>:<channel>`: a redelivered outbox
row finds the message sent and does not send it again; a failed channel raises after the others
were tried, and the outbox retries only what is not yet sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from engine import notifications
from engine.notifications import Contact
from engine.outbox import Delivery
from integrations.mail import Attachment, Message
from integrations.sms import unaccent

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AttachmentsFor = Callable[[str, str], Awaitable[list[Attachment]]]


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None = None


class Render(Protocol):
    async def __call__(self, kind: str, channel: str, language: str, context: dict[str, Any]) -> Rendered:
        ...


class Mailer(Protocol):
    async def send(self, message: Message) -> str:
        ...


class Texter(Protocol):
    async def send(self, to: str, text: str, ref: str) -> str:
        ...


def local_date(value: Any) -> str:
    """An ISO instant (as events carry them) → dd/mm/yyyy in Vietnam ("" when absent)."""
    if not value:
        return ""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return at.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")


def context_of(event: dict[str, Any], who: Contact, public_url: str, language: str) -> dict[str, Any]:
    """What a template may use: plain strings and lists, nothing else of the dossier."""
    return {"code": who.code, "name": who.name, "procedure": who.procedure_en if language == "en" else who.procedure,
            "link": f"{public_url.rstrip('/')}/tra-cuu?ma={who.code}",
            "due": local_date(event.get("due_at") or event.get("new_due_at") or who.due_at),
            "original_due": local_date(event.get("original_due_at")), "deadline": local_date(event.get("deadline")),
            "what": [str(w) for w in event.get("what") or ()], "reasons": [str(r) for r in event.get("reasons") or ()],
            "reason": str(event.get("reason") or ""), "note": str(event.get("note") or ""),
            "result_channel": str(event.get("channel") or "") if event.get("kind") == "result_ready" else ""}


def utc_now() -> datetime:
    return datetime.now(UTC)


class NotifySubscriber:
    name = "notify"
    kinds: frozenset[str] | None = frozenset(notifications.KINDS)

    def __init__(self, render: Render, *, mailer: Mailer | None = None, sms: Texter | None = None,
                 public_url: str = "http://127.0.0.1:8000", language: str = "vi",
                 attachments: AttachmentsFor | None = None, clock: Callable[[], datetime] = utc_now) -> None:
        self.render, self.mailer, self.sms, self.public_url = render, mailer, sms, public_url
        self.language, self.attachments, self.clock = language, attachments, clock

    async def deliver(self, delivery: Delivery) -> None:
        who = await notifications.contact(str(delivery.payload.get("dossier_code", "")))
        if who is None:
            return  # gone or purged: nobody to tell
        context = context_of(delivery.payload, who, self.public_url, self.language)
        errors = []
        for channel, transport in (("email", self.mailer), ("sms", self.sms)):
            address = who.address(channel)
            if not address or transport is None:
                continue
            key = f"{delivery.key}:{channel}"
            record = await notifications.begin(key, who.dossier_id, channel, delivery.kind, address, self.clock())
            if record is None:
                continue  # an earlier delivery of this event sent it
            try:
                provider_id = await self._send(channel, delivery.kind, address, key, who, context)
            except Exception as exc:  # the other channel still goes; the outbox retries this one
                error = f"{type(exc).__name__}: {exc}"
                await notifications.finish(record, self.clock(), error=error)
                errors.append(f"{channel}: {error}")
                continue
            await notifications.finish(record, self.clock(), provider_id=provider_id)
        if errors:
            raise RuntimeError("; ".join(errors))

    async def _send(self, channel: str, kind: str, address: str, key: str, who: Contact,
                    context: dict[str, Any]) -> str:
        rendered = await self.render(kind, channel, self.language, context)
        if channel == "email":
            assert self.mailer is not None
            files = await self.attachments(kind, who.code) if self.attachments else []
            return await self.mailer.send(Message(address, rendered.subject, rendered.text, rendered.html,
                                                  tuple(files)))
        assert self.sms is not None
        text = unaccent(rendered.text) if "ascii" in who.channels else rendered.text
        return await self.sms.send(address, text, key)
