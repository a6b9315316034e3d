from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_procedure_metadata')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ThrottleBucket',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('hits', fields.IntField(default=0)),
                ('blocked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'throttle_bucket', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Failed sign-ins (per account, per address) and tracking look-ups (per address) in a window,'},
            bases=['Model'],
        ),
    ]
