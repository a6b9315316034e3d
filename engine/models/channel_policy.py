"""Channel policies ("paper-free days"): which submission channels a counter accepts, when, for what."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

EXCEPTIONS = ("postal", "data_conflict", "priority_citizen", "officer_assisted")


class ChannelPolicy(Model):
    """A rule with a scope (procedures, reception points), a date range, optional weekdays and the
    channels allowed; empty scope lists mean every procedure or every reception point."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=300)
    procedure_codes: fields.Field[list[str]] = fields.JSONField(default=list)
    reception_points: fields.Field[list[str]] = fields.JSONField(default=list)
    start_on = fields.DateField()
    end_on = fields.DateField(null=True)
    weekdays: fields.Field[list[int]] = fields.JSONField(default=list)  # 0 = Monday; empty = every day
    channels_allowed: fields.Field[list[str]] = fields.JSONField(default=list)
    exceptions_allowed: fields.Field[list[str]] = fields.JSONField(default=list)
    message: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)  # {"vi": ..., "en": ...}
    active = fields.BooleanField(default=True)
    created_by = fields.CharField(max_length=150, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "channel_policy"
