"""Procedures (national catalogue entries) and their immutable published versions."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

TIME_UNITS = ("working_days", "working_hours", "calendar_days", "same_day")


class Procedure(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)  # national code, e.g. 1.001193
    slug = fields.CharField(max_length=100, default="")
    name = fields.CharField(max_length=300)
    name_en = fields.CharField(max_length=300, default="")
    agency = fields.CharField(max_length=300, default="")
    time_limit = fields.DecimalField(max_digits=8, decimal_places=2, default=0)
    time_unit = fields.CharField(max_length=16, default="working_days")
    fee = fields.CharField(max_length=300, default="")
    online_level = fields.CharField(max_length=16, default="partial")
    components: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)
    versions: fields.ReverseRelation[ProcedureVersion]

    class Meta:
        table = "procedure"


class ProcedureVersion(Model):
    """One published model. Never updated after publishing except its status (retire)."""

    id = fields.IntField(primary_key=True)
    procedure: fields.ForeignKeyRelation[Procedure] = fields.ForeignKeyField(
        "models.Procedure", related_name="versions"
    )
    procedure_id: int
    number = fields.IntField()
    status = fields.CharField(max_length=16, default="published")  # published | retired
    process_id = fields.CharField(max_length=200)
    bpmn_xml = fields.TextField()
    digest = fields.CharField(max_length=64)  # sha256 of the BPMN bytes + forms (+ the time limit, since 0006)
    spec_json = fields.TextField()  # SpiffWorkflow spec dicts (top + subprocesses), parsed once
    forms: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # ref -> form-js schema
    lanes: fields.Field[dict[str, str]] = fields.JSONField(default=dict)  # lane name -> role code
    elements: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # bpmn id -> {name, form, budget}
    # applicant/contact mapping: {name, id_number, phone, email} -> field key (dotted) of the start form
    applicant: fields.Field[dict[str, str] | None] = fields.JSONField(null=True)  # null: published before 0008
    # The procedure's time limit when this version was published: a dossier keeps the limit of
    # the version it was received under, whatever the procedure says later. db_default: the
    # columns are added to tables that already hold versions (migration 0006 backfills them).
    time_limit = fields.DecimalField(max_digits=8, decimal_places=2, default=0, db_default=0)
    time_unit = fields.CharField(max_length=16, default="working_days", db_default="working_days")
    # the procedure's published facts (engine/metadata.py): components, fees, legal basis, reception
    # points, delivery options, level…; null: published before 0011 (the procedure row stands in)
    metadata: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    published_by = fields.CharField(max_length=150, default="")
    published_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "procedure_version"
        unique_together = (("procedure", "number"),)
