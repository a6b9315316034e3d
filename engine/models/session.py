"""Server-side page sessions (engine/sessions.py): the browser's cookie carries only a random id."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Session(Model):
    """A page session. `id` is the SHA-256 of the cookie's 256-bit random token (a copy of the table
    gives no usable cookie); `user` is empty for an anonymous visitor (CSRF token, language, tracked
    codes); `expires_at` is the absolute end, `last_seen_at` drives the idle timeout."""

    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.User", related_name="sessions", null=True, on_delete=fields.CASCADE)
    data: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField(db_index=True)
    expires_at = fields.DatetimeField(db_index=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "session"
