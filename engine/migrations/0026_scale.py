from tortoise import migrations
from tortoise.migrations import operations as ops

# Issue 11 at scale: the inbox's ready tasks in their own small index. Partial (state = 'ready':
# a few per cent of the tasks), keyed in the inbox's order (role, due, arrival, id) and carrying the
# columns its capped counts filter and join on (dossier, claimer): a 15,000-task backlog for one role
# is counted ("all", "mine", "overdue") and paged by index-only reads instead of a heap read per task.
# PostgreSQL: INCLUDE; SQLite has no INCLUDE, so the two columns are trailing keys there.


async def _create(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "CREATE INDEX IF NOT EXISTS human_task_ready ON human_task (role, due_at, created_at, id) "
            "INCLUDE (dossier_id, claimed_by_id) WHERE state = 'ready'")
    else:
        await client.execute_script(
            "CREATE INDEX IF NOT EXISTS human_task_ready ON human_task "
            "(role, due_at, created_at, id, dossier_id, claimed_by_id) WHERE state = 'ready'")


async def _drop(apps, schema_editor):
    await schema_editor.client.execute_script("DROP INDEX IF EXISTS human_task_ready")


class Migration(migrations.Migration):
    dependencies = [('models', '0025_outbox_speed')]

    initial = False

    operations = [
        ops.RunPython(_create, _drop),
    ]
