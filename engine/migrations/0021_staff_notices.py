from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0020_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StaffNotice',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, description='idempotency: "<outbox key>/<kind>/<target>" — a repeated delivery inserts nothing', max_length=200)),
                ('user_id', fields.IntField(null=True)),
                ('role', fields.CharField(null=True, max_length=64)),
                ('agency_code', fields.CharField(default='', max_length=32)),
                ('dossier_id', fields.IntField()),
                ('dossier_code', fields.CharField(max_length=64)),
                ('task_id', fields.CharField(null=True, max_length=36)),
                ('kind', fields.CharField(max_length=16)),
                ('text_key', fields.CharField(max_length=64)),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_notice', 'app': 'models', 'indexes': [Index(fields=['user_id', 'at']), Index(fields=['role', 'at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffNoticeDigest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField(unique=True)),
                ('last_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_notice_digest', 'app': 'models', 'pk_attr': 'id', 'table_description': "When the user's last e-mail digest was composed (its notices are not repeated in the next)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StaffNoticeRead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice_id', fields.BigIntField()),
                ('user_id', fields.IntField()),
                ('read_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_notice_read', 'app': 'models', 'unique_together': (('notice_id', 'user_id'),), 'pk_attr': 'id', 'table_description': "One member of a role read one of the role's notices."},
            bases=['Model'],
        ),
    ]
