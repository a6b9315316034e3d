"""The web side of citizen notifications: which subscriber this process runs (SMTP / SMS gateway
or the demo catcher), the SMS gateway's delivery receipts (POST /api/v1/sms/receipt, HMAC-checked)
and the demo mailbox (GET /dev/mail, only with MOTCUA_NOTIFY_CATCHER; 404 otherwise)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine import notifications
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.settings import Settings
from integrations import sms
from integrations.catcher import CatcherMailer, CatcherSms
from integrations.mail import Attachment, SmtpMailer
from integrations.notify import AttachmentsFor, Mailer, NotifySubscriber, Texter
from web.documents import fmt
from web.errors import N_
from web.notify_defaults import CHANNEL_LABELS, KIND_LABELS, STATUS_LABELS
from web.notify_templates import render as render_message
from web.pages import render
from web.pdf import PdfUnavailable, form_pdf

RECEIPT_STATUSES = ("delivered", "failed")
ASCII_LABEL = N_("Tin nhắn không dấu (ít tin hơn)")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Line:
    """One message on the staff dossier page and the citizen's tracking page (catalogue strings)."""

    at: str
    channel: str
    template: str
    recipient: str  # masked
    status: str
    failed: bool


async def lines(dossier_id: int) -> list[Line]:
    return lines_of(await notifications.for_dossier(dossier_id))


def lines_of(found: Iterable[Any]) -> list[Line]:
    """Notification models, or rows with their attribute names (engine.dossiers.staff_page)."""
    return [Line(fmt(n.at), CHANNEL_LABELS.get(n.channel, n.channel), KIND_LABELS.get(n.template, n.template),
                 n.recipient, STATUS_LABELS.get(n.status, n.status), n.status == "failed") for n in found]


@dataclass(frozen=True)
class Destination:
    """Where the citizen chose to be told (the tracking page): a channel and its masked address
    ("" when the dossier holds none: nothing can be sent there)."""

    channel: str  # catalogue string
    address: str


def destinations(dossier: Any) -> list[Destination]:
    chosen = set(filter(None, dossier.notify_channels.split(",")))
    out = []
    if "email" in chosen:
        out.append(Destination(CHANNEL_LABELS["email"], notifications.mask(dossier.applicant_email)
                               if dossier.applicant_email else ""))
    if chosen & {"sms", "ascii"}:
        label = CHANNEL_LABELS["sms"] if "sms" in chosen else ASCII_LABEL
        out.append(Destination(label, notifications.mask(dossier.applicant_phone) if dossier.applicant_phone else ""))
    return out


def mailer(settings: Settings) -> Mailer | None:
    """The e-mail transport of this process: the demo catcher, the SMTP server, or none."""
    if settings.notify_catcher:
        return CatcherMailer()
    if settings.smtp_host:
        return SmtpMailer(settings.smtp_host, settings.smtp_port, user=settings.smtp_user,
                          password=settings.smtp_password, starttls=settings.smtp_starttls, sender=settings.smtp_from)
    return None


def subscriber(settings: Settings) -> NotifySubscriber | None:
    """The notification subscriber of this process: the catcher, or the configured transports."""
    texter: Texter | None = None
    if settings.notify_catcher:
        texter = CatcherSms()
    elif settings.sms_url:
        texter = sms.SmsGateway(settings.sms_url, settings.sms_key, settings.sms_secret)
    email = mailer(settings)
    if email is None and texter is None:
        return None
    return NotifySubscriber(render_message, mailer=email, sms=texter, public_url=settings.base_url,
                            language=settings.language, attachments=legal_forms(settings))


#: the ND118 form an e-mail carries as PDF, by the event it tells of
FORM_OF_KIND = {"accepted": "01", "supplement_requested": "02", "refused": "03", "reappointed": "04"}


def legal_forms(settings: Settings) -> AttachmentsFor:
    """The PDF of the legal form that goes with an event's e-mail (receipt and appointment, supplement
    request, refusal, apology): the e-mail still goes, without it, when the PDF cannot be drawn."""

    async def attach(kind: str, code: str) -> list[Attachment]:
        form = FORM_OF_KIND.get(kind)
        if form is None:
            return []
        try:
            name, pdf = await form_pdf(form, code, settings=settings, lang=settings.language)
        except (PdfUnavailable, NotFound) as exc:
            log.warning("no PDF of form %s for %s in the e-mail: %s", form, code, exc)
            return []
        return [(name, pdf, "application/pdf")]

    return attach


async def sms_receipt(request: Request) -> Response:
    """The gateway says a message was delivered (or not): {"id", "status"}, signed with the secret."""
    secret = request.app.state.settings.sms_secret
    body = await request.body()
    if not sms.verify(secret, body, request.headers.get("x-motcua-signature", "")):
        raise PermissionDenied("Bad or missing signature", code="signature")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("status") not in RECEIPT_STATUSES or not isinstance(data.get("id"), str):
        raise InvalidData("A receipt is {id, status}", fields={"status": [f"one of {', '.join(RECEIPT_STATUSES)}"]})
    updated = await notifications.receipt(data["id"], data["status"], request.app.state.clock())
    if not updated:
        raise NotFound("No message with this id", id=data["id"][:200])
    return JSONResponse({"updated": updated})


async def dev_mail(request: Request) -> Response:
    if not request.app.state.settings.notify_catcher:
        raise NotFound("No such page")
    return render(request, "dev_mail.html", messages=await notifications.caught(), fmt=fmt)
