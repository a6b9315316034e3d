"""Who opened which stored document of a dossier, when, and why (the personal-data access log)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

#: why a document was opened (the page the officer came from)
ACCESS_PURPOSES = ("dossier", "task", "supplement")


class DocumentAccess(Model):
    """Append-only: one row per view of a dossier's attachment by staff (SECURITY: V16.3.2)."""

    id = fields.IntField(primary_key=True)
    dossier: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Dossier", related_name="accesses")
    dossier_id: int
    attachment: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField("models.Attachment",
                                                                         related_name="accesses")
    attachment_id: int
    user_id = fields.IntField(null=True)
    username = fields.CharField(max_length=150)
    purpose = fields.CharField(max_length=16, default="dossier")  # ACCESS_PURPOSES
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
