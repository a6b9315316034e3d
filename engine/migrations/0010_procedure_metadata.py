from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

# Versions and drafts made before this migration keep null: engine.metadata.of_version then reads
# the procedure row, engine.metadata.of_draft the latest version (nothing to backfill).

class Migration(migrations.Migration):
    dependencies = [('models', '0009_idempotency')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ProcedureDraft',
            name='metadata',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='ProcedureVersion',
            name='metadata',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
