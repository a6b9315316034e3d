from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Issue 12: the targets per indicator are edited on /bao-cao/muc-tieu; each change is audited here
# (who, when, the target before and after).


class Migration(migrations.Migration):
    dependencies = [("models", "0026_scale")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ReportTargetChange",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("indicator", fields.CharField(db_index=True, max_length=8)),
                ("old_target", fields.DecimalField(max_digits=8, decimal_places=2)),
                ("new_target", fields.DecimalField(max_digits=8, decimal_places=2)),
                ("changed_by", fields.CharField(max_length=150)),
                ("changed_at", fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "report_target_change",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The audit trail of the targets: who changed which indicator's target, when, from what to what.",
            },
            bases=["Model"],
        ),
    ]
