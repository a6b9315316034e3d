"""Dossiers (hồ sơ): the workflow state (the truth), its status projection, and the audit trail."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

CHANNELS = ("online", "counter", "post")
SUBMITTER_KINDS = ("citizen", "proxy", "officer_assisted")
#: how a citizen may ask to be told of the dossier's steps (integrations/notify.py); "ascii" = SMS without diacritics
NOTIFY_CHOICES = ("email", "sms", "ascii")


class Dossier(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    procedure_version: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "models.ProcedureVersion", related_name="dossiers"
    )
    status = fields.CharField(max_length=24, default="processing")  # processing | completed | failed
    revision = fields.IntField(default=0)
    state = fields.TextField()  # serialized SpiffWorkflow state, spec stored once per version
    serializer_version = fields.CharField(max_length=8, default="1.5")
    channel = fields.CharField(max_length=16, default="online")
    submitter_kind = fields.CharField(max_length=24, default="citizen")
    submitted_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="dossiers", null=True
    )
    procedure_version_id: int
    submitted_by_id: int | None
    idempotency_key = fields.CharField(max_length=200, unique=True, null=True)
    error: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # Lifecycle (Decree 118): written by lifecycle commands, audited; not a BPMN projection.
    lifecycle_status = fields.SmallIntField(default=1)  # national status code 1-10 (engine/lifecycle.py)
    reception_point = fields.CharField(max_length=100, default="")
    # the agency whose dossier this is (engine/agencies.py: the reception point's, else the procedure's);
    # staff of another agency neither see it nor work on it
    agency_code = fields.CharField(max_length=32, default="", db_default="", db_index=True)
    # the applicant/contact projection (procedure's applicant mapping), written at submit
    applicant_name = fields.CharField(max_length=200, default="")
    # lower case, no diacritics (engine.catalogue.fold): the managers' name search; on PostgreSQL a
    # trigram index (migration 0009) serves `LIKE '%…%'`
    applicant_name_folded = fields.CharField(max_length=200, default="", db_default="")
    applicant_id_hash = fields.CharField(max_length=64, default="", db_default="", db_index=True)  # HMAC-SHA256
    applicant_phone = fields.CharField(max_length=20, default="", db_default="")
    applicant_email = fields.CharField(max_length=254, default="", db_default="")
    channel_exception: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # {kind, reason, by}
    accepted_at = fields.DatetimeField(null=True)
    due_original_at = fields.DatetimeField(null=True)
    due_adjusted_at = fields.DatetimeField(null=True)
    extension: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # apology + new appointment
    supplement_requests = fields.SmallIntField(default=0)
    supplement_overridden = fields.BooleanField(default=False)
    # Counted LATE by the KPI whatever the times say, and why: a rule was broken with a manager's
    # override (a second supplement request, a request after the 3-working-day window). Database
    # defaults: the column is added to a table with rows, and submit's INSERT does not name it.
    late_flag = fields.BooleanField(default=False, db_default=False)
    late_reason = fields.CharField(max_length=48, default="", db_default="")
    pauses: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)  # [{start_at, end_at, reason}]
    refusal: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)  # {reasons, at, by, stage}
    result_at = fields.DatetimeField(null=True)
    returned_at = fields.DatetimeField(null=True)
    next_timer_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    completed_at = fields.DatetimeField(null=True)
    # a rule of the model failed at run time ("cần xử lý"): {element_id, kind, at}; no values (engine/attention.py)
    attention: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    # personal data removed after the procedure's retention period (engine/retention.py); the register row stays
    purged_at = fields.DatetimeField(null=True)
    # the citizen's choice at submit of how to be told (integrations/notify.py): comma-separated
    # "email", "sms", "ascii" (SMS without diacritics); "" = no message
    notify_channels = fields.CharField(max_length=32, default="", db_default="")

    class Meta:
        table = "dossier"
        # the managers' search (engine/dossiers/search.py): newest first, by status, by acceptance
        indexes = (("created_at", "id"), ("lifecycle_status", "created_at"), ("accepted_at",),
                   ("procedure_version_id", "created_at"))


class AuditEvent(Model):
    """Append-only: who did what to which dossier, when, and which data it changed."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Dossier] = fields.ForeignKeyField(
        "models.Dossier", related_name="audit_events"
    )
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=150, default="")  # username, or "engine"
    action = fields.CharField(max_length=48)
    element_id = fields.CharField(max_length=200, null=True)
    task_id = fields.CharField(max_length=36, null=True)
    revision = fields.IntField()
    data_diff: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    details: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # engine steps, events, errors

    class Meta:
        table = "audit_event"
        indexes = (("dossier_id", "at"),)


class DossierCounter(Model):
    """Per agency and day sequence for human-readable dossier codes."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "dossier_counter"


class Rating(Model):
    """A citizen's satisfaction rating of a dossier (ND118 art. 31–33), one per dossier."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Dossier] = fields.OneToOneField("models.Dossier", related_name="rating")
    score = fields.SmallIntField()  # 1 (very unsatisfied) … 5 (very satisfied)
    comment = fields.TextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "rating"
