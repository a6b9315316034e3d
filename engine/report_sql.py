"""The Decision 766 dossier indicators counted in SQL (engine/reports.py states their rules): one
grouped query over the period's `report_dossier` rows, COUNT(*) FILTER (WHERE …) per figure,
never a row per dossier into Python; the ids behind one figure are read on demand (`page`).

* The period's rows (``_arms``): accepted in ``[lo, hi)``, or accepted before ``lo`` and still
  open (partial index on the unfinished rows), or accepted before ``lo`` and ended at or after it
  (only from ``lo − reach``: ``reach`` is the longest acceptance-to-end span, ``max(span_s)``).
  They are 2.1's population; the other populations are subsets.
* The 2.1 verdict judged at ``hi`` (``LATE``): the stored one (``kpi_late``) when processing ended
  before ``hi``, else ``late_anyway``, else against the KPI due before any pause (``first_due_at``)
  while ``hi`` is before the first pause, against the due pushed by every pause (``kpi_due_at``)
  once all pauses ended by ``hi``. Between the two (a pause spans ``hi``, or a row not folded with
  these columns) the SQL verdict is NULL and `report_facts.late_at` judges those few rows in Python
  (``window`` ids): the same rule as ever, exactly.
* Templates name the bounds ``:lo`` / ``:hi``: bound to parameters for one period, or to the
  columns of a VALUES list of months (`trend`), so one query serves every month.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from engine import report_facts, sql
from engine.workdays import Calendar

DISLIKE_MAX_SCORE = 2
_COLUMNS = ("r.dossier_id, r.accepted_at, r.ended_at, r.result_at, r.channel, r.e_result, r.paper_result, "
            "r.has_components, r.reused, r.identity_verified, r.synced, r.rating, r.time_limit, r.time_unit, "
            "r.work_units, r.kpi_late, r.late_anyway, r.first_due_at, r.kpi_due_at, r.paused_from, r.paused_until")
LATE = ("CASE WHEN r.ended_at < :hi THEN r.kpi_late WHEN r.late_anyway THEN TRUE "
        "WHEN r.first_due_at IS NOT NULL AND (r.paused_from IS NULL OR :hi <= r.paused_from) "
        "THEN r.first_due_at < :hi "
        "WHEN r.kpi_due_at IS NOT NULL AND r.paused_until IS NOT NULL AND :hi >= r.paused_until "
        "THEN r.kpi_due_at < :hi END")
#: row-level terms over the period's rows (bound to :lo / :hi); ``acked`` is the portal's acknowledgement
_DERIVED = {
    "late": LATE,
    "rec": "r.accepted_at >= :lo",
    "done": "r.result_at IS NOT NULL AND r.ended_at >= :lo AND r.ended_at < :hi",
    "issued": "r.paper_result AND r.result_at >= :lo AND r.result_at < :hi",
}
_ACKED = "EXISTS (SELECT 1 FROM portal_sync p WHERE p.dossier_id = r.dossier_id)"
#: named predicates over the derived row ``x`` (the aggregates' FILTERs and the drill-down's WHERE)
PREDICATES = {
    "late": "x.late", "window": "x.late IS NULL", "rated": "x.rating IS NOT NULL",
    "disliked": f"x.rating <= {DISLIKE_MAX_SCORE}",
    "fine": f"NOT COALESCE(x.late, FALSE) AND (x.rating IS NULL OR x.rating > {DISLIKE_MAX_SCORE})",
    "received": "x.rec", "known": "x.rec AND (x.synced IS NOT NULL OR x.acked)",
    "synced": "x.rec AND (x.acked OR x.synced)",
    "online": "x.rec AND x.channel = 'online' AND (x.e_result OR NOT x.paper_result)",
    "raw_online": "x.rec AND x.channel = 'online'", "components": "x.rec AND x.has_components AND x.e_result",
    "reused": "x.rec AND x.reused", "verified": "x.rec AND x.identity_verified",
    "issued": "x.issued", "e_issued": "x.issued AND x.e_result",
    "done": "x.done", "within": "x.done AND x.work_units <= x.time_limit",
}
_TOKEN = re.compile(r":(lo|hi)\b")


def bind(template: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """``:lo`` / ``:hi`` -> ``?`` with its value, or the column text when the value is a `Column`."""
    params: list[Any] = []

    def one(m: re.Match[str]) -> str:
        value = values[m.group(1)]
        if isinstance(value, Column):
            return value.text
        params.append(value)
        return "?"

    return _TOKEN.sub(one, template), params


@dataclass(frozen=True)
class Column:
    text: str


@dataclass
class Tally:
    """The counts of one group (a dimension's value, a month, or the whole scope)."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PREDICATES, 0) | {"n": 0})
    #: (time_limit, time_unit) -> (finished with a result, Σ work units × 10⁴) for 2.2
    units: dict[tuple[Decimal, str], tuple[int, int]] = field(default_factory=dict)
    window: list[int] = field(default_factory=list)

    def add(self, r: dict[str, Any]) -> None:
        for k in self.counts:
            self.counts[k] += int(r[k] or 0)
        if r["done"]:
            key = (Decimal(str(r["time_limit"] or 0)), r["time_unit"] or "working_days")
            n, total = self.units.get(key, (0, 0))
            self.units[key] = (n + int(r["done"]), total + int(Decimal(str(r["units"] or 0)).to_integral_value()))
        if r["w"] is not None:  # a window row: its own group (the GROUP BY key carries its id)
            self.window.append(int(r["w"]))

    def merge(self, other: Tally) -> None:
        """Add another group's counts (after its window rows were judged): the tallies are additive."""
        for k, v in other.counts.items():
            self.counts[k] += v
        for key, (n, units) in other.units.items():
            mine = self.units.get(key, (0, 0))
            self.units[key] = (mine[0] + n, mine[1] + units)
        self.window += other.window


async def reach() -> timedelta:
    """The longest acceptance-to-end span (`_arms` scans the carried-over rows that far back)."""
    found = await sql.fetch_one(sql.db(), "SELECT MAX(span_s) AS m FROM report_dossier")
    return timedelta(seconds=int((found or {}).get("m") or 0) + 1)


async def _portal_in_use() -> bool:
    return await sql.fetch_one(sql.db(), "SELECT 1 AS one FROM portal_sync LIMIT 1") is not None


def _arms(where: Sequence[str], params: Sequence[Any], lo: datetime, hi: datetime,
          back: timedelta, extra: str = "", open_rows: bool = True) -> tuple[str, list[Any]]:
    """The rows any indicator may count for ``[lo, hi)`` (see the module doc), three disjoint arms;
    without ``open_rows`` only the ended ones (engine/report_open.py counts the others)."""
    scope = "".join(f" AND {w}" for w in where)
    cols = _COLUMNS + extra
    if not open_rows:
        return (f"SELECT {cols} FROM report_dossier r WHERE r.accepted_at >= ? AND r.accepted_at < ? "
                f"AND r.ended_at IS NOT NULL{scope} "
                f"UNION ALL SELECT {cols} FROM report_dossier r WHERE r.accepted_at >= ? AND r.accepted_at < ? "
                f"AND r.ended_at >= ?{scope}"), [lo, hi, *params, lo - back, lo, lo, *params]
    text = (f"SELECT {cols} FROM report_dossier r WHERE r.accepted_at >= ? AND r.accepted_at < ?{scope} "
            f"UNION ALL SELECT {cols} FROM report_dossier r WHERE r.ended_at IS NULL AND r.accepted_at < ?{scope} "
            f"UNION ALL SELECT {cols} FROM report_dossier r WHERE r.accepted_at >= ? AND r.accepted_at < ? "
            f"AND r.ended_at >= ?{scope}")
    return text, [lo, hi, *params, lo, *params, lo - back, lo, lo, *params]


async def derived(where: Sequence[str], params: Sequence[Any], lo: datetime, hi: datetime, *,
                  group: str = "", months: Sequence[tuple[datetime, datetime]] = ()) -> tuple[str, list[Any]]:
    """``SELECT … FROM (the period's rows + the derived terms) x``: one period (``lo``/``hi``), or
    one row per (month, row) joined to the VALUES list ``months`` (``x.k`` = the month's index); with
    ``months`` only the ended rows: the open ones are counted once for every month (engine/report_open.py)."""
    back = await reach()
    acked = _ACKED if await _portal_in_use() else "FALSE"
    extra = "".join(f", r.{column} AS dim{i}" for i, column in enumerate(_columns(group)))
    bounds: dict[str, Any] = {"lo": lo, "hi": hi}
    head, join, join_params = "", "", []
    if months:
        cast = "::timestamptz" if sql.is_postgres(sql.db()) else ""
        values = ", ".join(f"({i}, ?{cast}, ?{cast})" for i in range(len(months)))
        head = f"WITH m(k, lo, hi) AS (VALUES {values}) "
        join_params = [v for pair in months for v in pair]
        bounds = {"lo": Column("m.lo"), "hi": Column("m.hi")}
        join = " JOIN m ON r.accepted_at < m.hi AND r.ended_at >= m.lo"  # ended rows only (see the arms)
    terms, term_params = [], []
    for name, template in {**_DERIVED, "acked": f"CASE WHEN {_DERIVED['rec']} THEN {acked} ELSE FALSE END"}.items():
        text, p = bind(template, bounds)
        terms.append(f"({text}) AS {name}")
        term_params += p
    rows, row_params = _arms(where, params, lo, hi, back, extra, open_rows=not months)
    k = "m.k" if months else "0"
    text = (f"{head}SELECT * FROM (SELECT r.*, {k} AS k, {', '.join(terms)} FROM ({rows}) r{join}) x")
    return text, [*join_params, *term_params, *row_params]


def _columns(group: str) -> list[str]:
    return [c.strip() for c in group.split(",") if c.strip()]


async def tallies(where: Sequence[str], params: Sequence[Any], lo: datetime, hi: datetime, calendar: Calendar, *,
                  group: str = "", months: Sequence[tuple[datetime, datetime]] = ()) -> dict[Any, Tally]:
    """The counts of every predicate per group (``group``: a column, or several separated by commas,
    then the key is the tuple of their values; or the month index with ``months``; else one group, 0);
    the window rows judged in Python (module doc) are folded in, all of one period end at once."""
    source, source_params = await derived(where, params, lo, hi, group=group, months=months)
    columns = _columns(group)
    key = ", ".join(f"x.dim{i}" for i in range(len(columns))) if columns else "x.k"
    named = ", ".join(f"x.dim{i} AS g{i}" for i in range(len(columns))) if columns else "x.k AS g0"
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {p}) AS {name}" for name, p in PREDICATES.items())
    # the window rows (late IS NULL) are grouped by their id, so no list aggregate is needed: PostgreSQL
    # (< 16) aggregates COUNT/SUM in parallel workers (partial hash aggregates), array_agg it does not
    window = "CASE WHEN x.late IS NULL THEN x.dossier_id END"
    rows = await sql.fetch(sql.db(), (
        f"SELECT {named}, x.time_limit, x.time_unit, {window} AS w, COUNT(*) AS n, {counts}, "
        f"SUM(ROUND(COALESCE(x.work_units, 0) * 10000)) FILTER (WHERE x.done) AS units "
        f"FROM ({source}) x GROUP BY {key}, x.time_limit, x.time_unit, {window}"), source_params)
    out: dict[Any, Tally] = {}
    if months:  # the open rows, once for all months
        from engine import report_open  # it builds on this module's terms

        opened = await report_open.tallies(where, params, months, _ACKED if await _portal_in_use() else "FALSE")
        for k, tally in opened.items():
            out.setdefault(k, Tally()).merge(tally)
    for r in rows:
        values = tuple(r[f"g{i}"] if r[f"g{i}"] is not None else "" for i in range(max(len(columns), 1)))
        out.setdefault(values if len(columns) > 1 else values[0], Tally()).add(r)
    uppers = {i: m[1] for i, m in enumerate(months)} if months else None
    waiting: dict[datetime, set[int]] = {}  # period end -> the window rows to judge at it
    for g, tally in out.items():
        waiting.setdefault(uppers[g] if uppers is not None else hi, set()).update(tally.window)
    late_at = {upper: await judge(sorted(ids), upper, calendar) for upper, ids in waiting.items() if ids}
    fine = await _not_disliked(sorted(set().union(*waiting.values()))) if late_at else set()
    for g, tally in out.items():
        if tally.window:
            late = late_at[uppers[g] if uppers is not None else hi] & set(tally.window)
            tally.counts["late"] += len(late)
            tally.counts["fine"] -= len(late & fine)
    return out


async def _not_disliked(ids: Sequence[int]) -> set[int]:
    rows = await _rows(ids, "dossier_id, rating")
    return {r["dossier_id"] for r in rows if r["rating"] is None or r["rating"] > DISLIKE_MAX_SCORE}


async def _rows(ids: Sequence[int], columns: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        out += await sql.fetch(sql.db(), f"SELECT {columns} FROM report_dossier WHERE dossier_id IN "
                                         f"({', '.join('?' for _ in chunk)})", chunk)
    return out


async def judge(ids: Sequence[int], upper: datetime, calendar: Calendar) -> set[int]:
    """The window rows (module doc) late at ``upper``, judged by `report_facts.late_at`."""
    late: set[int] = set()
    for r in await _rows(ids, "dossier_id, accepted_at, ended_at, time_limit, time_unit, pauses, late_flag, "
                              "supplement_requests"):
        accepted, ended = sql.instant(r["accepted_at"]), sql.instant(r["ended_at"])
        assert accepted is not None
        end = ended if ended is not None and ended < upper else upper
        if report_facts.late_at(accepted, end, Decimal(str(r["time_limit"] or 0)), r["time_unit"] or "working_days",
                                report_facts.pauses_of(r["pauses"]), bool(r["late_flag"]),
                                int(r["supplement_requests"] or 0), calendar):
            late.add(r["dossier_id"])
    return late


async def page(where: Sequence[str], params: Sequence[Any], lo: datetime, hi: datetime, calendar: Calendar,
               predicate: str, *, after: int = 0, limit: int | None = None,
               counted: bool = True) -> tuple[list[int], int]:
    """The ids of the period's rows matching ``predicate`` (a `PREDICATES` text, or TRUE), in id
    order after ``after`` (keyset), at most ``limit``; and how many match in all (without
    ``counted``: not counted, the number of ids returned)."""
    source, source_params = await derived(where, params, lo, hi)
    if "x.late" in predicate:  # the window rows' verdicts, judged first (module doc)
        window = [r["dossier_id"] for r in await sql.fetch(sql.db(), f"SELECT x.dossier_id FROM ({source}) x "
                                                                     "WHERE x.late IS NULL", source_params)]
        late = sorted(await judge(window, hi, calendar)) if window else []
        full = f"COALESCE(x.late, x.dossier_id IN ({', '.join(str(i) for i in late)}))" if late else \
            "COALESCE(x.late, FALSE)"
        predicate = predicate.replace("COALESCE(x.late, FALSE)", "\0").replace("x.late", "\0").replace("\0", full)
    cap = "" if limit is None else f" LIMIT {int(limit)}"
    if not counted:  # the first ids only (a top-N over the rows, no count of them all)
        found = await sql.fetch(sql.db(), f"SELECT x.dossier_id FROM ({source}) x WHERE ({predicate}) "
                                          f"AND x.dossier_id > ? ORDER BY x.dossier_id{cap}", [*source_params, after])
        return [r["dossier_id"] for r in found], len(found)
    rows = await sql.fetch(sql.db(), (
        f"SELECT y.dossier_id, y.total FROM (SELECT x.dossier_id, COUNT(*) OVER () AS total FROM ({source}) x "
        f"WHERE {predicate}) y WHERE y.dossier_id > ? ORDER BY y.dossier_id{cap}"), [*source_params, after])
    if rows:
        return [r["dossier_id"] for r in rows], int(rows[0]["total"])
    if not after:
        return [], 0
    number = await sql.fetch_one(sql.db(), f"SELECT COUNT(*) AS n FROM ({source}) x WHERE {predicate}",
                                 source_params)
    return [], int((number or {}).get("n") or 0)
