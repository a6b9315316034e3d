from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_document_access')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RegistrationCode',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=43)),
                ('address', fields.CharField(max_length=254)),
                ('full_name', fields.CharField(max_length=200)),
                ('password_hash', fields.CharField(max_length=255)),
                ('code_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registration_code', 'app': 'models', 'indexes': [Index(fields=['address', 'created_at'])], 'pk_attr': 'id', 'table_description': "A citizen's pending self-registration (engine/verification.py): the one-time code is kept only"},
            bases=['Model'],
        ),
    ]
