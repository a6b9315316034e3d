from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0023_staff_email')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportDossier',
            fields=[
                ('dossier_id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=64)),
                ('procedure_code', fields.CharField(default='', max_length=32)),
                ('sector', fields.CharField(default='', max_length=200)),
                ('agency_code', fields.CharField(default='', max_length=32)),
                ('reception_point', fields.CharField(default='', max_length=100)),
                ('channel', fields.CharField(default='online', max_length=16)),
                ('submitter_kind', fields.CharField(default='citizen', max_length=24)),
                ('identity_verified', fields.BooleanField(default=False)),
                ('received_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_original_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('due_adjusted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reappointed', fields.BooleanField(default=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('result_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('returned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lifecycle_status', fields.SmallIntField(default=1)),
                ('late_flag', fields.BooleanField(default=False)),
                ('kpi_late', fields.BooleanField(null=True)),
                ('kpi_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('work_units', fields.DecimalField(null=True, max_digits=12, decimal_places=4)),
                ('supplement_requests', fields.SmallIntField(default=0)),
                ('pauses', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('paused_hours', fields.DecimalField(default=0, max_digits=10, decimal_places=2)),
                ('time_limit', fields.DecimalField(default=0, max_digits=8, decimal_places=2)),
                ('time_unit', fields.CharField(default='working_days', max_length=16)),
                ('paper_result', fields.BooleanField(default=True)),
                ('result_channel', fields.CharField(default='', max_length=12)),
                ('e_result', fields.BooleanField(default=False)),
                ('has_components', fields.BooleanField(default=False)),
                ('reused', fields.BooleanField(default=False)),
                ('synced', fields.BooleanField(null=True)),
                ('rating', fields.SmallIntField(null=True)),
                ('applied_revision', fields.IntField(default=0)),
                ('applied_n', fields.IntField(default=-1)),
            ],
            options={'table': 'report_dossier', 'app': 'models', 'indexes': [Index(fields=['accepted_at', 'agency_code']), Index(fields=['ended_at']), Index(fields=['procedure_code', 'accepted_at'])], 'pk_attr': 'dossier_id', 'table_description': 'What the Decision 766 indicators read of one dossier (no workflow is deserialised).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportTarget',
            fields=[
                ('indicator', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=8)),
                ('target', fields.DecimalField(max_digits=8, decimal_places=2)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('updated_by', fields.CharField(default='', max_length=150)),
            ],
            options={'table': 'report_target', 'app': 'models', 'pk_attr': 'indicator', 'table_description': 'A configurable target per indicator (%, or the unit of 2.2), by default RULES §4.1 thresholds.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportTask',
            fields=[
                ('task_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('dossier_id', fields.IntField(db_index=True)),
                ('element_id', fields.CharField(default='', max_length=200)),
                ('name', fields.CharField(default='', max_length=300)),
                ('role', fields.CharField(default='', max_length=64)),
                ('kind', fields.CharField(default='bpmn', max_length=16)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('official', fields.CharField(default='', max_length=150)),
                ('state', fields.CharField(default='open', max_length=12)),
                ('verdict', fields.CharField(default='', max_length=12)),
            ],
            options={'table': 'report_task', 'app': 'models', 'pk_attr': 'task_id', 'table_description': 'One staff task of a dossier (the processing control sheet): its step due and verdict.'},
            bases=['Model'],
        ),
    ]
