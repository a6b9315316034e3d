"""Timer rows: every armed BPMN timer of every dossier; the database, not the scheduler, is the truth."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Timer(Model):
    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="timers")
    dossier_id: int
    task_id = fields.CharField(max_length=36)
    element_id = fields.CharField(max_length=200)
    # bpmn | sla_due_soon | sla_overdue | sla_apology | auto_close
    kind = fields.CharField(max_length=32, default="bpmn")
    due_at = fields.DatetimeField()
    state = fields.CharField(max_length=16, default="pending")  # pending | firing | fired | cancelled
    fired_at = fields.DatetimeField(null=True)
    payload: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "timer"
        indexes = (("state", "due_at"), ("dossier_id", "state"))
