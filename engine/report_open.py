"""The still-open dossiers of a monthly trend counted once for all its months (engine/report_sql.py
`tallies` with ``months``): an open row belongs to every month it was accepted before, so joining
it to each month re-reads and re-aggregates it up to six times (at 1 M dossiers ~25,000 rows each
month). Instead ONE pass over the open rows (the partial covering index ``report_dossier_open``)
computes, per row, a code per month (3 characters: absent ``---``, else the 2.1 verdict at the month's
end ``L`` late / ``O`` on time / ``W`` for Python to judge (the window rows), ``r`` received in the
month or ``.``, ``i`` paper result issued in the month or ``.``) and the month-free terms, and groups
the rows by them: a few hundred groups, each added to the months of its code in Python with the
same predicates as report_sql.PREDICATES (an open row is never ``done`` nor ``within``: its
``ended_at`` is NULL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from engine import sql
from engine.report_sql import DISLIKE_MAX_SCORE, LATE, PREDICATES, Tally, bind

#: month-free terms of a row, 1 or 0 (a NULL condition counts as 0, as in a FILTER)
_FLAGS = {
    "online_p": "r.channel = 'online' AND (r.e_result OR NOT r.paper_result)",
    "raw_p": "r.channel = 'online'",
    "comp_p": "r.has_components AND r.e_result",
    "reused_p": "r.reused",
    "verified_p": "r.identity_verified",
    "e_p": "r.e_result",
    "known_p": "r.synced IS NOT NULL OR {acked}",
    "synced_p": "{acked} OR r.synced",
}
#: predicate -> the flag a received (``r``) row needs
_RECEIVED = {
    "received": None,
    "known": "known_p",
    "synced": "synced_p",
    "online": "online_p",
    "raw_online": "raw_p",
    "components": "comp_p",
    "reused": "reused_p",
    "verified": "verified_p",
}
_HANDLED = {"late", "window", "rated", "disliked", "fine", "issued", "e_issued", "done", "within", *_RECEIVED}
assert _HANDLED == set(PREDICATES), "engine/report_open.py counts every predicate of report_sql.PREDICATES"


def _code(lo: datetime, hi: datetime) -> tuple[str, list[Any]]:
    late, late_params = bind(LATE, {"hi": hi})
    return (
        "CASE WHEN r.accepted_at >= ? THEN '---' ELSE "
        f"(CASE ({late}) WHEN TRUE THEN 'L' WHEN FALSE THEN 'O' ELSE 'W' END) "
        "|| (CASE WHEN r.accepted_at >= ? THEN 'r' ELSE '.' END) "
        "|| (CASE WHEN r.paper_result AND r.result_at >= ? AND r.result_at < ? THEN 'i' ELSE '.' END) END",
        [hi, *late_params, lo, lo, hi],
    )


async def tallies(
    where: Sequence[str], params: Sequence[Any], months: Sequence[tuple[datetime, datetime]], acked: str
) -> dict[int, Tally]:
    """Month index -> the counts of the open rows in scope (``where``/``params`` over ``r``), window
    ids unjudged (report_sql.tallies judges them with the ended rows' ones)."""
    codes, code_params = [], []
    for lo, hi in months:
        text, p = _code(lo, hi)
        codes.append(f"({text})")
        code_params += p
    flags = ", ".join(
        f"CASE WHEN {term.format(acked=acked)} THEN 1 ELSE 0 END AS {name}" for name, term in _FLAGS.items()
    )
    rating = f"CASE WHEN r.rating IS NULL THEN 'n' WHEN r.rating <= {DISLIKE_MAX_SCORE} THEN 'd' ELSE 'g' END"
    scope = "".join(f" AND {w}" for w in where)
    names = ", ".join(f"y.{name}" for name in _FLAGS)
    window = "CASE WHEN y.code LIKE '%W%' THEN y.dossier_id END"  # a window row is its own group (report_sql)
    rows = await sql.fetch(
        sql.db(),
        (
            f"SELECT y.code, y.rating, {names}, {window} AS w, COUNT(*) AS n "
            f"FROM (SELECT r.dossier_id, {' || '.join(codes)} AS code, {rating} AS rating, {flags} "
            f"FROM report_dossier r WHERE r.ended_at IS NULL AND r.accepted_at < ?{scope}) y "
            f"GROUP BY y.code, y.rating, {names}, {window}"
        ),
        [*code_params, months[-1][1], *params],
    )
    out: dict[int, Tally] = {}
    for r in rows:
        n = int(r["n"])
        for k in range(len(months)):
            code = r["code"][3 * k : 3 * k + 3]
            if code == "---":
                continue
            tally = out.setdefault(k, Tally())
            verdict, received, issued = code[0], code[1] == "r", code[2] == "i"
            c = tally.counts
            c["n"] += n
            c["late"] += n * (verdict == "L")
            c["window"] += n * (verdict == "W")
            c["rated"] += n * (r["rating"] != "n")
            c["disliked"] += n * (r["rating"] == "d")
            c["fine"] += n * (verdict != "L" and r["rating"] != "d")
            c["issued"] += n * issued
            c["e_issued"] += n * (issued and bool(r["e_p"]))
            for name, flag in _RECEIVED.items():
                c[name] += n * (received and (flag is None or bool(r[flag])))
            if verdict == "W":
                tally.window.append(int(r["w"]))
    return out
