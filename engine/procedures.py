"""Publish and retire procedure versions; load a version's parsed spec (cached)."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

import engine.workflow.expression_functions  # noqa: F401  publish checks know add_working_days & co.
from engine import metadata
from engine.errors import InvalidData, ModelInvalid, NotFound, Problem
from engine.metadata import applicant_mapping, start_form_of
from engine.models import Procedure, ProcedureVersion, Role
from engine.models.procedure import TIME_UNITS
from engine.workflow.parser import DEFAULT_POLICY, PublishPolicy, parse_model
from engine.workflow.serializer import SPEC_CACHE, dump_spec

PROCEDURE_FIELDS = ("name", "name_en", "agency", "time_limit", "time_unit", "fee", "online_level", "slug",
                    "components")


#: the renderer's own check of a form-js schema (forms.check_schema), passed in by the web layer:
#: the engine does not import forms/ (HOUSE_STYLE import direction)
FormCheck = Callable[[dict[str, Any]], list[dict[str, Any]]]


@dataclass(frozen=True)
class LoadedVersion:
    version: ProcedureVersion
    spec: Any
    subprocess_specs: dict[str, Any]


async def create_or_update(code: str, **fields: Any) -> Procedure:
    """Create a procedure (catalogue entry) or update its descriptive fields."""
    unknown = set(fields) - set(PROCEDURE_FIELDS)
    if unknown:
        raise InvalidData("Unknown procedure fields", fields={k: ["unknown field"] for k in unknown})
    if not code or len(code) > 32:
        raise InvalidData("Procedure code is required", fields={"code": ["required, at most 32 characters"]})
    if "time_unit" in fields and fields["time_unit"] not in TIME_UNITS:
        raise InvalidData("Unknown time unit", fields={"time_unit": [f"one of {', '.join(TIME_UNITS)}"]})
    if "time_limit" in fields:
        fields["time_limit"] = Decimal(str(fields["time_limit"]))
    procedure = await Procedure.get_or_none(code=code)
    if procedure is None:
        if not fields.get("name"):
            raise InvalidData("Procedure name is required", fields={"name": ["required"]})
        return await Procedure.create(code=code, **fields)
    await Procedure.filter(id=procedure.id).update(**fields)
    await procedure.refresh_from_db()
    return procedure


async def get(code: str) -> Procedure:
    procedure = await Procedure.get_or_none(code=code)
    if procedure is None:
        raise NotFound("No such procedure", code=code)
    return procedure


def _digest(xml: bytes, forms: Mapping[str, Any], extra_files: Sequence[bytes] = (),
            process_id: str | None = None, limit: tuple[Any, str] | None = None) -> str:
    """Content address of a version: the spec cache, "same upload twice" and the version cache
    (versions.version_info, keyed by id and digest) rely on it, so it covers the pinned limit."""
    h = hashlib.sha256(xml)
    for extra in extra_files:
        h.update(b"\0extra\0" + extra)
    h.update(f"\0process\0{process_id or ''}".encode())
    h.update(json.dumps(forms, sort_keys=True, ensure_ascii=False).encode())
    if limit is not None:
        h.update(f"\0limit\0{Decimal(str(limit[0])).normalize():f}\0{limit[1]}".encode())
    return h.hexdigest()


async def publish(code: str, xml: bytes, forms: Mapping[str, Any] | None = None, *, published_by: str = "",
                  max_bytes: int = 2_000_000, policy: PublishPolicy = DEFAULT_POLICY,
                  extra_files: Sequence[bytes] = (), process_id: str | None = None,
                  check_form: FormCheck | None = None,
                  applicant: Mapping[str, str] | None = None,
                  meta: Mapping[str, Any] | None = None) -> ProcedureVersion:
    """Validate everything, then store an immutable version, or raise ModelInvalid with all problems.

    `extra_files` are further BPMN files (called processes); `process_id` picks the process (or
    collaboration) to run when the model has more than one. `meta` (engine/metadata.py: the
    designer's draft, a procedure.toml) must pass its checks; it becomes the version's snapshot, its
    time limit the pinned one, and the procedure row is brought in line. Without it (the API's
    publish) the snapshot is the procedure row over the latest snapshot, unchecked as before."""
    procedure = await get(code)
    forms = dict(forms or {})
    if len(xml) + sum(len(e) for e in extra_files) > max_bytes:
        raise ModelInvalid([Problem(f"The model is larger than {max_bytes} bytes", code="too_large")])
    roles = [r.code for r in await Role.all()]
    form_problems = [Problem(p["message"], form=ref, component=p.get("component"), code="form_unsupported")
                     for ref, schema in forms.items() if check_form is not None and isinstance(schema, dict)
                     for p in check_form(schema)]
    try:
        parsed = parse_model(xml, forms, roles, policy, extra_files=extra_files, process_id=process_id)
    except ModelInvalid as exc:
        raise ModelInvalid(exc.problems + form_problems) from None
    if form_problems:
        raise ModelInvalid(form_problems)
    all_forms = {**parsed.generated_forms, **forms}
    start_form = start_form_of(parsed.extensions.elements, all_forms)
    latest = await ProcedureVersion.filter(procedure_id=procedure.id).order_by("-number").first()
    if meta is None:
        clean, _unchecked = metadata.check(metadata.from_procedure(procedure, latest.metadata if latest else None),
                                           start_form, code)
        limit: tuple[Any, str] = (procedure.time_limit, procedure.time_unit)
    else:
        clean, meta_problems = metadata.check(meta, start_form, code)
        if meta_problems:
            raise ModelInvalid(meta_problems)
        limit = (Decimal(str(clean["time_limit"])), clean["time_unit"])
        applicant = applicant if applicant is not None else clean["applicant"]
    snapshot = metadata.snapshot(clean)
    if meta is None:  # the row's limit as it is (a 0 limit stays 0: the API never checked it)
        snapshot.update(time_limit=float(procedure.time_limit), time_unit=procedure.time_unit)
    mapping, applicant_problems = applicant_mapping(applicant, start_form)
    if applicant_problems:
        raise ModelInvalid(applicant_problems)
    digest = _digest(xml, forms, extra_files, process_id, limit)
    digest = hashlib.sha256((digest + json.dumps([mapping, snapshot], sort_keys=True)).encode()).hexdigest()
    async with in_transaction():
        latest = await ProcedureVersion.filter(procedure_id=procedure.id).order_by("-number").first()
        if latest is not None and latest.digest == digest:
            return latest  # publishing the same bytes (and limit) twice is a no-op, not a new version
        version = await ProcedureVersion.create(
            procedure_id=procedure.id,
            number=(latest.number + 1) if latest else 1,
            process_id=parsed.process_id,
            bpmn_xml=xml.decode("utf-8"),
            digest=digest,
            spec_json=dump_spec(parsed.spec, parsed.subprocess_specs),
            forms=all_forms,
            lanes=parsed.extensions.lane_roles(),
            elements=parsed.extensions.elements,
            applicant=mapping,
            metadata=snapshot,
            published_by=published_by,
            # pinned: a dossier keeps the limit of the version it was received under
            time_limit=limit[0], time_unit=limit[1],
        )
        if meta is not None:  # the catalogue row shows the latest published facts
            await Procedure.filter(id=procedure.id).update(**metadata.row_fields(snapshot))
    return version


async def retire(code: str, number: int) -> ProcedureVersion:
    procedure = await get(code)
    version = await ProcedureVersion.get_or_none(procedure_id=procedure.id, number=number)
    if version is None:
        raise NotFound("No such version", code=code, number=number)
    version.status = "retired"
    await version.save(update_fields=["status"])
    return version


async def current_version(code: str) -> ProcedureVersion:
    procedure = await get(code)
    version = (
        await ProcedureVersion.filter(procedure_id=procedure.id, status="published").order_by("-number").first()
    )
    if version is None:
        raise NotFound("The procedure has no published version", code=code)
    return version


def load(version: ProcedureVersion) -> LoadedVersion:
    # keyed by content digest, not by id: ids repeat across databases (tests, several installations)
    spec, subs = SPEC_CACHE.get(version.digest, lambda: version.spec_json)
    return LoadedVersion(version, spec, subs)


async def load_from_folder(folder: Path, *, published_by: str = "loader",
                           check_form: FormCheck | None = None) -> ProcedureVersion:
    """Create/update a procedure from bpmn/procedures/<slug>/ and publish its model and forms."""
    meta = tomllib.loads((folder / "procedure.toml").read_text(encoding="utf-8"))
    code = meta.pop("code")
    meta.pop("process_id", None)
    meta.setdefault("slug", folder.name)
    fields = {k: v for k, v in meta.items() if k in PROCEDURE_FIELDS}
    await create_or_update(code, **fields)
    forms = {
        path.name.removesuffix(".form.json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((folder / "forms").glob("*.form.json"))
    }
    return await publish(code, (folder / "model.bpmn").read_bytes(), forms, published_by=published_by,
                         check_form=check_form, meta=metadata.from_toml(meta))

