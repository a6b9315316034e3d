from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_legal_clock')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dossier', fields.OneToOneField('models.Dossier', source_field='dossier_id', db_constraint=True, to_field='id', related_name='rating', on_delete=OnDelete.CASCADE)),
                ('score', fields.SmallIntField()),
                ('comment', fields.TextField(default='', unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'rating', 'app': 'models', 'pk_attr': 'id', 'table_description': "A citizen's satisfaction rating of a dossier (ND118 art. 31–33), one per dossier."},
            bases=['Model'],
        ),
    ]
