"""HumanTask: a projection of the READY user tasks of a dossier (the staff inbox)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

TASK_STATES = ("ready", "completed", "cancelled")


class HumanTask(Model):
    id = fields.CharField(max_length=36, primary_key=True)  # SpiffWorkflow task UUID
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="tasks")
    element_id = fields.CharField(max_length=200)
    name = fields.CharField(max_length=300, default="")
    lane = fields.CharField(max_length=200, null=True)
    role = fields.CharField(max_length=64, null=True)
    form_ref = fields.CharField(max_length=100, null=True)
    state = fields.CharField(max_length=16, default="ready")
    claimed_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="claimed_tasks", null=True
    )
    dossier_id: int
    claimed_by_id: int | None
    claimed_at = fields.DatetimeField(null=True)
    completed_by = fields.CharField(max_length=150, null=True)
    created_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)  # from the step budget (motcua:budget)
    kind = fields.CharField(max_length=16, default="bpmn")  # bpmn | apology
    verdict = fields.CharField(max_length=8, null=True)  # early | on_time | late, at completion

    class Meta:
        table = "human_task"
        indexes = (("state", "role", "due_at"), ("dossier_id", "state"))
