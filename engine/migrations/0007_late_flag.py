from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Dossiers whose second supplement request a manager overrode were already counted late.
BACKFILL = ("UPDATE dossier SET late_flag = TRUE, late_reason = 'second_supplement_request' "
            "WHERE supplement_overridden = TRUE")

class Migration(migrations.Migration):
    dependencies = [('models', '0006_version_limit')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Dossier',
            name='late_flag',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='late_reason',
            field=fields.CharField(default='', db_default='', max_length=48),
        ),
        ops.RunSQL(BACKFILL, reverse_sql=""),
    ]
