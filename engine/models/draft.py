"""A citizen's unfinished application, kept so a long form is never lost."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class ApplicationDraft(Model):
    """One per citizen and procedure: the answers so far (the same nested keys as the submission)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.User", related_name="drafts")
    procedure_code = fields.CharField(max_length=32)
    data: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "application_draft"
        unique_together = (("user", "procedure_code"),)
