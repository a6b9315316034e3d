"""Security records shared by every process: idempotent replays of API calls."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class IdempotencyRecord(Model):
    """The first answer to a state-changing API call sent with an `Idempotency-Key`, replayed to a
    retry with the same key (status 0 while the first call is still running)."""

    id = fields.IntField(primary_key=True)
    user_id = fields.IntField()
    key = fields.CharField(max_length=200)
    method = fields.CharField(max_length=8)
    path = fields.CharField(max_length=500)
    fingerprint = fields.CharField(max_length=64)  # sha256 of method, path and body
    status = fields.SmallIntField(default=0)
    content_type = fields.CharField(max_length=100, default="")
    body = fields.TextField(default="")
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_record"
        unique_together = (("user_id", "key"),)


class ThrottleBucket(Model):
    """Failed sign-ins (per account, per address) and tracking look-ups (per address) in a window,
    shared by every web process and kept across restarts."""

    key = fields.CharField(max_length=200, primary_key=True)
    started_at = fields.DatetimeField()
    hits = fields.IntField(default=0)
    blocked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "throttle_bucket"
