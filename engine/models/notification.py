"""Citizen notifications (integrations/notify.py): one row per message sent, the admin-edited
templates, and the demo catcher's mailbox (messages kept instead of sent, shown at /dev/mail)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

NOTIFY_STATUSES = ("queued", "sent", "delivered", "failed")


class Notification(Model):
    """One message to the citizen. `key` = the outbox key + ":" + channel: a redelivered outbox row
    finds its row and does not send twice. `recipient` is masked (no address in full)."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.Dossier", related_name="notifications", on_delete=fields.CASCADE)
    dossier_id: int
    key = fields.CharField(max_length=120, unique=True)
    at = fields.DatetimeField()
    channel = fields.CharField(max_length=8)  # email | sms
    template = fields.CharField(max_length=48)  # the event kind
    recipient = fields.CharField(max_length=64)
    status = fields.CharField(max_length=12, default="queued")
    provider_id = fields.CharField(max_length=200, default="", db_index=True)
    error = fields.CharField(max_length=300, default="")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "notification"
        indexes = (("dossier_id", "at"),)


class NotificationTemplate(Model):
    """An administrator's version of a shipped template (web/notify_templates.py has the defaults)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=48)
    channel = fields.CharField(max_length=8)
    language = fields.CharField(max_length=2)
    subject = fields.CharField(max_length=200, default="")
    body = fields.TextField()
    updated_at = fields.DatetimeField()
    updated_by = fields.CharField(max_length=150, default="")

    class Meta:
        table = "notification_template"
        unique_together = (("kind", "channel", "language"),)


class CaughtMessage(Model):
    """Demo / development only: a message the catcher kept instead of sending it."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    channel = fields.CharField(max_length=8)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300, default="")
    text = fields.TextField()
    html = fields.TextField(default="")
    attachments: fields.Field[list[str]] = fields.JSONField(default=list)  # file names

    class Meta:
        table = "caught_message"
