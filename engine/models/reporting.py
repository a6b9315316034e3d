"""Reporting projections (engine/report_facts.py): one facts row per dossier and per staff task,
folded from the dossier events by the outbox subscriber ``reports``; plus the configurable KPI targets."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ReportDossier(Model):
    """What the Decision 766 indicators read of one dossier (no workflow is deserialised)."""

    dossier_id = fields.IntField(primary_key=True)  # the dossier's id (always given on insert)
    code = fields.CharField(max_length=64, unique=True)
    procedure_code = fields.CharField(max_length=32, default="")
    sector = fields.CharField(max_length=200, default="")  # lĩnh vực (procedure metadata)
    agency_code = fields.CharField(max_length=32, default="")
    reception_point = fields.CharField(max_length=100, default="")
    channel = fields.CharField(max_length=16, default="online")
    submitter_kind = fields.CharField(max_length=24, default="citizen")  # citizen | proxy | officer_assisted | post
    identity_verified = fields.BooleanField(default=False)  # submitted from a verified citizen account
    received_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    due_original_at = fields.DatetimeField(null=True)
    due_adjusted_at = fields.DatetimeField(null=True)
    reappointed = fields.BooleanField(default=False)
    ended_at = fields.DatetimeField(null=True)  # end of processing, 766 priority (result > returned > refused…)
    result_at = fields.DatetimeField(null=True)
    returned_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)  # refused / withdrawn / stopped
    lifecycle_status = fields.SmallIntField(default=1)
    late_flag = fields.BooleanField(default=False)
    # fixed once processing ended (engine/report_facts.py `judge`): the 766 verdict and the processing
    # time in the procedure's unit; None while unfinished (judged at each period's end instead)
    kpi_late = fields.BooleanField(null=True)
    kpi_due_at = fields.DatetimeField(null=True)  # sla.kpi_due (None with a pause still open)
    work_units = fields.DecimalField(max_digits=12, decimal_places=4, null=True)
    # what judges an unfinished dossier at any instant in SQL (engine/report_sql.py): late whatever the
    # times (late flag, more than one supplement request or pause); the KPI due before any pause
    # (sla.due_at); the first pause's start and the last pause's end (None while one is open); and the
    # acceptance-to-end span in seconds (its maximum bounds the scan for dossiers carried into a period)
    late_anyway = fields.BooleanField(default=False, db_default=False)
    first_due_at = fields.DatetimeField(null=True)
    paused_from = fields.DatetimeField(null=True)
    paused_until = fields.DatetimeField(null=True)
    span_s = fields.BigIntField(null=True)
    supplement_requests = fields.SmallIntField(default=0)
    pauses: fields.Field[list[dict[str, str | None]]] = fields.JSONField(default=list)  # [{start_at, end_at, reason}]
    paused_hours = fields.DecimalField(max_digits=10, decimal_places=2, default=0)  # closed pauses, working hours
    time_limit = fields.DecimalField(max_digits=8, decimal_places=2, default=0)
    time_unit = fields.CharField(max_length=16, default="working_days")
    # the procedure returns a paper document (its delivery options include the counter or the post, or
    # are not stated): 3.3 counts its online dossiers only with an electronic result, 4.1 counts it
    paper_result = fields.BooleanField(default=True)
    result_channel = fields.CharField(max_length=12, default="")  # paper | electronic | both
    e_result = fields.BooleanField(default=False)
    has_components = fields.BooleanField(default=False)  # at least one component file attached
    reused = fields.BooleanField(default=False)  # at least one component reused from stored data
    # national portal sync (KPI 1.4, 3.3's factor): None = nothing synced yet (no portal_sync table)
    synced = fields.BooleanField(null=True)
    rating = fields.SmallIntField(null=True)
    applied_revision = fields.IntField(default=0)  # idempotency: the last event key applied
    applied_n = fields.IntField(default=-1)

    class Meta:
        table = "report_dossier"
        # + migration 0027's covering indexes for the period's rows (engine/report_sql.py), PostgreSQL
        indexes = (("accepted_at", "agency_code"), ("ended_at",), ("procedure_code", "channel", "accepted_at"),
                   ("span_s",))


class ReportTask(Model):
    """One staff task of a dossier (the processing control sheet): its step due and verdict."""

    task_id = fields.CharField(max_length=36, primary_key=True)
    dossier_id = fields.IntField(db_index=True)
    element_id = fields.CharField(max_length=200, default="")
    name = fields.CharField(max_length=300, default="")
    role = fields.CharField(max_length=64, default="")
    kind = fields.CharField(max_length=16, default="bpmn")
    opened_at = fields.DatetimeField()
    due_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True, db_index=True)
    official = fields.CharField(max_length=150, default="")
    state = fields.CharField(max_length=12, default="open")  # open | completed | cancelled
    verdict = fields.CharField(max_length=12, default="")  # early | on_time | late ("" = no budget)

    class Meta:
        table = "report_task"


class ReportTarget(Model):
    """A configurable target per indicator (%, or the unit of 2.2), by default RULES §4.1 thresholds."""

    indicator = fields.CharField(max_length=8, primary_key=True)
    target = fields.DecimalField(max_digits=8, decimal_places=2)
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by = fields.CharField(max_length=150, default="")

    class Meta:
        table = "report_target"


class ReportTargetChange(Model):
    """The audit trail of the targets: who changed which indicator's target, when, from what to what."""

    id = fields.IntField(primary_key=True)
    indicator = fields.CharField(max_length=8, db_index=True)
    old_target = fields.DecimalField(max_digits=8, decimal_places=2)  # the target in force before (default or row)
    new_target = fields.DecimalField(max_digits=8, decimal_places=2)
    changed_by = fields.CharField(max_length=150)
    changed_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "report_target_change"
