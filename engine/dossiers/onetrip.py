"""A command's commit as ONE PostgreSQL statement: one network round trip, one implicit transaction.

`store.commit` lists its writes (`Statement`, `Insert`, `Notify`) once. SQLite, and PostgreSQL when
`statement(...)` answers None, run them in order inside `sql.transaction` (BEGIN … COMMIT: 7–9
round trips on PostgreSQL). Otherwise they become data-modifying CTEs of one statement:

    WITH g  AS (SELECT id FROM dossier WHERE id = $1 AND revision = $2 FOR UPDATE),   the guard
         m  AS (UPDATE human_task … AND EXISTS (SELECT 1 FROM g) RETURNING id),       the must-touch write
         ok AS (SELECT 1 FROM g WHERE EXISTS (SELECT 1 FROM m)),
         d  AS (UPDATE dossier SET … WHERE id = $1 AND revision = $2 AND EXISTS (SELECT 1 FROM ok)),
         w1 AS (UPDATE/DELETE … AND EXISTS (SELECT 1 FROM ok) RETURNING id), …
         i1 AS (INSERT INTO audit_event (…) SELECT … FROM jsonb_populate_recordset(NULL::audit_event, $n::jsonb)
                WHERE EXISTS (SELECT 1 FROM ok)), …
    SELECT (SELECT count(*) FROM g) AS found, (SELECT count(*) FROM m) AS touched[, pg_notify(…)]

Nothing is written unless the revision matched (g) and the must-touch write touched its row (m):
`found` = 0 or `touched` = 0 is the same Conflict as the transaction path's. A concurrent command
waits on g's row lock and then finds the revision moved.

The sub-statements of one statement share a snapshot, so a write cannot see an earlier one's
rows. The sequential meaning is kept by construction, or the transaction path is taken:
* writes never see the same command's INSERTs on either path (store lists every INSERT last);
* two UPDATE/DELETEs on one table are allowed only when each moves rows out of the states the
  others require (`SET state = 'x'` … `WHERE … state = 'y'`, x never required): then a later one
  also skips the rows an earlier one touched (`id NOT IN (SELECT id FROM w…)`), as in sequence;
* at most one must-touch write, and it is the first write on its table.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from tortoise.fields.data import JSONField
from tortoise.models import Model

from engine import models
from engine.errors import Conflict


@dataclass(frozen=True)
class Statement:
    query: str  # an UPDATE or DELETE ending in its WHERE clause
    params: list[Any]
    must_touch: bool = False  # 0 rows touched = Conflict


@dataclass(frozen=True)
class Insert:
    table: str
    rows: list[dict[str, Any]]  # every row has the same keys


@dataclass(frozen=True)
class Notify:
    channel: str
    payload: str


Write = Statement | Insert | Notify

_WRITE = re.compile(r"^(?:UPDATE (\w+) SET (.+?)|DELETE FROM (\w+)) WHERE (.+)$", re.S)
_SETS_STATE = re.compile(r"(?:^|,\s*)state = '(\w+)'")
_NEEDS_STATE = re.compile(r"\bstate = '(\w+)'|\bstate IN \(([^)]*)\)")


@dataclass
class _Table:
    ctes: list[str] = field(default_factory=list)  # the CTEs that touched it, in order
    sets: set[str] = field(default_factory=set)  # states its writes move rows into
    needs: set[str] = field(default_factory=set)  # states its writes require
    all_transitions: bool = True


def _states(found: list[tuple[str, str]]) -> set[str]:
    out: set[str] = set()
    for one, many in found:
        out |= {one} if one else {s.strip().strip("'") for s in many.split(",")}
    return out


def statement(
    dossier_id: int, revision: int, columns: list[tuple[str, Any]], writes: list[Write]
) -> tuple[str, list[Any]] | None:
    """The one statement of a commit (`?` placeholders), or None when it could change the meaning."""
    statements = [w for w in writes if isinstance(w, Statement)]
    must = [w for w in statements if w.must_touch]
    if len(must) > 1:
        return None
    tables: dict[str, _Table] = {}
    parsed: list[tuple[Statement, str, str, str]] = []  # (write, table, head, where)
    for s in statements:
        found = _WRITE.match(s.query)
        if found is None:
            return None
        table = found.group(1) or found.group(3)
        if table == "dossier":
            return None
        head = s.query[: found.start(4)].removesuffix(" WHERE ")
        t = tables.setdefault(table, _Table())
        needs = _states(_NEEDS_STATE.findall(found.group(4)))
        sets = set(_SETS_STATE.findall(found.group(2))) if found.group(1) else set()
        if not needs or (found.group(1) and not sets):
            t.all_transitions = False
        t.sets |= sets
        t.needs |= needs
        parsed.append((s, table, head, found.group(4)))
    for t_name, t in tables.items():
        count = sum(1 for _w, table, _h, _wh in parsed if table == t_name)
        if count > 1 and (not t.all_transitions or t.sets & t.needs):
            return None
    if must:
        must_table = next(table for s, table, _h, _wh in parsed if s.must_touch)
        if next(s for s, table, _h, _wh in parsed if table == must_table) is not must[0]:
            return None  # the must-touch write is not the first on its table

    ctes = ["g AS (SELECT id FROM dossier WHERE id = ? AND revision = ? FOR UPDATE)"]
    params: list[Any] = [dossier_id, revision]
    for first, table, head, where in parsed:
        if first.must_touch:
            ctes.append(f"m AS ({head} WHERE ({where}) AND EXISTS (SELECT 1 FROM g) RETURNING id)")
            params += first.params
            tables[table].ctes.append("m")
    ctes.append("ok AS (SELECT 1 AS one FROM g" + (" WHERE EXISTS (SELECT 1 FROM m))" if must else ")"))
    ctes.append(
        "d AS (UPDATE dossier SET "
        + ", ".join(f"{c} = ?" for c, _v in columns)
        + " WHERE id = ? AND revision = ? AND EXISTS (SELECT 1 FROM ok) RETURNING 1)"
    )
    params += [v for _c, v in columns] + [dossier_id, revision]
    notify: Notify | None = None
    for i, w in enumerate(writes):
        name = f"w{i}"
        if isinstance(w, Statement):
            if w.must_touch:
                continue
            table, head, where = next((t, h, wh) for s, t, h, wh in parsed if s is w)
            skip = "".join(f" AND id NOT IN (SELECT id FROM {c})" for c in tables[table].ctes)
            ctes.append(f"{name} AS ({head} WHERE ({where}) AND EXISTS (SELECT 1 FROM ok){skip} RETURNING id)")
            params += w.params
            tables[table].ctes.append(name)
        elif isinstance(w, Insert):
            if not w.rows:
                continue
            cols = ", ".join(w.rows[0])
            ctes.append(
                f"{name} AS (INSERT INTO {w.table} ({cols}) SELECT {cols} FROM "
                f"jsonb_populate_recordset(NULL::{w.table}, ?::jsonb) WHERE EXISTS (SELECT 1 FROM ok))"
            )
            params.append(json_rows(w.table, w.rows))
        else:
            notify = w
    query = "WITH " + ",\n".join(ctes) + "\nSELECT (SELECT count(*) FROM g) AS found"
    query += ", (SELECT count(*) FROM m) AS touched" if must else ", 1 AS touched"
    if notify is not None:  # delivered at COMMIT, only when the command was written
        query += ", (SELECT pg_notify(?::text, ?::text) FROM ok) AS sent"
        params += [notify.channel, notify.payload]
    return query, params


def creation(
    row: dict[str, Any], counter_key: str, code_prefix: str, writes: list[Write], token: str
) -> tuple[str, list[Any]] | None:
    """The one statement of a new dossier (submit): the day's counter, the dossier row with its code,
    then the writes, whose rows carry `token` + "id" and `token` + "code" where the new id and code
    go (replaced in the database). None when there are UPDATE/DELETEs (the transaction path)."""
    if any(isinstance(w, Statement) for w in writes):
        return None
    cols = ", ".join(row)
    ctes = [
        "c AS (INSERT INTO dossier_counter (key, value) VALUES (?, 1) "
        "ON CONFLICT (key) DO UPDATE SET value = dossier_counter.value + 1 RETURNING value)",
        f"d AS (INSERT INTO dossier ({cols}, code) SELECT {', '.join('r.' + c for c in row)}, ? || CASE "
        "WHEN c.value < 10000 THEN lpad(c.value::text, 4, '0') ELSE c.value::text END "
        "FROM jsonb_populate_record(NULL::dossier, ?::jsonb) AS r, c RETURNING id, code)",
    ]
    params: list[Any] = [counter_key, code_prefix, json_rows("dossier", [row])[1:-1]]
    notify: Notify | None = None
    for i, w in enumerate(writes):
        if isinstance(w, Insert) and w.rows:
            names = ", ".join(w.rows[0])
            ctes.append(
                f"w{i} AS (INSERT INTO {w.table} ({names}) SELECT {names} FROM jsonb_populate_recordset("
                f"NULL::{w.table}, replace(replace(?::text, ?::text, (SELECT id::text FROM d)), ?::text, "
                "(SELECT code FROM d))::jsonb))"
            )
            params += [json_rows(w.table, w.rows), f'"{token}id"', token + "code"]
        elif isinstance(w, Notify):
            notify = w
    query = "WITH " + ",\n".join(ctes) + "\nSELECT d.id, d.code"
    if notify is not None:
        query += ", pg_notify(?::text, ?::text) AS sent"
        params += [notify.channel, notify.payload]
    return query + " FROM d", params


def check(found: dict[str, Any] | None, code: str) -> None:
    """Raise the Conflict of the transaction path when the one statement wrote nothing."""
    if found is None or not found["found"]:
        raise Conflict("The dossier was changed by someone else; reload and try again", code=code)
    if not found["touched"]:
        raise Conflict("The task was changed by someone else; reload and try again")


@cache
def _json_columns(table: str) -> frozenset[str]:
    for name in models.__all__:
        model = getattr(models, name)
        if isinstance(model, type) and issubclass(model, Model) and model._meta.db_table == table:
            fields = model._meta.fields_map.items()
            return frozenset(f.source_field or key for key, f in fields if isinstance(f, JSONField))
    return frozenset()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):  # a naive instant is UTC, as asyncpg binds it (not the session's zone)
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain)


def json_rows(table: str, rows: list[dict[str, Any]]) -> str:
    """The rows as one JSON array for jsonb_populate_recordset; JSON columns' text is embedded as is.

    One encoder call per row (per value, it was 15 % of a timer fire's profile: ~90 calls a fire)."""
    if not rows:
        return "[]"
    as_json = [c for c in rows[0] if c in _json_columns(table)]  # every row has the same keys
    out = []
    for row in rows:
        raw = [c for c in as_json if isinstance(row[c], str)]  # already JSON text (sql.jsonb)
        if not raw:
            out.append(_ENCODER.encode(row))
            continue
        plain = dict(row)
        for c in raw:
            del plain[c]
        tail = ",".join(f'"{c}":{row[c]}' for c in raw)  # column names are plain identifiers
        out.append(_ENCODER.encode(plain)[:-1] + ("," if plain else "") + tail + "}")
    return "[" + ",".join(out) + "]"
