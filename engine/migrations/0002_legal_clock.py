from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('on', fields.DateField(unique=True)),
                ('kind', fields.CharField(max_length=8)),
                ('note', fields.CharField(default='', max_length=300)),
                ('created_by', fields.CharField(default='', max_length=150)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'calendar_override', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One date the province treats differently from the national calendar.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ChannelPolicy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=300)),
                ('procedure_codes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reception_points', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('start_on', fields.DateField()),
                ('end_on', fields.DateField(null=True)),
                ('weekdays', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('channels_allowed', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('exceptions_allowed', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('message', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.CharField(default='', max_length=150)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'channel_policy', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A rule with a scope (procedures, reception points), a date range, optional weekdays and the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='accepted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='applicant_name',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Dossier',
            name='channel_exception',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Dossier',
            name='due_adjusted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='due_original_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='extension',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Dossier',
            name='lifecycle_status',
            field=fields.SmallIntField(default=1),
        ),
        ops.AddField(
            model_name='Dossier',
            name='pauses',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Dossier',
            name='reception_point',
            field=fields.CharField(default='', max_length=100),
        ),
        ops.AddField(
            model_name='Dossier',
            name='refusal',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Dossier',
            name='result_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='returned_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='supplement_overridden',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Dossier',
            name='supplement_requests',
            field=fields.SmallIntField(default=0),
        ),
        ops.AddField(
            model_name='HumanTask',
            name='kind',
            field=fields.CharField(default='bpmn', max_length=16),
        ),
        ops.AddField(
            model_name='HumanTask',
            name='verdict',
            field=fields.CharField(null=True, max_length=8),
        ),
        ops.AddField(
            model_name='Timer',
            name='payload',
            field=fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
