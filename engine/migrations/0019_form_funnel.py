from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0018_access_log')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FormAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='form_attempts', on_delete=OnDelete.SET_NULL)),
                ('procedure_code', fields.CharField(max_length=32)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_activity_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'form_attempt', 'app': 'models', 'indexes': [Index(fields=['procedure_code', 'started_at']), Index(fields=['user_id', 'procedure_code', 'submitted_at'])], 'pk_attr': 'id', 'table_description': "One citizen's application to one procedure, from the first post of its form to the submission."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormFailure',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('models.FormAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='failures', on_delete=OnDelete.CASCADE)),
                ('procedure_code', fields.CharField(max_length=32)),
                ('field_key', fields.CharField(max_length=200)),
                ('rule', fields.CharField(max_length=40)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'form_failure', 'app': 'models', 'indexes': [Index(fields=['procedure_code', 'at'])], 'pk_attr': 'id', 'table_description': 'One failed rule of one field in one refused post of an application form (no value kept).'},
            bases=['Model'],
        ),
    ]
