"""Agencies and reception points: who receives a dossier, which dossiers a staff account may see,
and the administrators' commands over both (each one statement or one transaction).

    visible_agencies(user)    None = every agency (province-level managers and committee staff;
                              accounts placed in no agency); else the agency codes the user works for:
                              their own, and for the provincial public-administration centre the
                              province-level bodies it receives for (and dossiers placed nowhere)
    may_see(user, code)       the same question for one dossier's agency
    agency_for_dossier(…)     the chosen reception point's agency, else the procedure's (by code or
                              name), else the agency the applicant chose (below), else the receiving
                              officer's
    receiving_choices(code)   when a procedure names a level ("Ủy ban nhân dân cấp xã": every commune
                              handles it) rather than one agency: the active agencies of that tier, of
                              which an online applicant chooses the one to send the dossier to (the
                              portal's "cơ quan thực hiện"); none chosen = placed nowhere, which the
                              provincial public-administration centre sees and forwards
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from tortoise.transactions import in_transaction

from engine import sql
from engine.errors import InvalidData, NotFound
from engine.models import Agency, Dossier, ReceptionPoint, User
from engine.models.agency import COMMUNE_TYPES, KINDS, TIERS

STAFF_KINDS = ("staff", "manager")


async def visible_agencies(user: User | None) -> frozenset[str] | None:
    """The agency codes whose dossiers `user` may see and work on; None = all of them."""
    if user is None or user.kind not in STAFF_KINDS:
        return frozenset()  # citizens and admins (designers): no agency's dossiers
    if not user.agency:
        return None  # an account placed in no agency keeps the province-wide view it had before agencies
    agency = await Agency.get_or_none(code=user.agency)
    if agency is None:
        return frozenset({user.agency})
    if agency.tier == "province" and (user.kind == "manager" or agency.kind == "province_committee"):
        return None
    if agency.kind == "centre":
        province = await Agency.filter(tier="province").values_list("code", flat=True)
        return frozenset({agency.code, "", *map(str, province)})
    return frozenset({agency.code})


def in_scope(scope: Collection[str] | None, agency_code: str) -> bool:
    return scope is None or agency_code in scope


async def may_see(user: User | None, agency_code: str) -> bool:
    """Whether a staff account's agency covers a dossier of `agency_code` (citizens: see permissions)."""
    if user is not None and user.kind == "citizen":
        return True  # a citizen's own dossiers, whatever agency holds them (engine.permissions.can_see)
    return in_scope(await visible_agencies(user), agency_code)


#: the code of the agency a procedure (`p`) names, by name or code; NULL when it names none
PROCEDURE_AGENCY = ("(SELECT a.code FROM agency a WHERE p.agency <> '' AND (a.name = p.agency "
                    "OR (length(p.agency) <= 32 AND a.code = p.agency)) ORDER BY a.code LIMIT 1)")


async def name_of(code: str) -> str:
    """An agency's name ('' for a dossier placed nowhere or a code no agency has)."""
    found = await sql.fetch_one(sql.db(), "SELECT name FROM agency WHERE code = ?", [code]) if code else None
    return str(found["name"]) if found else ""


#: the words by which a procedure names the level that handles it instead of one agency, and that tier
LEVEL_WORDS = (("cấp xã", "commune"), ("cấp tỉnh", "province"))


def named_tier(text: str) -> str | None:
    """The tier a procedure's agency text names ("Ủy ban nhân dân cấp xã" → commune), if any."""
    low = unicodedata.normalize("NFC", text or "").casefold()
    return next((tier for words, tier in LEVEL_WORDS if words in low), None)


async def receiving_choices(procedure_code: str) -> list[tuple[str, str]]:
    """(code, name) of the agencies an applicant may send a dossier of this procedure to: the active
    agencies of the tier its agency text names, when that text names no single agency; else []."""
    row = await sql.fetch_one(sql.db(), f"SELECT p.agency AS text, {PROCEDURE_AGENCY} AS code FROM procedure p "
                                        "WHERE p.code = ?", [procedure_code])
    tier = named_tier(str(row["text"] or "")) if row is not None and not row["code"] else None
    if tier is None:
        return []
    found = await sql.fetch(sql.db(), "SELECT code, name FROM agency WHERE tier = ? AND active = ? "
                                      "ORDER BY name, code", [tier, True])
    return [(str(r["code"]), str(r["name"])) for r in found]


async def agency_for_dossier(procedure_code: str, reception_point: str, user: User | None,
                             procedure_agency: str | None = None, chosen: str = "") -> str:
    """Where a new dossier belongs: the reception point's agency, the procedure's, the agency the
    applicant `chosen` (one of `receiving_choices`), the officer's, or ''. `procedure_agency`: the
    procedure's, when read already (VersionInfo.procedure_agency)."""
    if not isinstance(chosen, str) or len(chosen) > 32:
        raise InvalidData("Invalid agency", fields={"agency": ["an agency code, at most 32 characters"]})
    if reception_point:
        point = await ReceptionPoint.get_or_none(code=reception_point)
        if point is not None:
            if user is not None and user.kind in STAFF_KINDS and not in_scope(await visible_agencies(user),
                                                                             point.agency_code):
                raise InvalidData("Not a reception point of your agency",
                                  fields={"reception_point": ["a reception point of your agency"]})
            return point.agency_code
    if procedure_agency is None:
        named = await sql.fetch_one(sql.db(), f"SELECT {PROCEDURE_AGENCY} AS code FROM procedure p WHERE p.code = ?",
                                    [procedure_code])
        procedure_agency = str(named["code"] or "") if named is not None else ""
    if procedure_agency and chosen in ("", procedure_agency):
        return procedure_agency
    if chosen:
        if chosen not in {code for code, _name in await receiving_choices(procedure_code)}:
            raise InvalidData("Not an agency that handles this procedure",
                              fields={"agency": ["one of the agencies that handle this procedure"]})
        if user is not None and user.kind in STAFF_KINDS and not in_scope(await visible_agencies(user), chosen):
            raise InvalidData("Not your agency", fields={"agency": ["your own agency"]})
        return chosen
    if procedure_agency:
        return procedure_agency
    if user is not None and user.kind in STAFF_KINDS and user.agency:
        return user.agency
    return ""


#: the placement of migration 0010, for dossiers received before their agencies were entered
PLACE_UNPLACED = (
    "UPDATE dossier SET agency_code = COALESCE("
    "(SELECT r.agency_code FROM reception_point r WHERE r.code = dossier.reception_point), "
    "(SELECT a.code FROM agency a JOIN procedure p ON p.agency IN (a.code, a.name) "
    "JOIN procedure_version v ON v.procedure_id = p.id WHERE v.id = dossier.procedure_version_id "
    "ORDER BY a.code LIMIT 1), '') WHERE agency_code = ''"
)


async def place_unplaced() -> int:
    """Give the dossiers without an agency the one of their reception point or procedure (one
    statement; the number of dossiers placed). Run after entering the agencies (`motcua demo` does)."""
    before = await Dossier.filter(agency_code="").count()
    await sql.db().execute_query(PLACE_UNPLACED)
    return before - await Dossier.filter(agency_code="").count()


# ------------------------------------------------------------------ reading
@dataclass(frozen=True)
class AgencyTree:
    """Agencies in display order (the province's bodies, then the communes), with their reception points."""

    agencies: list[Agency]
    points: dict[str, list[ReceptionPoint]]


async def tree(*, active_only: bool = False) -> AgencyTree:
    query = Agency.filter(active=True) if active_only else Agency.all()
    found = await query.order_by("code")
    order = {t: i for i, t in enumerate(TIERS)}
    found.sort(key=lambda a: (order.get(a.tier, 9), a.kind != "province_committee", a.kind != "centre", a.name))
    points: dict[str, list[ReceptionPoint]] = {}
    for p in await ReceptionPoint.all().order_by("code"):
        if p.active or not active_only:
            points.setdefault(p.agency_code, []).append(p)
    return AgencyTree(found, points)


async def reception_points_for(scope: Collection[str] | None) -> list[ReceptionPoint]:
    """The active reception points of the agencies in `scope` (None: all), for the counter's choice."""
    query = ReceptionPoint.filter(active=True)
    if scope is not None:
        query = query.filter(agency_code__in=list(scope))
    return await query.order_by("agency_code", "code")


async def get(code: str) -> Agency:
    found = await Agency.get_or_none(code=code)
    if found is None:
        raise NotFound("No such agency", code=code)
    return found


# ------------------------------------------------------------------ admin commands
def _text(problems: dict[str, list[str]], values: dict[str, Any], key: str, limit: int, *,
          required: bool = True) -> str:
    value = str(values.get(key) or "").strip()
    if required and not value:
        problems.setdefault(key, []).append("required")
    elif len(value) > limit:
        problems.setdefault(key, []).append(f"at most {limit} characters")
    return value


def _code(problems: dict[str, list[str]], values: dict[str, Any], key: str, limit: int) -> str:
    value = _text(problems, values, key, limit)
    if value and not all(c.isalnum() or c in ".-_" for c in value):
        problems.setdefault(key, []).append("letters, digits, '.', '-' or '_'")
    return value


async def save_agency(values: dict[str, Any], *, code: str | None = None) -> Agency:
    """Create (code None) or change an agency; InvalidData lists every problem."""
    problems: dict[str, list[str]] = {}
    new_code = _code(problems, values, "code", 32) if code is None else code
    name = _text(problems, values, "name", 300)
    tier, kind = str(values.get("tier") or ""), str(values.get("kind") or "")
    commune_type = str(values.get("commune_type") or "")
    parent = str(values.get("parent_code") or "").strip()
    if tier not in TIERS:
        problems["tier"] = [f"one of {', '.join(TIERS)}"]
    if kind not in KINDS:
        problems["kind"] = [f"one of {', '.join(KINDS)}"]
    elif (kind == "commune_committee") != (tier == "commune"):
        problems["kind"] = ["a commune-level agency is a commune people's committee, and only it"]
    if tier == "commune" and commune_type not in COMMUNE_TYPES:
        problems["commune_type"] = [f"one of {', '.join(COMMUNE_TYPES)}"]
    if tier != "commune":
        commune_type = ""
    if parent and (parent == new_code or not await Agency.filter(code=parent, tier="province").exists()):
        problems["parent_code"] = ["a province-level agency"]
    if code is None and new_code and await Agency.filter(code=new_code).exists():
        problems["code"] = ["already used"]
    if problems:
        raise InvalidData("Invalid agency", fields=problems)
    fields: dict[str, Any] = {"name": name, "tier": tier, "kind": kind, "commune_type": commune_type,
                              "parent_code": parent}
    if code is None:
        return await Agency.create(code=new_code, active=True, **fields)
    agency = await get(code)
    agency.update_from_dict(fields)
    await agency.save(update_fields=list(fields))
    return agency


async def set_agency_active(code: str, active: bool) -> Agency:
    """Deactivate (or reactivate) an agency and its reception points; its dossiers keep their agency."""
    agency = await get(code)
    async with in_transaction():
        await Agency.filter(code=code).update(active=active)
        if not active:
            await ReceptionPoint.filter(agency_code=code).update(active=False)
    agency.active = active
    return agency


async def save_point(values: dict[str, Any], *, code: str | None = None) -> ReceptionPoint:
    problems: dict[str, list[str]] = {}
    new_code = _code(problems, values, "code", 100) if code is None else code
    name = _text(problems, values, "name", 300)
    address = _text(problems, values, "address", 500, required=False)
    agency = str(values.get("agency_code") or "")
    if not await Agency.filter(code=agency, active=True).exists():
        problems["agency_code"] = ["an active agency"]
    if code is None and new_code and await ReceptionPoint.filter(code=new_code).exists():
        problems["code"] = ["already used"]
    if problems:
        raise InvalidData("Invalid reception point", fields=problems)
    fields: dict[str, Any] = {"name": name, "address": address, "agency_code": agency}
    if code is None:
        return await ReceptionPoint.create(code=new_code, active=True, **fields)
    point = await ReceptionPoint.get_or_none(code=code)
    if point is None:
        raise NotFound("No such reception point", code=code)
    point.update_from_dict(fields)
    await point.save(update_fields=list(fields))
    return point


async def set_point_active(code: str, active: bool) -> None:
    if not await ReceptionPoint.filter(code=code).update(active=active):
        raise NotFound("No such reception point", code=code)
