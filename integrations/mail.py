"""E-mail out: `Message` (text, optional HTML, attachments) and `SmtpMailer`, which sends it with
the standard library's smtplib in a worker thread (the event loop never blocks) and returns the
Message-ID. Errors (connection refused, refused recipient, timeout) raise: the outbox retries."""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

Attachment = tuple[str, bytes, str]  # (file name, content, MIME type)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] | list[Attachment] = ()


def build(message: Message, sender: str) -> EmailMessage:
    """The MIME message: text, HTML as its alternative, then the attachments."""
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.to, message.subject
    email["Date"] = formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2] or "motcua.local"
    email["Message-ID"] = make_msgid(domain=domain)
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    for name, content, mimetype in message.attachments:
        maintype, _, subtype = mimetype.partition("/")
        email.add_attachment(content, maintype=maintype or "application", subtype=subtype or "octet-stream",
                             filename=name)
    return email


class SmtpMailer:
    def __init__(self, host: str, port: int = 587, *, user: str = "", password: str = "", starttls: bool = True,
                 sender: str = "motcua@localhost", timeout: float = 20.0) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        self.starttls, self.sender, self.timeout = starttls, sender, timeout

    async def send(self, message: Message) -> str:
        """Send; the Message-ID. Raises on any SMTP or network error."""
        email = build(message, self.sender)
        await asyncio.to_thread(self._send, email)
        return str(email["Message-ID"])

    def _send(self, email: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(email)
