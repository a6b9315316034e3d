from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_ratings')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DesignAudit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('procedure', fields.ForeignKeyField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='design_audit', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(default='', max_length=150)),
                ('action', fields.CharField(max_length=32)),
                ('revision', fields.IntField(null=True)),
                ('version_number', fields.IntField(null=True)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'design_audit', 'app': 'models', 'indexes': [Index(fields=['procedure_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Who edited, checked or published what, when. Append-only, but the autosaves of a sitting share a row.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcedureDraft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('procedure', fields.OneToOneField('models.Procedure', source_field='procedure_id', db_constraint=True, to_field='id', related_name='draft', on_delete=OnDelete.CASCADE)),
                ('bpmn_xml', fields.TextField(unique=False)),
                ('forms', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('revision', fields.IntField(default=0)),
                ('based_on', fields.IntField(null=True)),
                ('updated_by', fields.CharField(default='', max_length=150)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'procedure_draft', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What the admin is editing: the BPMN XML and its forms, saved with a revision check.'},
            bases=['Model'],
        ),
    ]
