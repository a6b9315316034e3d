"""The processing control sheet of /bao-cao (per official, the human steps they completed in a period,
judged against each step's own due: ``human_task.due_at``, motcua:budget) counted in SQL: one grouped
query for the counts, and the dossiers behind one count read on demand, a page at a time.

Groups (the step's verdict): ``dung-han`` completed at or before its due, ``tre`` after it,
``khong-han`` no due; ``tong`` every step. The steps read are those completed in ``[lower, upper)`` by
a named official (``completed_by``), within the caller's agencies and the page's filters (the
dossier's agency, the procedure of its version). PostgreSQL reads them from a covering partial index
on ``completed_at`` (migration 0029): an index-only range scan, no heap page per step.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from engine import sql

VERDICT = "CASE WHEN t.due_at IS NULL THEN 'khong-han' WHEN t.completed_at > t.due_at THEN 'tre' ELSE 'dung-han' END"
GROUPS = ("dung-han", "tre", "khong-han", "tong")


def _source(
    lower: datetime, upper: datetime, agencies: Collection[str] | None, agency: str, procedure: str
) -> tuple[str, list[Any]]:
    """``FROM … WHERE …`` of the steps in scope (the dossier joined only when a filter needs it)."""
    joins, where = "", ["t.completed_at >= ?", "t.completed_at < ?", "t.completed_by IS NOT NULL"]
    params: list[Any] = [lower, upper]
    if agencies is not None or agency or procedure:
        joins = " JOIN dossier d ON d.id = t.dossier_id"
    if agencies is not None:
        where.append(f"d.agency_code IN ({', '.join('?' for _ in agencies)})")
        params += list(agencies)
    if agency:
        where.append("d.agency_code = ?")
        params.append(agency)
    if procedure:
        joins += (
            " JOIN procedure_version pv ON pv.id = d.procedure_version_id JOIN procedure p ON p.id = pv.procedure_id"
        )
        where.append("p.code = ?")
        params.append(procedure)
    return f"FROM human_task t{joins} WHERE {' AND '.join(where)}", params


async def counts(
    lower: datetime, upper: datetime, *, agencies: Collection[str] | None = None, agency: str = "", procedure: str = ""
) -> dict[str, dict[str, int]]:
    """Official (username) -> group -> completed steps (every group of ``GROUPS``, ``tong`` their sum)."""
    if agencies is not None and not agencies:
        return {}
    source, params = _source(lower, upper, agencies, agency, procedure)
    out: dict[str, dict[str, int]] = {}
    rows = await sql.fetch(
        sql.db(),
        f"SELECT t.completed_by AS who, t.due_at IS NULL AS undue, t.completed_at > t.due_at AS late, COUNT(*) AS n "
        f"{source} GROUP BY t.completed_by, t.due_at IS NULL, t.completed_at > t.due_at",  # VERDICT's terms
        params,
    )
    for r in rows:
        mine = out.setdefault(r["who"], dict.fromkeys(GROUPS, 0))
        mine["khong-han" if r["undue"] else "tre" if r["late"] else "dung-han"] += int(r["n"])
        mine["tong"] += int(r["n"])
    return out


async def dossiers(
    lower: datetime,
    upper: datetime,
    who: str,
    group: str,
    *,
    agencies: Collection[str] | None = None,
    agency: str = "",
    procedure: str = "",
    after: int = 0,
    limit: int | None = None,
) -> tuple[list[int], int, int]:
    """The dossiers of ``who``'s steps in ``group`` (each once, in id order after ``after``, at most
    ``limit``), how many dossiers there are in all, and how many steps (the control sheet's figure:
    one dossier may hold several of the official's steps)."""
    if group not in GROUPS or (agencies is not None and not agencies):
        return [], 0, 0
    source, params = _source(lower, upper, agencies, agency, procedure)
    source += " AND t.completed_by = ?" + ("" if group == "tong" else f" AND {VERDICT} = ?")
    params += [who] if group == "tong" else [who, group]
    cap = "" if limit is None else f" LIMIT {int(limit)}"
    total = await sql.fetch_one(sql.db(), f"SELECT COUNT(DISTINCT t.dossier_id) AS n, COUNT(*) AS steps {source}",
                                params)
    rows = await sql.fetch(
        sql.db(),
        f"SELECT DISTINCT t.dossier_id {source} AND t.dossier_id > ? ORDER BY t.dossier_id{cap}",
        [*params, after],
    )
    return ([r["dossier_id"] for r in rows], int((total or {}).get("n") or 0),
            int((total or {}).get("steps") or 0))
