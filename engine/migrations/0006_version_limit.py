from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Each version keeps the time limit it was published with; versions published before this
# migration take their procedure's limit as it stands now (the best value left to us).
BACKFILL = (
    "UPDATE procedure_version SET "
    "time_limit = (SELECT p.time_limit FROM procedure p WHERE p.id = procedure_version.procedure_id), "
    "time_unit = (SELECT p.time_unit FROM procedure p WHERE p.id = procedure_version.procedure_id)"
)

class Migration(migrations.Migration):
    dependencies = [('models', '0005_drafts')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ProcedureVersion',
            name='time_limit',
            field=fields.DecimalField(default=0, db_default=0, max_digits=8, decimal_places=2),
        ),
        ops.AddField(
            model_name='ProcedureVersion',
            name='time_unit',
            field=fields.CharField(default='working_days', db_default='working_days', max_length=16),
        ),
        ops.RunSQL(BACKFILL, reverse_sql=""),
    ]
