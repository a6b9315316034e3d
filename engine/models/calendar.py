"""Provincial calendar overrides: extra days off and extra working days (data an admin edits)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CalendarOverride(Model):
    """One date the province treats differently from the national calendar."""

    id = fields.IntField(primary_key=True)
    on = fields.DateField(unique=True)
    kind = fields.CharField(max_length=8)  # off | working
    note = fields.CharField(max_length=300, default="")
    created_by = fields.CharField(max_length=150, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "calendar_override"
