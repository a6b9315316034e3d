"""Who read which dossier's personal data, when, why and through which channel (the access log).

One row per read by staff: a stored document opened (`attachment_id` set), or the dossier's data
shown (the staff dossier page, a task page, GET /api/v1/dossiers/{code} and /tasks/{id}, a row of the
search CSV export; `attachment_id` null). Read through engine.document_access.reads_of."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

#: why the data was read (the page or call the officer came from)
ACCESS_PURPOSES = ("dossier", "task", "supplement", "export")
#: how: a page of the site, or the JSON API
ACCESS_CHANNELS = ("page", "api")


class DocumentAccess(Model):
    """Append-only: one row per read of a dossier's personal data by staff (SECURITY: V16.3.2)."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="accesses")
    dossier_id: int
    attachment: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Attachment", related_name="accesses", null=True)
    attachment_id: int | None
    user_id = fields.IntField(null=True)
    username = fields.CharField(max_length=150)
    purpose = fields.CharField(max_length=16, default="dossier")  # ACCESS_PURPOSES
    channel = fields.CharField(max_length=8, default="page")  # ACCESS_CHANNELS
    at = fields.DatetimeField()

    class Meta:
        table = "document_access"
        indexes = (("dossier_id", "at"),)


class DataExport(Model):
    """Append-only: one row per export of a citizen's own data (Law 91/2025: the right of access)."""

    id = fields.IntField(primary_key=True)
    user_id = fields.IntField(db_index=True)
    username = fields.CharField(max_length=150)
    dossiers = fields.IntField(default=0)  # how many dossiers the ZIP held
    files = fields.IntField(default=0)  # how many stored documents it held
    at = fields.DatetimeField()

    class Meta:
        table = "data_export"
