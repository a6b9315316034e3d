from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_spine')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user_id', fields.IntField()),
                ('key', fields.CharField(max_length=200)),
                ('method', fields.CharField(max_length=8)),
                ('path', fields.CharField(max_length=500)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('status', fields.SmallIntField(default=0)),
                ('content_type', fields.CharField(default='', max_length=100)),
                ('body', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'models', 'unique_together': (('user_id', 'key'),), 'pk_attr': 'id', 'table_description': 'The first answer to a state-changing API call sent with an `Idempotency-Key`, replayed to a'},
            bases=['Model'],
        ),
    ]
