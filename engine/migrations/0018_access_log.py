from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0017_sessions')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='DocumentAccess',
            options={'table': 'document_access', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'at'])], 'pk_attr': 'id', 'table_description': "Append-only: one row per read of a dossier's personal data by staff (SECURITY: V16.3.2)."},
        ),
        ops.AlterField(
            model_name='DocumentAccess',
            name='attachment',
            field=fields.ForeignKeyField('models.Attachment', source_field='attachment_id', null=True, db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='DocumentAccess',
            name='channel',
            field=fields.CharField(default='page', max_length=8),
        ),
    ]
