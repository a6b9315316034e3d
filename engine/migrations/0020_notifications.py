from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0019_form_funnel')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CaughtMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=8)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(default='', max_length=300)),
                ('text', fields.TextField(unique=False)),
                ('html', fields.TextField(default='', unique=False)),
                ('attachments', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'caught_message', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Demo / development only: a message the catcher kept instead of sending it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(unique=True, max_length=120)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(max_length=8)),
                ('template', fields.CharField(max_length=48)),
                ('recipient', fields.CharField(max_length=64)),
                ('status', fields.CharField(default='queued', max_length=12)),
                ('provider_id', fields.CharField(default='', db_index=True, max_length=200)),
                ('error', fields.CharField(default='', max_length=300)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'at'])], 'pk_attr': 'id', 'table_description': 'One message to the citizen. `key` = the outbox key + ":" + channel: a redelivered outbox row'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=48)),
                ('channel', fields.CharField(max_length=8)),
                ('language', fields.CharField(max_length=2)),
                ('subject', fields.CharField(default='', max_length=200)),
                ('body', fields.TextField(unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_by', fields.CharField(default='', max_length=150)),
            ],
            options={'table': 'notification_template', 'app': 'models', 'unique_together': (('kind', 'channel', 'language'),), 'pk_attr': 'id', 'table_description': "An administrator's version of a shipped template (web/notify_templates.py has the defaults)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='notify_channels',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
    ]
