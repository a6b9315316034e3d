"""In-app staff notifications (engine/staff_notices.py): notices, who read a role's notice, digests.

A notice targets one user (`user_id`) or one role (`role`) within the dossier's agency: a task
arriving in a role's inbox is ONE row however many members the role has; each member's reading
of it is a `staff_notice_read` row (a user-targeted notice keeps its own `read_at`)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

NOTICE_KINDS = ("task_opened", "due_soon", "overdue", "escalation", "supplement", "task_resumed")


class StaffNotice(Model):
    id = fields.BigIntField(primary_key=True)
    #: idempotency: "<outbox key>/<kind>/<target>" — a repeated delivery inserts nothing
    key = fields.CharField(max_length=200, unique=True)
    user_id = fields.IntField(null=True)  # a user-targeted notice (the claimant of a task)…
    role = fields.CharField(max_length=64, null=True)  # …or a role's (every member of it, in the agency)
    agency_code = fields.CharField(max_length=32, default="")  # the dossier's: staff of other agencies never see it
    dossier_id = fields.IntField()
    dossier_code = fields.CharField(max_length=64)
    task_id = fields.CharField(max_length=36, null=True)  # the page to open, when the notice is about a task
    kind = fields.CharField(max_length=16)  # one of NOTICE_KINDS
    text_key = fields.CharField(max_length=64)  # the wording (web/staff/notice_text.py), never text
    params: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)  # user-targeted notices only

    class Meta:
        table = "staff_notice"
        indexes = (("user_id", "at"), ("role", "at"))


class StaffNoticeRead(Model):
    """One member of a role read one of the role's notices."""

    id = fields.BigIntField(primary_key=True)
    notice_id = fields.BigIntField()
    user_id = fields.IntField()
    read_at = fields.DatetimeField()

    class Meta:
        table = "staff_notice_read"
        unique_together = (("notice_id", "user_id"),)


class StaffNoticeDigest(Model):
    """When the user's last e-mail digest was composed (its notices are not repeated in the next)."""

    id = fields.IntField(primary_key=True)
    user_id = fields.IntField(unique=True)
    last_at = fields.DatetimeField()

    class Meta:
        table = "staff_notice_digest"
