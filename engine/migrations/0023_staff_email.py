from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0022_portal_sync')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='email',
            field=fields.CharField(default='', max_length=254),
        ),
    ]
