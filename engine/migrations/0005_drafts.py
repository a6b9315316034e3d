from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_designer')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApplicationDraft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='drafts', on_delete=OnDelete.CASCADE)),
                ('procedure_code', fields.CharField(max_length=32)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'application_draft', 'app': 'models', 'unique_together': (('user', 'procedure_code'),), 'pk_attr': 'id', 'table_description': 'One per citizen and procedure: the answers so far (the same nested keys as the submission).'},
            bases=['Model'],
        ),
    ]
