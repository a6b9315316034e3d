"""The citizen form funnel: application attempts and the server-side validation rules that failed.

Counts only: a failure row names the field key and the rule, never the value typed (admins read it)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class FormAttempt(Model):
    """One citizen's application to one procedure, from the first post of its form to the submission."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="form_attempts", null=True, on_delete=fields.SET_NULL)
    user_id: int | None
    procedure_code = fields.CharField(max_length=32)
    started_at = fields.DatetimeField()
    last_activity_at = fields.DatetimeField()
    submitted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "form_attempt"
        indexes = (("procedure_code", "started_at"), ("user_id", "procedure_code", "submitted_at"))


class FormFailure(Model):
    """One failed rule of one field in one refused post of an application form (no value kept)."""

    id = fields.IntField(primary_key=True)
    attempt: fields.ForeignKeyRelation[FormAttempt] = fields.ForeignKeyField(
        "models.FormAttempt", related_name="failures", on_delete=fields.CASCADE)
    attempt_id: int
    procedure_code = fields.CharField(max_length=32)
    field_key = fields.CharField(max_length=200)
    rule = fields.CharField(max_length=40)
    at = fields.DatetimeField()

    class Meta:
        table = "form_failure"
        indexes = (("procedure_code", "at"),)
