from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0021_staff_notices')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PortalSync',
            fields=[
                ('dossier_id', fields.IntField(primary_key=True, unique=True, db_index=True)),
                ('revision', fields.IntField()),
                ('status', fields.SmallIntField()),
                ('key', fields.CharField(max_length=120)),
                ('remote_id', fields.CharField(default='', max_length=100)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'portal_sync', 'app': 'models', 'pk_attr': 'dossier_id', 'table_description': 'One row per dossier the portal has acknowledged: the newest revision it accepted, with that'},
            bases=['Model'],
        ),
    ]
