from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# Issue 12 at scale: the Decision 766 figures are counted in SQL (engine/report_sql.py) over stored
# per-dossier verdict columns instead of being judged in Python row by row. The new columns are
# folded by engine/report_facts.py; rows projected before this migration get them from
# `motcua reports rebuild` (run it once after upgrading: until then their unfinished-dossier
# verdicts read as on time). The partial index finds the dossiers still open, which every
# period's on-time population carries whatever their acceptance date.


async def _create(apps, schema_editor):
    await schema_editor.client.execute_script(
        "CREATE INDEX IF NOT EXISTS report_dossier_open ON report_dossier (agency_code, accepted_at) "
        "WHERE ended_at IS NULL;"
        "CREATE INDEX IF NOT EXISTS report_dossier_open_at ON report_dossier (accepted_at) WHERE ended_at IS NULL")


async def _drop(apps, schema_editor):
    await schema_editor.client.execute_script(
        "DROP INDEX IF EXISTS report_dossier_open; DROP INDEX IF EXISTS report_dossier_open_at")

class Migration(migrations.Migration):
    dependencies = [('models', '0026_scale')]

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
            index=Index(fields=['agency_code', 'accepted_at']),
        ),
        ops.AddIndex(
            model_name='ReportDossier',
            index=Index(fields=['span_s']),
        ),
        ops.RunPython(_create, _drop),
    ]
