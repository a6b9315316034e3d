from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
import unicodedata

# The managers' dossier search (engine/dossiers/search.py) and the scale issue's indexes.
# applicant_name_folded is backfilled here with the fold of engine.catalogue.fold as it stands
# today (copied: a migration must not change when the code does). PostgreSQL only: the code
# prefix (`LIKE 'x%'` needs text_pattern_ops outside the C collation) and the name's trigram
# index for `LIKE '%x%'` (pg_trgm, a trusted extension since PostgreSQL 13), and the inbox's
# covering index of the dossier columns it reads.


def _fold(text):
    decomposed = unicodedata.normalize("NFD", (text or "").lower().replace("đ", "d").replace("Đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())[:200]


async def _backfill(apps, schema_editor):
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    mark = "$1" if postgres else "?"
    last = 0
    while True:
        _, rows = await client.execute_query(
            f"SELECT id, applicant_name FROM dossier WHERE id > {mark} ORDER BY id LIMIT 1000", [last])
        if not rows:
            break
        for row in rows:
            folded = _fold(row["applicant_name"])
            if folded:
                await client.execute_query(
                    "UPDATE dossier SET applicant_name_folded = " + ("$1 WHERE id = $2" if postgres else "? WHERE id = ?"),
                    [folded, row["id"]])
        last = rows[-1]["id"]
    if postgres:
        await client.execute_script(
            "CREATE INDEX IF NOT EXISTS dossier_code_prefix ON dossier (code text_pattern_ops); "
            # the inbox joins its ready tasks (~1-2 % of the dossiers) to their dossier: with the
            # columns it reads in the index, each is an index-only lookup, which the planner
            # prefers to a hash join over the whole table (EXPLAIN, tests/engine/test_query_plans.py)
            "CREATE INDEX IF NOT EXISTS dossier_inbox_cover ON dossier (id) "
            "INCLUDE (procedure_version_id, lifecycle_status, due_adjusted_at, code)")
        _, found = await client.execute_query(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if found:
            await client.execute_script(
                "CREATE EXTENSION IF NOT EXISTS pg_trgm; "
                "CREATE INDEX IF NOT EXISTS dossier_applicant_trgm ON dossier "
                "USING gin (applicant_name_folded gin_trgm_ops)")


async def _drop(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(
            "DROP INDEX IF EXISTS dossier_code_prefix; DROP INDEX IF EXISTS dossier_applicant_trgm; "
            "DROP INDEX IF EXISTS dossier_inbox_cover")

class Migration(migrations.Migration):
    dependencies = [('models', '0012_agencies')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Dossier',
            name='applicant_name_folded',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['lifecycle_status', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['accepted_at']),
        ),
        ops.AddIndex(
            model_name='Dossier',
            index=Index(fields=['procedure_version_id', 'created_at']),
        ),
        ops.RemoveIndex(
            model_name='HumanTask',
            name=None,
            fields=['state', 'role'],
        ),
        ops.RemoveIndex(
            model_name='HumanTask',
            name=None,
            fields=['dossier_id'],
        ),
        ops.AddIndex(
            model_name='HumanTask',
            index=Index(fields=['state', 'role', 'due_at']),
        ),
        ops.AddIndex(
            model_name='HumanTask',
            index=Index(fields=['dossier_id', 'state']),
        ),
        ops.RunPython(_backfill, _drop),
    ]
