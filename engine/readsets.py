"""Several independent SELECTs in one round trip: `fetch_sets([(query, params), …])`.

PostgreSQL: one statement, each query a column `(SELECT COALESCE(json_agg(x), '[]') FROM (query) x)`,
its rows decoded from JSON. A query keeps its own ORDER BY: json_agg reads its sorted subquery in
order (nothing else happens at that level: no join or grouping that could reorder it). Values
arrive as JSON ones: instants as ISO text (the readers take them through `sql.instant`, as they
do SQLite's), JSON columns as objects (`sql.unjson` leaves those as they are), numbers as numbers.
SQLite (in process, no round trip to save): each query on its own, its rows as they come.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from engine import sql

Query = tuple[str, Sequence[Any]]


async def fetch_sets(queries: Sequence[Query]) -> list[list[dict[str, Any]]]:
    conn = sql.db()
    if not sql.is_postgres(conn):
        return [await sql.fetch(conn, query, params) for query, params in queries]
    columns = [f"(SELECT COALESCE(json_agg(x), '[]'::json) FROM ({query}) x) AS s{n}"
               for n, (query, _) in enumerate(queries)]
    row = await sql.fetch_one(conn, "SELECT " + ", ".join(columns), [p for _, params in queries for p in params])
    assert row is not None
    return [_rows(row[f"s{n}"]) for n in range(len(queries))]


def _rows(value: Any) -> list[dict[str, Any]]:
    found = json.loads(value) if isinstance(value, str | bytes) else value
    return list(found or [])
