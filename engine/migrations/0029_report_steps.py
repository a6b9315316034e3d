from tortoise import migrations
from tortoise.migrations import operations as ops

# Issue 12 at scale: the processing control sheet of /bao-cao (engine/report_steps.py) counts the
# human steps completed in a period per official and verdict in SQL. Its rows come from a partial index
# on the completion instant (steps completed by a named official), carrying what the count reads
# (official, the step's due, the dossier): an index-only range scan instead of a sequential scan of
# every task. PostgreSQL: INCLUDE; SQLite has no INCLUDE, so the columns are trailing keys there.
# A leader's sheet is limited to their agencies' dossiers: an index on the dossier's agency lets that
# join start from the agency's dossiers instead of reading every dossier.
_COLUMNS = "completed_by, due_at, dossier_id"


async def _create(apps, schema_editor):
    client = schema_editor.client
    await client.execute_script("CREATE INDEX IF NOT EXISTS dossier_agency ON dossier (agency_code)")
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            f"CREATE INDEX IF NOT EXISTS human_task_completed ON human_task (completed_at) INCLUDE ({_COLUMNS}) "
            "WHERE completed_by IS NOT NULL"
        )
    else:
        await client.execute_script(
            f"CREATE INDEX IF NOT EXISTS human_task_completed ON human_task (completed_at, {_COLUMNS}) "
            "WHERE completed_by IS NOT NULL"
        )


async def _drop(apps, schema_editor):
    await schema_editor.client.execute_script(
        "DROP INDEX IF EXISTS human_task_completed; DROP INDEX IF EXISTS dossier_agency"
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0028_report_verdicts")]

    initial = False

    operations = [
        ops.RunPython(_create, _drop),
    ]
