"""The designer's working copy of a procedure (one draft per procedure) and its audit trail."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ProcedureDraft(Model):
    """What the admin is editing: the BPMN XML and its forms, saved with a revision check.

    Publishing copies it into an immutable ProcedureVersion; the draft lives on for the next one."""

    id = fields.IntField(primary_key=True)
    procedure: fields.OneToOneRelation[Any] = fields.OneToOneField("models.Procedure", related_name="draft")
    procedure_id: int
    bpmn_xml = fields.TextField()
    forms: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # ref -> form-js schema
    # the procedure's facts as the admin typed them, problems and all (engine/metadata.py); null: not
    # edited yet (engine.metadata.of_draft starts from the latest version)
    metadata: fields.Field[dict[str, Any] | None] = fields.JSONField(null=True)
    revision = fields.IntField(default=0)  # every save is `WHERE revision = r`, then r + 1
    based_on = fields.IntField(null=True)  # version number the draft was last published as / taken from
    updated_by = fields.CharField(max_length=150, default="")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "procedure_draft"


class DesignAudit(Model):
    """Who edited, checked or published what, when. Append-only, but the autosaves of a sitting share a row."""

    id = fields.IntField(primary_key=True)
    procedure: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Procedure",
                                                                        related_name="design_audit")
    procedure_id: int
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=150, default="")
    # created | imported | duplicated | edited | form_saved | form_deleted | checked | published
    action = fields.CharField(max_length=32)
    revision = fields.IntField(null=True)
    version_number = fields.IntField(null=True)
    details: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "design_audit"
        indexes = (("procedure_id", "at"),)
