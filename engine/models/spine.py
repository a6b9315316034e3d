"""Tables of the dossier runtime's spine: outbox deliveries, configuration revisions, and the
reporting facts (attachments, pauses, results) that SQL aggregates on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class OutboxEvent(Model):
    """One delivery of one dossier event to one subscriber, appended in the command's transaction.

    pending --claim--> delivering --ok--> done
                          |--failed----> pending (next_at = now + backoff) … after max tries: dead
                          '--lease over--> pending (a crashed worker)
    """

    id = fields.BigIntField(primary_key=True)
    subscriber = fields.CharField(max_length=64)
    dossier_id = fields.IntField()
    key = fields.CharField(max_length=120)  # idempotency key "<dossier code>:<revision>:<n>"
    kind = fields.CharField(max_length=32)
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # the event, as events.to_dict
    at = fields.DatetimeField()  # when the event happened
    state = fields.CharField(max_length=12, default="pending")  # pending | delivering | done | dead
    attempts = fields.SmallIntField(default=0)
    next_at = fields.DatetimeField()  # not before (backoff)
    claimed_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=300, default="")

    class Meta:
        table = "outbox"
        unique_together = (("subscriber", "key"),)
        indexes = (("state", "next_at"), ("subscriber", "dossier_id", "id"))


class ConfigRevision(Model):
    """A revision number per shared configuration (calendar, channel policies): bumped in the
    transaction that changes it, polled by every process so caches follow within seconds."""

    key = fields.CharField(max_length=32, primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "config_revision"


ATTACHMENT_SOURCES = ("upload", "counter_scan", "reused", "supplement")


class Attachment(Model):
    """One stored component of a dossier (a file): what KPI 4.2 (digitisation) and 4.3 (reuse) count."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="attachments")
    dossier_id: int
    component = fields.CharField(max_length=200)  # the form field (component key) it answers
    name = fields.CharField(max_length=255, default="")
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField(default=0)
    content_type = fields.CharField(max_length=100, default="")
    source = fields.CharField(max_length=16, default="upload")  # ATTACHMENT_SOURCES
    at = fields.DatetimeField()

    class Meta:
        table = "attachment"
        indexes = (("dossier_id",),)


class DossierPause(Model):
    """A stretch of time the dossier waited for the citizen (supplement, financial obligation)."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="pause_rows")
    dossier_id: int
    reason = fields.CharField(max_length=24)  # supplement | financial_obligation
    start_at = fields.DatetimeField()
    end_at = fields.DatetimeField(null=True)

    class Meta:
        table = "dossier_pause"
        indexes = (("dossier_id", "start_at"),)


RESULT_CHANNELS = ("paper", "electronic", "both")


class DossierResult(Model):
    """The result of a dossier: issued when processing finishes, returned through a channel."""

    id = fields.IntField(primary_key=True)
    dossier: fields.OneToOneRelation[Any] = fields.OneToOneField("models.Dossier", related_name="result")
    dossier_id: int
    outcome = fields.CharField(max_length=16, default="granted")  # granted | refused
    document: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # {name, sha256, …}
    channel = fields.CharField(max_length=12, null=True)  # RESULT_CHANNELS, when returned
    issued_at = fields.DatetimeField()
    returned_at = fields.DatetimeField(null=True)

    class Meta:
        table = "dossier_result"
