"""Procedures and their published versions: list, create, publish (multipart), retire."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse

from engine import agencies, migration, procedures
from engine.errors import InvalidData, ModelInvalid, Problem
from engine.models import Dossier, Procedure, ProcedureVersion, User
from forms import check_schema
from web.api.common import iso, json_body
from web.auth import requires
from web.permissions import ADMINISTER


def procedure_json(p: Procedure, versions: list[ProcedureVersion] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": p.code, "slug": p.slug, "name": p.name, "name_en": p.name_en, "agency": p.agency,
        "time_limit": float(p.time_limit), "time_unit": p.time_unit, "fee": p.fee,
        "online_level": p.online_level, "components": p.components,
    }
    if versions is not None:
        out["versions"] = [version_json(v) for v in versions]
    return out


def version_json(v: ProcedureVersion) -> dict[str, Any]:
    return {"number": v.number, "status": v.status, "process_id": v.process_id, "digest": v.digest,
            "forms": sorted((v.forms or {}).keys()), "lanes": v.lanes, "published_by": v.published_by,
            "time_limit": float(v.time_limit), "time_unit": v.time_unit,
            "published_at": iso(v.published_at)}


async def list_procedures(request: Request) -> JSONResponse:
    items = []
    for p in await Procedure.all().order_by("code").prefetch_related("versions"):
        items.append(procedure_json(p, sorted(p.versions, key=lambda v: v.number)))
    return JSONResponse({"items": items})


async def get_procedure(request: Request) -> JSONResponse:
    p = await procedures.get(request.path_params["code"])
    versions = await ProcedureVersion.filter(procedure_id=p.id).order_by("number")
    # where an applicant may send a dossier when the procedure names a level rather than one agency
    choices = [{"code": code, "name": name} for code, name in await agencies.receiving_choices(p.code)]
    return JSONResponse({**procedure_json(p, versions), "receiving_agencies": choices})


@requires(ADMINISTER)
async def create_procedure(request: Request, user: User) -> JSONResponse:
    body = await json_body(request)
    code = body.pop("code", None)
    if not isinstance(code, str):
        raise InvalidData("code is required", fields={"code": ["required"]})
    existed = await Procedure.filter(code=code).exists()
    p = await procedures.create_or_update(code, **body)
    return JSONResponse(procedure_json(p, []), status_code=200 if existed else 201)


@requires(ADMINISTER)
async def publish_version(request: Request, user: User) -> JSONResponse:
    settings = request.app.state.settings
    form = await request.form(max_part_size=settings.max_bpmn_bytes)
    bpmn = form.get("bpmn")
    if not isinstance(bpmn, UploadFile):
        raise InvalidData("A .bpmn file is required in the 'bpmn' field", fields={"bpmn": ["required"]})
    xml = await bpmn.read()
    forms: dict[str, Any] = {}
    problems: list[Problem] = []
    for item in form.getlist("forms"):
        if not isinstance(item, UploadFile) or not item.filename:
            continue
        ref = item.filename.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".form")
        try:
            forms[ref] = json.loads(await item.read())
        except ValueError as exc:
            problems.append(Problem(f"Form file is not valid JSON: {exc}", form=ref, code="form_json"))
    if problems:
        raise ModelInvalid(problems)
    version = await procedures.publish(request.path_params["code"], xml, forms, published_by=user.username,
                                       max_bytes=settings.max_bpmn_bytes, check_form=check_schema)
    return JSONResponse(version_json(version), status_code=201)


@requires(ADMINISTER)
async def retire_version(request: Request, user: User) -> JSONResponse:
    version = await procedures.retire(request.path_params["code"], int(request.path_params["number"]))
    running = await Dossier.filter(procedure_version_id=version.id, status="processing").count()
    return JSONResponse({**version_json(version), "running_dossiers": running})


@requires(ADMINISTER)
async def migrate_dossiers(request: Request, user: User) -> JSONResponse:
    """POST /procedures/{code}/migrate {from, to, dry_run (default true)}: move running dossiers."""
    body = await json_body(request)
    first, second = body.get("from"), body.get("to")
    if not isinstance(first, int) or not isinstance(second, int):
        raise InvalidData("from and to are version numbers", fields={k: ["integer"] for k in ("from", "to")})
    report = await migration.migrate(request.app.state.runtime, request.path_params["code"], first, second,
                                     user.username,
                                     request.app.state.clock(), dry_run=body.get("dry_run", True) is not False)
    return JSONResponse(report)
