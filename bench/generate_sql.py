"""The PostgreSQL bulk of bench/generate.py: the clones are made on the server, no Python per row but
the calendar pass of the reporting facts.

1. `gen_plan` (an unlogged work table, dropped at the end): one row per clone drawn with random() over
   generate_series (after setseed): its seed (by weight), submit instant, stretch, agency, channel,
   submitter kind, reception point, applicant, rating score, extra attachments and task ids
   (md5("<id>/<k>") as UUIDs); ids and codes ascend with the submit instant (codes go on from
   dossier_counter, which is raised after).
2. The seeds' templates (bench/generate_clone.py) go to work tables, and each table is filled by one
   INSERT … SELECT joining the plan with its templates: the instants moved, each row's own markers
   replaced. Two connections fill two tables at a time. Their settings, for the load only:
   session_replication_role = replica (no foreign-key trigger per row: the rows are consistent by
   construction, the constraints stay), default_toast_compression = lz4 (the state JSON is compressed
   5× faster than with pglz, the server's default; the columns are unchanged and read either).
   A load larger than what is there drops each table's plain indexes and unique constraints (not the
   primary key) before its INSERT and makes them again after, with the same names and definitions.
3. report_dossier: the cloned facts go to a work table; their calendar columns are judged in Python
   (`generate_clone.judge`, the rebuild's own code), copied back, then inserted.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from bench import generate_clone as gc
from bench.generate_db import Postgres
from engine.catalogue import fold
from engine.workdays import Calendar

ISO_SQL = """'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'"""
CHUNK = 50_000
BIG_FIRST = (
    "outbox",
    "audit_event",
    "dossier",
    "human_task",
    "report_task",
    "report_dossier",
    "timer",
    "attachment",
    "dossier_result",
    "dossier_pause",
    "rating",
)  # facts rows judged per round trip


def _lit(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _case(var: str, choices: Sequence[tuple[Any, float]]) -> str:
    """CASE picking a choice by its weight with the uniform draw `var`."""
    total = sum(w for _, w in choices)
    bounds = list(itertools.accumulate(w / total for _, w in choices))
    whens = " ".join(f"WHEN {var} < {b!r} THEN {_lit(c)}" for (c, _), b in zip(choices[:-1], bounds, strict=False))
    return f"CASE {whens} ELSE {_lit(choices[-1][0])} END"


def _pick(var: str, values: Sequence[Any], cast: str = "") -> str:
    """One of `values`, equally likely, with the uniform draw `var`."""
    return f"((ARRAY[{', '.join(_lit(v) for v in values)}]){cast})[1 + floor({var} * {len(values)})::int]"


def _move(x: str, deadline: str | bool) -> str:
    """An instant moved for the clone (`deadline`: a SQL boolean or a known one)."""
    act = f"p.sub + ({x} - p.seed_at) * p.stretch"
    if deadline is True:
        return f"date_trunc('second', {x} + p.shift)"
    if deadline is False:
        return f"date_trunc('second', {act})"
    return f"date_trunc('second', CASE WHEN {deadline} THEN {x} + p.shift ELSE {act} END)"


def _marker(m: str) -> str:
    if m.startswith("@T"):
        i = int(m[2:-1]) + 1
        return f"to_char({_move(f't.times[{i}]', f't.deadline[{i}]')} AT TIME ZONE 'UTC', {ISO_SQL})"
    if m.startswith("@ID"):
        return f"p.ids[{int(m[3:-1]) + 1}]"
    return {"@CODE@": "p.code", "@CH@": "p.channel", "@SK@": "p.submitter_kind", '"@SCORE@"': "p.score::text"}[m]


def _signatures(t: gc.Template) -> dict[str, list[frozenset[str]]]:
    """Per templated column, the distinct marker sets of its rows (a row replaces only its own)."""
    return {c: sorted({frozenset(gc.MARKER.findall(r[c] or "")) for r in t.rows}, key=sorted) for c in t.markers}


def _expressions(t: gc.Template, types: dict[str, str], ident: str) -> tuple[list[str], list[str]]:
    """(columns, SELECT expressions) of a table's clones; `ident`: the id of a sequence-numbered row."""
    columns, exprs = [], []
    sigs = _signatures(t)
    for c in t.columns:
        kind = t.kinds[c]
        if c == "id" and t.table not in gc.OWN_IDS:
            e = ident
        elif (t.table == "dossier" and c == "id") or c == "dossier_id":
            e = "p.id"
        elif (t.table == "dossier" and c in gc.DOSSIER_OWN) or (
            t.table == "report_dossier" and c in ("code", "agency_code", "reception_point", "channel", "submitter_kind")
        ):
            e = f"p.{c}"
        elif (t.table, c) in (("rating", "score"), ("report_dossier", "rating")):
            e = "p.score" if t.table == "rating" else "CASE WHEN t.rating IS NOT NULL THEN p.score END"
        elif kind == "ts":
            e = _move(f't."{c}"', c in gc.DEADLINE_COLUMNS)
        elif kind == "tpl":
            whens = []
            for k, markers in enumerate(sigs[c]):
                chain = f't."{c}"'
                for m in sorted(markers):
                    chain = f"replace({chain}, {_lit(m)}, COALESCE({_marker(m)}, ''))"  # a row without that instant
                whens.append(f"WHEN {k} THEN {chain}")
            e = f'(CASE t."s_{c}" {" ".join(whens)} END)::{types[c]}'
        else:
            e = f't."{c}"'
        columns.append(f'"{c}"')
        exprs.append(f'{e} AS "{c}"')
    return columns, exprs


async def _plan(
    db: Postgres, seeds: list[gc.Seed], n: int, now: datetime, first_id: int, citizen_id: int | None, rng_seed: float
) -> None:
    await db.execute("DROP TABLE IF EXISTS gen_seed, gen_plan")
    await db.execute(
        "CREATE UNLOGGED TABLE gen_seed (seed_id int, lo float8, hi float8, open bool, at timestamptz, span interval)"
    )
    cum = list(itertools.accumulate(s.weight for s in seeds))
    await db.copy(
        "gen_seed",
        ["seed_id", "lo", "hi", "open", "at", "span"],
        [
            (s.dossier_id, hi - s.weight, hi if k < len(seeds) - 1 else 2.0, s.open, s.at, s.span)
            for k, (s, hi) in enumerate(zip(seeds, cum, strict=True))
        ],
    )
    await db.fetch("SELECT setseed($1)", rng_seed)
    folded = [fold(name) for name in gc.NAMES]
    citizen = f"{int(citizen_id)}::int" if citizen_id else "NULL::int"
    ids = ", ".join(f"md5(q.id || '/{k}')::uuid::text" for k in range(max(len(s.task_ids) for s in seeds)))
    open_hours = gc.OPEN_DAYS * 24 - 1
    closed_ago = f"interval '30 days' + r[3] * (interval '{gc.YEARS * 365 - 30} days')"
    await db.execute(
        f"""
        CREATE UNLOGGED TABLE gen_plan AS SELECT q.*, ARRAY[{ids}] AS ids FROM (
        WITH d AS (
            SELECT g, ARRAY[random(), random(), random(), random(), random(), random(), random(), random(),
                            random(), random(), random()] AS r FROM generate_series(1, {int(n)}) g
        ), e AS (
            SELECT d.g, d.r, s.seed_id, s.at AS seed_at,
                   CASE WHEN s.open THEN 1.0 ELSE {_pick("r[2]", gc.STRETCH, "::float8[]")} END AS stretch,
                   s.open, s.span, {_case("r[4]", gc.CHANNELS)} AS channel, {_case("r[6]", gc.AGENCIES)} AS agency_code
            FROM d JOIN gen_seed s ON d.r[1] >= s.lo AND d.r[1] < s.hi
        ), f AS (
            SELECT e.*, date_trunc('second', $1::timestamptz - span * stretch - CASE WHEN open
                   THEN interval '1 hour' + r[3] * interval '{open_hours} hours' ELSE {closed_ago} END) AS sub
            FROM e
        ), h AS (
            SELECT f.*, sub - seed_at AS shift, to_char(sub AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') AS day,
                   row_number() OVER (ORDER BY sub, g) AS rn,
                   row_number() OVER (PARTITION BY agency_code, to_char(sub AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD')
                                      ORDER BY sub, g) AS nth
            FROM f
        )
        SELECT {int(first_id) - 1} + rn AS id, h.seed_id, h.seed_at, h.sub, h.shift, h.stretch, h.agency_code,
               h.agency_code || '|' || h.day AS counter_key,
               h.agency_code || '-' || h.day || '-' || lpad((COALESCE(c.value, 0) + nth)::text, 4, '0') AS code,
               NULL::varchar AS idempotency_key, h.channel,
               CASE WHEN h.channel = 'online' THEN 'citizen' ELSE {_case("r[5]", gc.KINDS_OFFLINE)} END
                   AS submitter_kind,
               CASE WHEN h.channel = 'online' THEN {citizen} END AS submitted_by_id,
               CASE WHEN h.channel = 'online' THEN '' ELSE {_pick("r[7]", gc.RECEPTION_POINTS)} END AS reception_point,
               {_pick("r[8]", gc.NAMES)} AS applicant_name, {_pick("r[8]", folded)} AS applicant_name_folded,
               '09' || lpad(floor(r[9] * 1e8)::bigint::text, 8, '0') AS applicant_phone,
               md5(h.g || 'a' || rn) || md5(h.g || 'b' || rn) AS applicant_id_hash,
               {_case("r[10]", gc.SCORES)} AS score, {_case("r[11]", gc.ATTACHMENTS)} AS attachments
        FROM h LEFT JOIN dossier_counter c ON c.key = h.agency_code || '|' || h.day) q ORDER BY q.id""",
        now,
    )
    await db.execute("CREATE INDEX ON gen_plan (seed_id)")
    await db.execute("ANALYZE gen_plan")


async def _template_table(db: Postgres, t: gc.Template) -> dict[str, str]:
    """gen_t_<table>: the table's templates (+ s_<column>: the row's marker set); the real table's types."""
    types = {
        r["c"]: r["t"]
        for r in await db.fetch(
            "SELECT attname AS c, format_type(atttypid, atttypmod) AS t FROM pg_attribute "
            "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped",
            t.table,
        )
    }
    name = f"gen_t_{t.table}"
    sigs = _signatures(t)
    await db.execute(f"DROP TABLE IF EXISTS {name}")
    cols = ", ".join(
        [f'"{c}" {"text" if t.kinds[c] == "tpl" else types[c]}' for c in t.columns] + [f'"s_{c}" int' for c in sigs]
    )
    await db.execute(
        f"CREATE UNLOGGED TABLE {name} (seed_id int, ord int, times timestamptz[], deadline bool[], {cols})"
    )
    ords = [sum(1 for q in t.rows[:k] if q["seed_id"] == r["seed_id"]) for k, r in enumerate(t.rows)]
    await db.copy(
        name,
        ["seed_id", "ord", "times", "deadline", *t.columns, *(f"s_{c}" for c in sigs)],
        [
            (
                r["seed_id"],
                ords[k],
                r["times"],
                r["deadline"],
                *(r[c] for c in t.columns),
                *(sigs[c].index(frozenset(gc.MARKER.findall(r[c] or ""))) for c in sigs),
            )
            for k, r in enumerate(t.rows)
        ],
    )
    return types


async def _secondary_indexes(db: Postgres, table: str) -> list[str]:
    """A table's plain indexes and unique constraints (not its primary key), dropped; the statements
    that make them again, the same names and definitions."""
    found = await db.fetch(
        "SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop, pg_get_indexdef(i.indexrelid) AS make "
        "FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
        "UNION ALL SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname), "
        "format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) "
        "FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'u' "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)",
        table,
    )
    for r in found:
        await db.execute(r["drop"])
    return [r["make"] for r in found]


async def _fill(
    db: Postgres,
    table: str,
    t: gc.Template,
    first_id: int,
    calendar: Calendar,
    rebuild_indexes: bool,
    note: Callable[[str], None],
) -> int:
    types = await _template_table(db, t)
    # a row numbered by a sequence gets its id here, in the seed's order within each clone (the trail's
    # order is its ids'), so the INSERT needs no sort; ids leave gaps where a seed has fewer rows
    numbered = table not in gc.OWN_IDS and "id" in t.columns
    base = int((await db.fetch(f"SELECT COALESCE(MAX(id), 0) + 1 AS m FROM {table}"))[0]["m"]) if numbered else 0
    per_seed = max(Counter(r["seed_id"] for r in t.rows).values(), default=1)
    columns, exprs = _expressions(t, types, f"{base} + (p.id - {first_id}) * {per_seed} + t.ord")
    select = f"SELECT {', '.join(exprs)} FROM gen_plan p JOIN gen_t_{table} t ON t.seed_id = p.seed_id"
    indexes = await _secondary_indexes(db, table) if rebuild_indexes else []
    if table == "report_dossier":
        rows = await _facts(db, columns, select, calendar, note)
    else:
        rows = int((await db.conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) {select}")).rsplit(" ", 1)[1])
    if numbered:
        await db.fetch(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    if table == "attachment":  # + the extra files (rows only)
        rows += int(
            (
                await db.conn.execute(
                    "INSERT INTO attachment (component, name, sha256, size, content_type, source, at, dossier_id) "
                    "SELECT 'giay_to_kem_theo', 'tai-lieu-' || k || '.pdf', md5(p.id || '/f' || k) || md5(p.code || k),"
                    " "
                    "20000 + (p.id * 7919 + k * 104729) % 4000000, 'application/pdf', "
                    "CASE WHEN p.channel = 'counter' THEN 'counter_scan' ELSE 'upload' END, p.sub, p.id "
                    "FROM gen_plan p, generate_series(1, p.attachments) k ORDER BY p.id, k"
                )
            ).rsplit(" ", 1)[1]
        )
    note(f"{table}: {rows:,} rows")
    for definition in indexes:
        await db.execute(definition)
    if indexes:
        note(f"{table}: {len(indexes)} indexes built again")
    await db.execute(f"DROP TABLE gen_t_{table}")
    return rows


async def clone_sql(
    db: Postgres,
    templates: dict[str, gc.Template],
    seeds: list[gc.Seed],
    n: int,
    now: datetime,
    first_id: int,
    citizen_id: int | None,
    calendar: Calendar,
    *,
    url: str,
    workers: int = 2,
    rng_seed: float = 0.42,
    say: Callable[[str], None] | None = print,
) -> int:
    """Add `n` clones, `workers` tables at a time (a connection each); the rows written. A large load
    (more clones than dossiers already there) drops the tables' plain indexes and builds them again
    after (the same definitions)."""
    started = time.perf_counter()

    def note(what: str) -> None:
        if say:
            say(f"  {what:<44} {time.perf_counter() - started:7.1f} s")

    existing = int((await db.fetch("SELECT COUNT(*) AS n FROM dossier"))[0]["n"])
    if n > existing:  # the seeds' updated rows pruned first: an index built over a broken HOT chain is not
        for table in gc.TABLES:  # used by any snapshot older than it (pg_index.indcheckxmin), anywhere on the server
            await db.execute(f"VACUUM {table}")
    await _plan(db, seeds, n, now, first_id, citizen_id, rng_seed)
    note(f"plan of {n:,} clones")
    queue = sorted(gc.TABLES, key=BIG_FIRST.index)
    rows = 0

    async def worker() -> None:
        nonlocal rows
        conn = Postgres(await asyncpg.connect(url))
        try:
            for setting in (
                "session_replication_role = replica",
                "synchronous_commit = off",
                "maintenance_work_mem = '256MB'",
                "default_toast_compression = lz4",
                "work_mem = '256MB'",
            ):  # replica: no FK trigger per row (module doc)
                await conn.execute(f"SET {setting}")
            while queue:
                table = queue.pop(0)
                added = await _fill(conn, table, templates[table], first_id, calendar, n > existing, note)
                rows += added  # (not `rows += await …`: the other worker adds meanwhile)
        finally:
            await conn.close()

    await asyncio.gather(*(worker() for _ in range(workers)))
    await db.execute(
        "INSERT INTO dossier_counter (key, value) SELECT counter_key, COUNT(*) FROM gen_plan "
        "GROUP BY counter_key ON CONFLICT (key) DO UPDATE SET value = dossier_counter.value + "
        "excluded.value"
    )
    await db.execute("DROP TABLE gen_plan, gen_seed")
    for table in gc.TABLES:
        if table not in ("human_task", "report_task", "report_dossier"):
            await db.fetch(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return rows


async def _judge_into_calc(db: Postgres, source: str, calendar: Calendar) -> None:
    """gen_calc: the calendar columns (`generate_clone.JUDGED`) of every facts row of `source`, judged
    here with the rebuild's own code (one cursor, COPY per chunk)."""
    kinds = {"kpi_due_at": "timestamptz", "kpi_late": "bool", "work_units": "numeric(12,4)",
             "paused_hours": "numeric(10,2)", "first_due_at": "timestamptz", "late_anyway": "bool",
             "paused_from": "timestamptz", "paused_until": "timestamptz", "span_s": "bigint"}
    typed = ", ".join(f"{c} {kinds[c]}" for c in gc.JUDGED)
    await db.execute(f"CREATE UNLOGGED TABLE gen_calc (dossier_id int, {typed})")
    async with db.conn.transaction():
        cursor = await db.conn.cursor(
            "SELECT dossier_id, accepted_at, ended_at, pauses::text AS pauses, time_limit, "
            f"time_unit, late_flag, supplement_requests FROM {source}"
        )
        while chunk := await cursor.fetch(CHUNK):
            await db.copy("gen_calc", ["dossier_id", *gc.JUDGED],
                          [(r["dossier_id"], *gc.judge(dict(r), calendar).values()) for r in chunk])


async def _facts(db: Postgres, columns: list[str], select: str, calendar: Calendar, note: Callable[[str], None]) -> int:
    """report_dossier: cloned into gen_facts, its calendar columns judged here, then inserted."""
    await db.execute("DROP TABLE IF EXISTS gen_facts, gen_calc")
    await db.execute(f"CREATE UNLOGGED TABLE gen_facts AS {select}")
    note("report_dossier: cloned")
    await _judge_into_calc(db, "gen_facts", calendar)
    note("report_dossier: calendar columns judged")
    names = [c.strip('"') for c in columns]
    own = set(gc.JUDGED)
    picks = ", ".join(f"c.{c}" if c in own else f"f.{c}" for c in names)
    status = await db.conn.execute(
        f"INSERT INTO report_dossier ({', '.join(names)}) SELECT {picks} FROM gen_facts f "
        "JOIN gen_calc c USING (dossier_id) ORDER BY f.dossier_id"
    )
    note("report_dossier: inserted")
    await db.execute("DROP TABLE gen_facts, gen_calc")
    return int(status.rsplit(" ", 1)[1])


async def rejudge(db: Postgres, calendar: Calendar, note: Callable[[str], None]) -> int:
    """Judge the calendar columns (`generate_clone.JUDGED`) of every report_dossier row again, as the
    clone pass does: for a database filled before a migration added verdict columns (or after a
    calendar change), without `motcua reports rebuild` replaying every event (minutes at 1 M)."""
    await db.execute("DROP TABLE IF EXISTS gen_calc")
    await _judge_into_calc(db, "report_dossier", calendar)
    note("report_dossier: calendar columns judged")
    sets = ", ".join(f"{c} = c.{c}" for c in gc.JUDGED)
    status = await db.conn.execute(
        f"UPDATE report_dossier f SET {sets} FROM gen_calc c WHERE c.dossier_id = f.dossier_id")
    await db.execute("DROP TABLE gen_calc")
    await db.execute("VACUUM ANALYZE report_dossier")
    note("report_dossier: updated")
    return int(status.rsplit(" ", 1)[1])
