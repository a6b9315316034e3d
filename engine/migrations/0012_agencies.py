from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Dossiers received before agencies existed: the agency of their reception point, else the agency
# their procedure names (by code or by name). Rows nothing matches keep '' (visible to province-level
# accounts only); `motcua demo` runs the same placement after seeding its agencies.
BACKFILL = (
    "UPDATE dossier SET agency_code = COALESCE("
    "(SELECT r.agency_code FROM reception_point r WHERE r.code = dossier.reception_point), "
    "(SELECT a.code FROM agency a JOIN procedure p ON p.agency IN (a.code, a.name) "
    "JOIN procedure_version v ON v.procedure_id = p.id WHERE v.id = dossier.procedure_version_id "
    "ORDER BY a.code LIMIT 1), '') WHERE agency_code = ''"
)

class Migration(migrations.Migration):
    dependencies = [('models', '0011_throttle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Agency',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('name', fields.CharField(max_length=300)),
                ('tier', fields.CharField(max_length=16)),
                ('kind', fields.CharField(max_length=24)),
                ('commune_type', fields.CharField(default='', max_length=8)),
                ('parent_code', fields.CharField(default='', max_length=32)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agency', 'app': 'models', 'pk_attr': 'code', 'table_description': 'A province-level body (the provincial committee, its public-administration centre, a department)'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReceptionPoint',
            fields=[
                ('code', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=100)),
                ('name', fields.CharField(max_length=300)),
                ('agency_code', fields.CharField(db_index=True, max_length=32)),
                ('address', fields.CharField(default='', max_length=500)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'reception_point', 'app': 'models', 'pk_attr': 'code', 'table_description': 'A counter of an agency where paper dossiers are received (its code is Dossier.reception_point).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Dossier',
            name='agency_code',
            field=fields.CharField(default='', db_index=True, db_default='', max_length=32),
        ),
        ops.RunSQL(BACKFILL, reverse_sql=""),
    ]
