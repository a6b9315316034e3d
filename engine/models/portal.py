"""What the national public-service portal acknowledged of each dossier (integrations/portal.py)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class PortalSync(Model):
    """One row per dossier the portal has acknowledged: the newest revision it accepted, with that
    revision's national status code and the portal's own id. KPI 1.4 (synced dossiers) counts these
    rows (engine/portal_sync.py); written by the portal subscriber after a 2xx answer, only forward."""

    dossier_id = fields.IntField(primary_key=True)  # dossier.id (always given)
    revision = fields.IntField()  # the dossier revision of the record the portal acknowledged
    status = fields.SmallIntField()  # national status code 1-10 sent with it
    key = fields.CharField(max_length=120)  # the idempotency key of that delivery
    remote_id = fields.CharField(max_length=100, default="")
    at = fields.DatetimeField()  # when the acknowledgement arrived (UTC)

    class Meta:
        table = "portal_sync"
