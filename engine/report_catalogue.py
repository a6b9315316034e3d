"""The procedure indicators of Decision 766 (RULES §4.1), over the published catalogue: the ids of
these figures are procedure ids (``Figure.subject == "procedure"``).

* **1.3 published with every constituent part**: the latest published version's metadata
  (engine/metadata.py) names the procedure, its agency, a time limit > 0, at least one dossier
  component, its legal basis and how it is carried out (reception points or result delivery); the
  sequence is the published process itself. "Subjects" (đối tượng) are not recorded: not checked.
  `missing` names the parts a version lacks (``PARTS``), for the drill-down's list of procedures.
* **3.1 offering an online service**: online level partial or full (Decree 42/2022); ``extra["full"]``
  lists the full-process ones. A procedure whose channel policies allow no online channel today
  is not offered online (`online_levels`: the level each procedure offers, "" = none).
* **3.2 online services that receive dossiers**: of 3.1's, those with at least one online dossier
  accepted in the period.

Scope: the procedures of the caller's agencies (the version's ``agency_code``) and the page's filters.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from engine import sql
from engine.metadata import LEVELS
from engine.models import ChannelPolicy

if TYPE_CHECKING:
    from engine.reports import Figure, Period
    from engine.workdays import Calendar


#: the constituent parts 1.3 checks (RULES §4.1), in the order a leader reads them
PARTS = ("name", "agency", "time_limit", "components", "legal_basis", "carried_out")


def missing(meta: dict[str, Any]) -> tuple[str, ...]:
    """The constituent parts of ``PARTS`` a published version lacks (see the module doc)."""
    try:
        limit = float(meta.get("time_limit") or 0)
    except (TypeError, ValueError):
        limit = 0
    present = {"name": bool(str(meta.get("name") or "").strip()),
               "agency": bool(meta.get("agency") or meta.get("agency_code")), "time_limit": limit > 0,
               "components": bool(meta.get("components")), "legal_basis": bool(meta.get("legal_basis")),
               "carried_out": bool(meta.get("reception_points") or meta.get("delivery"))}
    return tuple(part for part in PARTS if not present[part])


def complete(meta: dict[str, Any]) -> bool:
    """Every constituent part RULES §4.1 (1.3) asks for is published (see the module doc)."""
    return not missing(meta)


async def _closed_online(codes: list[str], day: date) -> set[str]:
    """Procedures that an active channel policy for every reception point, in force on ``day`` (the
    period's last day), closes to the online channel."""
    closed: set[str] = set()
    for policy in await ChannelPolicy.filter(active=True, start_on__lte=day):
        if policy.end_on is not None and policy.end_on < day:
            continue
        if policy.reception_points or (policy.weekdays and day.weekday() not in policy.weekdays):
            continue
        if "online" not in (policy.channels_allowed or []):
            closed.update(policy.procedure_codes or codes)
    return closed


async def catalogue(*, agencies: Collection[str] | None = None, procedure: str = "", agency: str = "",
                    sector: str = "", ids: Collection[int] | None = None) -> list[dict[str, Any]]:
    """The published procedures in scope (only ``ids`` when given): id, code, name, metadata (the
    latest published version's)."""
    only = f"WHERE p.id IN ({', '.join(str(int(i)) for i in ids)}) " if ids else ""
    if ids is not None and not ids:
        return []
    rows = await sql.fetch(sql.db(), (
        "SELECT p.id, p.code, p.name, p.agency, p.online_level, p.components, pv.metadata, pv.time_limit "
        "FROM procedure p JOIN procedure_version pv ON pv.procedure_id = p.id AND pv.status = 'published' "
        "AND pv.number = (SELECT MAX(v.number) FROM procedure_version v WHERE v.procedure_id = p.id "
        f"AND v.status = 'published') {only}ORDER BY p.id"))
    out = []
    for r in rows:
        meta = sql.unjson(r["metadata"])
        if meta is None:  # published before metadata existed: the procedure row stands in
            meta = {"name": r["name"], "agency": r["agency"], "online_level": r["online_level"],
                    "components": sql.unjson(r["components"]) or [], "time_limit": r["time_limit"]}
        code = str(meta.get("agency_code") or "")
        if (agencies is not None and code not in agencies) or (agency and code != agency) \
                or (procedure and r["code"] != procedure) or (sector and meta.get("sector") != sector):
            continue
        out.append({"id": r["id"], "code": r["code"], "name": r["name"], "meta": meta})
    return out


KEYS = ("1.3", "3.1", "3.2")


async def online_levels(procs: list[dict[str, Any]], day: date) -> dict[int, str]:
    """Procedure id -> the online level offered on ``day`` (partial / full; "" = not offered online:
    no level published, or closed to the online channel by a channel policy)."""
    closed = await _closed_online([p["code"] for p in procs], day)
    return {p["id"]: str(p["meta"].get("online_level")) if p["meta"].get("online_level") in LEVELS
            and p["code"] not in closed else "" for p in procs}


async def lists(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                agency: str = "", procedure: str = "", sector: str = "",
                procs: list[dict[str, Any]] | None = None) -> dict[str, dict[str, list[int]]]:
    """The procedure ids behind 1.3, 3.1 and 3.2: key -> hits, population (and 3.1's full).
    ``procs``: the scope's catalogue when the caller read it already (the trend: once for its months)."""
    if procs is None:
        procs = [] if agencies is not None and not agencies else await catalogue(
            agencies=agencies, agency=agency, procedure=procedure, sector=sector)
    ids = [p["id"] for p in procs]
    lower, upper = period.bounds(calendar.timezone)
    levels = await online_levels(procs, period.end)
    offered = [p for p in procs if levels[p["id"]]]
    used = await _used([p["code"] for p in offered], lower, upper)
    return {
        "1.3": {"hits": [p["id"] for p in procs if complete(p["meta"])], "population": ids},
        "3.1": {"hits": [p["id"] for p in offered], "population": ids,
                "full": [p["id"] for p in offered if p["meta"].get("online_level") == "full"]},
        "3.2": {"hits": [p["id"] for p in offered if p["code"] in used], "population": [p["id"] for p in offered]},
    }


async def _used(codes: list[str], lower: Any, upper: Any) -> set[str]:
    """Of ``codes``, the procedures with an online dossier accepted in ``[lower, upper)`` (one
    index probe each on (procedure_code, accepted_at), not a scan of the period's dossiers)."""
    used: set[str] = set()
    for start in range(0, len(codes), 200):
        chunk = codes[start:start + 200]
        # MIN over (procedure_code, channel, accepted_at): the first index entry, whatever the planner's guess
        probes = ", ".join(
            f"(SELECT MIN(accepted_at) FROM report_dossier WHERE procedure_code = ? AND channel = 'online' "
            f"AND accepted_at >= ? AND accepted_at < ?) AS p{i}" for i in range(len(chunk)))
        found = await sql.fetch_one(sql.db(), f"SELECT {probes}", [v for c in chunk for v in (c, lower, upper)])
        used |= {code for i, code in enumerate(chunk) if found and found[f"p{i}"] is not None}
    return used


async def figures(period: Period, calendar: Calendar, *, agencies: Collection[str] | None = None,
                  agency: str = "", procedure: str = "", sector: str = "",
                  procs: list[dict[str, Any]] | None = None) -> dict[str, Figure]:
    from engine.reports import rate

    found = await lists(period, calendar, agencies=agencies, agency=agency, procedure=procedure, sector=sector,
                        procs=procs)
    kw: dict[str, Any] = {"reason": "no_procedure", "subject": "procedure"}
    return {
        "1.3": rate("1.3", len(found["1.3"]["hits"]), len(found["1.3"]["population"]), **kw),
        "3.1": rate("3.1", len(found["3.1"]["hits"]), len(found["3.1"]["population"]),
                    full=len(found["3.1"]["full"]), **kw),
        "3.2": rate("3.2", len(found["3.2"]["hits"]), len(found["3.2"]["population"]),
                    **{**kw, "reason": "no_online_service"}),
    }
