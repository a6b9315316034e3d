from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DocumentAccess',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.ForeignKeyField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.CASCADE)),
                ('attachment', fields.ForeignKeyField('models.Attachment', source_field='attachment_id', db_constraint=True, to_field='id', related_name='accesses', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.IntField(null=True)),
                ('username', fields.CharField(max_length=150)),
                ('purpose', fields.CharField(default='dossier', max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'document_access', 'app': 'models', 'indexes': [Index(fields=['dossier_id', 'at'])], 'pk_attr': 'id', 'table_description': "Append-only: one row per view of a dossier's attachment by staff (SECURITY: V16.3.2)."},
            bases=['Model'],
        ),
    ]
