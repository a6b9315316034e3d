"""Demo / development: a mailer and an SMS sender that keep each message in the database
(engine.notifications.catch) instead of sending it; /dev/mail shows them (MOTCUA_NOTIFY_CATCHER)."""

from __future__ import annotations

from engine import notifications
from integrations.mail import Message
from integrations.notify import utc_now


class CatcherMailer:
    async def send(self, message: Message) -> str:
        caught = await notifications.catch("email", message.to, message.subject, message.text, message.html or "",
                                           [name for name, _content, _type in message.attachments], utc_now())
        return f"caught-{caught}"


class CatcherSms:
    async def send(self, to: str, text: str, ref: str) -> str:
        caught = await notifications.catch("sms", to, "", text, "", [], utc_now())
        return f"caught-{caught}"
