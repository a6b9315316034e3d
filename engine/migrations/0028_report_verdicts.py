from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# Issue 12 at scale: the Decision 766 figures are counted in SQL (engine/report_sql.py) over stored
# per-dossier verdict columns instead of being judged in Python row by row. The new columns are
# folded by engine/report_facts.py; rows projected before this migration get the two that need no
# calendar here (span_s, and late_anyway from the late flag and the request count) and the rest from
# `motcua reports rebuild` (run it once after upgrading: until then engine/report_sql.py finds their
# verdict columns empty and judges those open dossiers in Python, as before: right, only slower).
# The period's rows are read from two indexes keyed on the acceptance instant: every row, and the
# dossiers still open (partial: every period's on-time population carries them whatever their
# acceptance date). PostgreSQL: covering (INCLUDE every column a figure reads or filters on), so
# a quarter's figures are an index-only range scan, not a heap page per dossier (at 1 M dossiers
# the heap does not stay in memory). SQLite has no INCLUDE: the open rows' index only.
_READ = ("dossier_id, ended_at, result_at, agency_code, procedure_code, sector, reception_point, channel, "
         "submitter_kind, e_result, paper_result, has_components, reused, identity_verified, synced, rating, "
         "time_limit, time_unit, work_units, kpi_late, late_anyway, first_due_at, kpi_due_at, paused_from, "
         "paused_until")


async def _create(apps, schema_editor):
    client = schema_editor.client
    pg = client.capabilities.dialect == "postgres"
    span = ("EXTRACT(EPOCH FROM ended_at - accepted_at)::bigint + 1" if pg else
            "CAST((julianday(ended_at) - julianday(accepted_at)) * 86400 AS INTEGER) + 2")  # rounded up
    await client.execute_script(
        f"UPDATE report_dossier SET span_s = {span} WHERE ended_at IS NOT NULL AND accepted_at IS NOT NULL;"
        "UPDATE report_dossier SET late_anyway = TRUE WHERE late_flag OR supplement_requests > 1")
    if pg:
        await client.execute_script(
            f"CREATE INDEX IF NOT EXISTS report_dossier_period ON report_dossier (accepted_at) INCLUDE ({_READ});"
            f"CREATE INDEX IF NOT EXISTS report_dossier_open ON report_dossier (accepted_at) INCLUDE ({_READ}) "
            "WHERE ended_at IS NULL")
    else:
        await client.execute_script(
            "CREATE INDEX IF NOT EXISTS report_dossier_open ON report_dossier (accepted_at) WHERE ended_at IS NULL")


async def _drop(apps, schema_editor):
    await schema_editor.client.execute_script(
        "DROP INDEX IF EXISTS report_dossier_period; DROP INDEX IF EXISTS report_dossier_open")


class Migration(migrations.Migration):
    dependencies = [('models', '0027_target_audit')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReportDossier',
            name='first_due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportDossier',
            name='late_anyway',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ReportDossier',
            name='paused_from',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportDossier',
            name='paused_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ReportDossier',
            name='span_s',
            field=fields.BigIntField(null=True),
        ),
        ops.AddIndex(
            model_name='ReportDossier',
            index=Index(fields=['span_s']),
        ),
        # KPI 3.2 probes each procedure for one online dossier accepted in the period
        ops.RemoveIndex(
            model_name='ReportDossier',
            name=None,
            fields=['procedure_code', 'accepted_at'],
        ),
        ops.AddIndex(
            model_name='ReportDossier',
            index=Index(fields=['procedure_code', 'channel', 'accepted_at']),
        ),
        ops.RunPython(_create, _drop),
    ]
