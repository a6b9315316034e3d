"""A procedure's published facts (the "bộ phận tạo thành" of Decree 63/2010 art. 8.2): name, agency,
sector, online level, time limit, dossier components, fees, legal basis, reception points and result
delivery options, plus the applicant/contact mapping chosen in the designer.

One source of truth per fact: the designer's draft keeps the metadata as the admin typed it
(`ProcedureDraft.metadata`, problems and all); publishing checks it (`check`) and copies the clean
snapshot into the immutable `ProcedureVersion.metadata` (the applicant mapping into
`ProcedureVersion.applicant`, the time limit into the version's pinned `time_limit`/`time_unit`).
Citizen pages, receipts and the SLA read the version; the `Procedure` row's descriptive columns are
the catalogue's projection of the latest published version. The engine speaks in problem codes;
`component` names the field (`time_limit`, `components.2.quantity`) for the web layer's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from engine.errors import Problem
from engine.models import Procedure, ProcedureDraft, ProcedureVersion
from engine.models.procedure import TIME_UNITS

LEVELS = ("partial", "full")  # một phần / toàn trình (Decree 42/2022)
KINDS = ("original", "copy", "certified_copy", "e-copy")  # bản chính / bản sao / bản sao chứng thực / bản điện tử
DELIVERY = ("counter", "post", "online")  # trả kết quả tại quầy / qua bưu chính / trực tuyến
APPLICANT_ROLES = ("name", "id_number", "phone", "email", "address")
#: form-js field types a role may be mapped to (the designer's select lists; publish accepts any field)
ROLE_TYPES = {"name": ("textfield",), "id_number": ("textfield", "number"), "phone": ("textfield", "number"),
              "email": ("textfield",), "address": ("textfield", "textarea")}
FORM_ITSELF = "@form"  # a component that is the application form itself (documents.received_components)
MAX_ROWS = 50


# ------------------------------------------------------------------ the application form's fields
#: field types (properties.motcua:type, form-js validate.validationType) that identify a role when the
#: procedure declares no mapping: the first such field of the start form is taken
_TYPED = {"id_number": ("cccd",), "phone": ("phone",), "email": ("email",)}


def start_form_of(elements: Mapping[str, Any], forms: Mapping[str, Any]) -> dict[str, Any] | None:
    ref = next((info.get("form") for info in elements.values()
                if info.get("tag") == "startEvent" and info.get("form")), None)
    form = forms.get(ref) if ref else None
    return form if isinstance(form, dict) else None


def form_fields(schema: Mapping[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """(dotted key, component) of every value field of a form-js schema (groups add their path)."""
    out: list[tuple[str, dict[str, Any]]] = []

    def walk(components: Any, prefix: str) -> None:
        for c in components or []:
            if not isinstance(c, dict):
                continue
            if c.get("type") in ("group", "dynamiclist") and c.get("components"):
                path = c.get("path")
                if c.get("type") == "group":
                    walk(c["components"], f"{prefix}{path}." if path else prefix)
                continue
            if isinstance(c.get("key"), str):
                out.append((prefix + c["key"], c))

    walk((schema or {}).get("components"), "")
    return out


def applicant_mapping(declared: Mapping[str, Any] | None, start_form: Mapping[str, Any] | None
                      ) -> tuple[dict[str, str], list[Problem]]:
    """The checked applicant mapping: declared keys must be fields of the start form; roles not
    declared are taken from the first field of a telling type (CCCD, phone, e-mail)."""
    fields = form_fields(start_form)
    keys = {k for k, _ in fields}
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    for role, key in (declared or {}).items():
        if role not in APPLICANT_ROLES:
            problems.append(Problem(f"Unknown applicant role {role!r} (one of {', '.join(APPLICANT_ROLES)})",
                                    code="applicant_mapping"))
        elif not isinstance(key, str) or key not in keys:
            problems.append(Problem(f"The applicant's {role} field {key!r} is not a field of the application form",
                                    code="applicant_mapping", component=f"applicant.{role}"))
        else:
            mapping[role] = key
    for role, types in _TYPED.items():
        if role in mapping:
            continue
        for key, c in fields:
            kind = (c.get("properties") or {}).get("motcua:type") or (c.get("validate") or {}).get("validationType")
            if kind in types:
                mapping[role] = key
                break
    return mapping, problems



# ------------------------------------------------------------------ metadata
def blank() -> dict[str, Any]:
    return {"name": "", "name_en": "", "agency_code": "", "agency": "", "sector": "", "online_level": "partial",
            "time_limit": "", "time_unit": "working_days", "components": [], "fees": [], "legal_basis": [],
            "reception_points": [], "delivery": [], "applicant": {}, "retention_years": ""}


def from_procedure(p: Procedure, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The facts a Procedure row holds (API and legacy versions) over `base` (the latest snapshot):
    the row has no fee rows, so a non-empty `fee` text becomes one row when `base` has none."""
    meta = {**blank(), **dict(base or {})}
    meta.update(name=p.name, name_en=p.name_en, agency=p.agency, online_level=p.online_level,
                time_limit=_number_text(p.time_limit), time_unit=p.time_unit,
                components=[dict(c) for c in p.components or []])
    if not meta["fees"] and p.fee:
        meta["fees"] = [{"name": "Phí, lệ phí", "amount": None, "note": p.fee}]
    return meta


def from_toml(meta: Mapping[str, Any]) -> dict[str, Any]:
    """procedure.toml keys (bpmn/README.md) as metadata."""
    out = blank()
    out.update({k: meta[k] for k in out if k in meta})
    out["time_limit"] = _number_text(meta.get("time_limit", ""))
    if not out["fees"] and meta.get("fee"):  # the older single `fee` text
        out["fees"] = [{"name": "Phí, lệ phí", "amount": None, "note": str(meta["fee"])}]
    return out


def _number_text(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)


def _text(value: Any, limit: int = 300) -> str:
    return " ".join(str(value or "").split())[:limit]


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def file_fields(start_form: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(dotted key, label) of the application form's upload fields."""
    return [(k, str(c.get("label") or k)) for k, c in form_fields(start_form) if c.get("type") == "filepicker"]


def check(raw: Mapping[str, Any] | None, start_form: Mapping[str, Any] | None,
          code: str = "-") -> tuple[dict[str, Any], list[Problem]]:
    """(clean snapshot, problems). Problems name the field in `component`; `code` says what is wrong:
    required, too_long, number, choice, rows, unknown_field, applicant_mapping."""
    src = {**blank(), **dict(raw or {})}
    problems: list[Problem] = []

    def bad(path: str, what: str, message: str) -> None:
        problems.append(Problem(message, code=f"metadata_{what}", component=path))

    clean: dict[str, Any] = {}
    for key, required, limit in (("name", True, 300), ("name_en", False, 300), ("agency_code", False, 32),
                                 ("agency", False, 300), ("sector", False, 200)):
        value = " ".join(str(src.get(key) or "").split())
        if required and not value:
            bad(key, "required", f"{key} is required")
        elif len(value) > limit:
            bad(key, "too_long", f"{key} is longer than {limit} characters")
        clean[key] = value[:limit]
    if not code.strip():
        bad("code", "required", "the procedure code is required")
    clean["online_level"] = src.get("online_level") if src.get("online_level") in LEVELS else "partial"
    if src.get("online_level") not in LEVELS:
        bad("online_level", "choice", "online_level is partial or full")
    unit = src.get("time_unit")
    clean["time_unit"] = unit if unit in TIME_UNITS else "working_days"
    if unit not in TIME_UNITS:
        bad("time_unit", "choice", f"time_unit is one of {', '.join(TIME_UNITS)}")
    limit_text = str(src.get("time_limit") or "").strip().replace(",", ".")
    try:
        limit_value = Decimal(limit_text or ("1" if unit == "same_day" else ""))
        if not limit_value.is_finite() or limit_value <= 0 or limit_value > 999999:
            raise InvalidOperation
        clean["time_limit"] = float(limit_value.quantize(Decimal("0.01")))
    except InvalidOperation:
        clean["time_limit"] = 0
        bad("time_limit", "required" if not limit_text else "number", "time_limit is a number greater than 0")

    files = {k for k, _ in file_fields(start_form)}
    rows = _rows(src.get("components"), "components", bad)
    clean["components"] = []
    for i, row in enumerate(rows, 1):
        name = _text(row.get("name"), 500)
        if not name:
            bad(f"components.{i}.name", "required", f"component {i} has no name")
        quantity = str(row.get("quantity", "1") if row.get("quantity") not in (None, "") else "1").strip()
        if not quantity.isdigit() or not 1 <= int(quantity) <= 99:
            bad(f"components.{i}.quantity", "number", f"component {i}: quantity is a whole number from 1 to 99")
        kind = row.get("kind") or "original"
        if kind not in KINDS:
            bad(f"components.{i}.kind", "choice", f"component {i}: kind is one of {', '.join(KINDS)}")
        item: dict[str, Any] = {"name": name, "required": _flag(row.get("required")),
                                "quantity": int(quantity) if quantity.isdigit() else 1, "kind": kind,
                                "held_by_state": _flag(row.get("held_by_state"))}
        field = str(row.get("field") or "")
        if _flag(row.get("form")) or field == FORM_ITSELF:
            item["form"] = True
        elif field:
            if field not in files:
                bad(f"components.{i}.field", "unknown_field",
                    f"component {i}: {field!r} is not an upload field of the application form")
            item["field"] = field
        clean["components"].append(item)
    if files and not clean["components"]:
        bad("components", "required", "the application form takes files: list at least one dossier component")

    clean["fees"] = []
    for i, row in enumerate(_rows(src.get("fees"), "fees", bad), 1):
        amount_text = str(row.get("amount") if row.get("amount") is not None else "").strip()
        amount_text = amount_text.replace(".", "").replace(" ", "").removesuffix("đ")
        if amount_text and not amount_text.isdigit():
            bad(f"fees.{i}.amount", "number", f"fee {i}: amount is a whole number of VND (0 = free)")
        item = {"name": _text(row.get("name")), "amount": int(amount_text) if amount_text.isdigit() else None,
                "note": _text(row.get("note"), 1000)}
        if not item["name"]:
            bad(f"fees.{i}.name", "required", f"fee {i} has no name")
        if not amount_text and not item["note"]:
            bad(f"fees.{i}.amount", "required", f"fee {i}: give an amount or say how it is set")
        clean["fees"].append(item)

    clean["legal_basis"] = []
    for i, row in enumerate(_rows(src.get("legal_basis"), "legal_basis", bad), 1):
        text = _text(row.get("text") if isinstance(row, Mapping) else row, 500)
        if not text:
            bad(f"legal_basis.{i}.text", "required", f"legal basis {i} is empty")
        clean["legal_basis"].append(text)

    clean["reception_points"] = []
    for i, row in enumerate(_rows(src.get("reception_points"), "reception_points", bad), 1):
        point = {"code": _text(row.get("code"), 32), "name": _text(row.get("name"))}
        if not point["name"]:
            bad(f"reception_points.{i}.name", "required", f"reception point {i} has no name")
        clean["reception_points"].append(point)

    delivery = src.get("delivery") or []
    clean["delivery"] = [d for d in DELIVERY if d in delivery]
    if any(d not in DELIVERY for d in delivery):
        bad("delivery", "choice", f"delivery options are {', '.join(DELIVERY)}")

    # years the dossiers' personal data is kept after they end (engine/retention.py); blank: the installation's
    retention = str(src.get("retention_years") if src.get("retention_years") is not None else "").strip()
    clean["retention_years"] = int(retention) if retention.isdigit() and 1 <= int(retention) <= 100 else None
    if retention and clean["retention_years"] is None:
        bad("retention_years", "number", "retention_years is a whole number of years from 1 to 100")

    declared = {role: key for role, key in dict(src.get("applicant") or {}).items() if key}
    mapping, mapping_problems = applicant_mapping(declared, start_form)
    clean["applicant"] = {role: key for role, key in mapping.items() if role in declared}
    problems += mapping_problems
    return clean, problems


def _rows(value: Any, path: str, bad: Any) -> list[Any]:
    rows = [r for r in value if isinstance(r, (Mapping, str))] if isinstance(value, list) else []
    if len(rows) > MAX_ROWS:
        bad(path, "rows", f"at most {MAX_ROWS} rows")
    return [r if isinstance(r, Mapping) or path == "legal_basis" else {"name": r} for r in rows[:MAX_ROWS]]


def snapshot(clean: Mapping[str, Any]) -> dict[str, Any]:
    """What a version stores as its metadata: the applicant mapping lives in its own column."""
    return {k: v for k, v in clean.items() if k != "applicant"}


def row_fields(snap: Mapping[str, Any]) -> dict[str, Any]:
    """The Procedure row's columns (catalogue search, the API's listing) from a published snapshot."""
    fees = "; ".join(f"{f['name']}: {f['amount']} đồng" if f.get("amount") is not None else
                     f"{f['name']}: {f.get('note', '')}" for f in snap.get("fees") or [])
    return {"name": snap["name"], "name_en": snap.get("name_en", ""), "agency": snap.get("agency", ""),
            "time_limit": Decimal(str(snap["time_limit"])), "time_unit": snap["time_unit"],
            "online_level": snap.get("online_level", "partial"), "components": list(snap.get("components") or []),
            "fee": fees[:300]}


def of_version(version: ProcedureVersion, procedure: Procedure) -> dict[str, Any]:
    """A version's metadata; versions published before 0011 take their procedure's row."""
    if version.metadata:
        return {**blank(), **version.metadata}
    meta = from_procedure(procedure)
    meta["time_limit"], meta["time_unit"] = float(version.time_limit), version.time_unit
    return snapshot(meta)


async def of_draft(draft: ProcedureDraft) -> dict[str, Any]:
    """The draft's metadata as the admin left it; a draft saved before 0011 starts from the latest
    version's snapshot and mapping, else from the procedure row."""
    if draft.metadata:
        return {**blank(), **draft.metadata}
    procedure = await Procedure.get(id=draft.procedure_id)
    latest = await ProcedureVersion.filter(procedure_id=draft.procedure_id).order_by("-number").first()
    meta = from_procedure(procedure, latest.metadata if latest is not None else None)
    if latest is not None:
        meta["applicant"] = dict(latest.applicant or {})
    return meta
