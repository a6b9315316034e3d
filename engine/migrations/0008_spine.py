from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_late_flag')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('component', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=255)),
                ('sha256', fields.CharField(max_length=64)),
                ('size', fields.IntField(default=0)),
                ('content_type', fields.CharField(default='', max_length=100)),
                ('source', fields.CharField(default='upload', max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attachment', 'app': 'models', 'indexes': [Index(fields=['dossier_id'])], 'pk_attr': 'id', 'table_description': 'One stored component of a dossier (a file): what KPI 4.2 (digitisation) and 4.3 (reuse) count.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ConfigRevision',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('value', fields.IntField(default=0)),
            ],
            options={'table': 'config_revision', 'app': 'models', 'pk_attr': 'key', 'table_description': 'A revision number per shared configuration (calendar, channel policies): bumped in the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DossierPause',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='pause_rows', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(max_length=24)),
                ('start_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dossier_pause', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'start_at'])], 'pk_attr': 'id', 'table_description': 'A stretch of time the dossier waited for the citizen (supplement, financial obligation).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DossierResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.OneToOneField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='result', on_delete=OnDelete.CASCADE)),
                ('outcome', fields.CharField(default='granted', max_length=16)),
                ('document', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('channel', fields.CharField(null=True, max_length=12)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('returned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'dossier_result', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The result of a dossier: issued when processing finishes, returned through a channel.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscriber', fields.CharField(max_length=64)),
                ('dossier_id', fields.IntField()),
                ('key', fields.CharField(max_length=120)),
                ('kind', fields.CharField(max_length=32)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='pending', max_length=12)),
                ('attempts', fields.SmallIntField(default=0)),
                ('next_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'outbox', 'app': 'models', 'unique_together': (('subscriber', 'key'),), 'indexes': [Index(fields=['state', 'next_at']), Index(fields=['subscriber', 'dossier_id', 'id'])], 'pk_attr': 'id', 'table_description': "One delivery of one dossier event to one subscriber, appended in the command's transaction."},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['dossier_id', 'at']),
        ),
        ops.AddField(
            model_name='Dossier',
            name='applicant_email',
            field=fields.CharField(default='', db_default='', max_length=254),
        ),
        ops.AddField(
            model_name='Dossier',
            name='applicant_id_hash',
            field=fields.CharField(default='', db_index=True, db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Dossier',
            name='applicant_phone',
            field=fields.CharField(default='', db_default='', max_length=20),
        ),
        ops.AddIndex(
            model_name='HumanTask',
            index=Index(fields=['dossier_id']),
        ),
        ops.AddField(
            model_name='ProcedureVersion',
            name='applicant',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddIndex(
            model_name='Timer',
            index=Index(fields=['dossier_id', 'state']),
        ),
    ]
