"""Dossiers and the staff inbox: submit, read, claim, release, complete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine import assignment, dossiers
from engine import dossier_rows as rows
from engine.dossier_lifecycle import Step
from engine.dossier_rows import instant
from engine.errors import InvalidData, NotFound, PermissionDenied
from engine.lifecycle import Status
from engine.models import Dossier, HumanTask, ProcedureVersion, User
from forms.validation import validate
from web.api.common import iso, json_body
from web.auth import api_user, require_kind


def task_json(t: HumanTask | dict[str, Any]) -> dict[str, Any]:
    g = t.get if isinstance(t, dict) else lambda k: getattr(t, k)
    return {"id": g("id"), "element_id": g("element_id"), "name": g("name"), "lane": g("lane"), "role": g("role"),
            "form": g("form_ref"), "state": g("state"), "claimed_by": g("claimed_by_id"),
            "created_at": iso(instant(g("created_at"))), "completed_at": iso(instant(g("completed_at"))),
            "completed_by": g("completed_by"), "due_at": iso(instant(g("due_at")))}


async def dossier_json(d: Dossier, *, with_history: bool = False) -> dict[str, Any]:
    tasks = getattr(d, "open_tasks", None)  # set by the command that produced `d`: no read back
    if tasks is None:
        tasks = await HumanTask.filter(dossier_id=d.id, state="ready").order_by("created_at", "id")
    procedure_code = getattr(d, "procedure_code", None)
    if procedure_code is None:
        version = await ProcedureVersion.get(id=d.procedure_version_id).select_related("procedure")
        procedure_code, d.version_number = version.procedure.code, version.number
    out: dict[str, Any] = {
        "code": d.code, "status": d.status, "revision": d.revision, "channel": d.channel,
        "submitter_kind": d.submitter_kind, "procedure": procedure_code, "version": d.version_number,
        "created_at": iso(d.created_at), "completed_at": iso(d.completed_at), "error": d.error,
        "tasks": [task_json(t) for t in tasks],
    }
    status = Status(d.lifecycle_status or 1)
    out["lifecycle"] = {
        "code": int(status), "label_vi": status.label_vi, "label_en": status.label_en,
        "accepted_at": iso(instant(d.accepted_at)), "due_original_at": iso(instant(d.due_original_at)),
        "due_at": iso(instant(d.due_adjusted_at)), "extension": d.extension, "refusal": d.refusal,
        "supplement_requests": d.supplement_requests, "supplement_overridden": bool(d.supplement_overridden),
        "late_flag": bool(d.late_flag), "late_reason": d.late_reason or None,
        "pauses": d.pauses or [], "result_at": iso(instant(d.result_at)), "returned_at": iso(instant(d.returned_at)),
    }
    if with_history:
        out["history"] = [
            {"at": iso(e.at), "actor": e.actor, "action": e.action, "element_id": e.element_id,
             "task_id": e.task_id, "revision": e.revision, "data_diff": e.data_diff, "details": e.details}
            for e in await dossiers.history(d)
        ]
    return out


def _check_form(schema: dict[str, Any] | None, data: dict[str, Any]) -> None:
    if schema is None:
        return
    errors = validate(schema, data)
    if errors:
        raise InvalidData("Some fields are invalid", fields=errors)


async def submit(request: Request) -> JSONResponse:
    user = await api_user(request)
    require_kind(user, "citizen", "staff", "admin", "manager")
    body = await json_body(request)
    code = body.get("procedure")
    if not isinstance(code, str):
        raise InvalidData("procedure is required", fields={"procedure": ["required"]})
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", fields={"data": ["must be an object"]})
    key = request.headers.get("idempotency-key") or body.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= 120):
        raise InvalidData("Invalid idempotency key", fields={"idempotency_key": ["1 to 120 characters"]})
    channel = body.get("channel", "online")
    submitter_kind = body.get("submitter_kind") or ("citizen" if user.kind == "citizen" else "officer_assisted")
    if user.kind == "citizen" and (channel != "online" or submitter_kind == "officer_assisted"):
        raise PermissionDenied("Citizens submit online, for themselves or as a proxy")
    version = await dossiers.current_version_info(code)
    _check_form(version.start_form(), data)
    settings = request.app.state.settings
    dossier = await dossiers.submit(code, data, now=request.app.state.clock(), channel=channel,
                                    submitter_kind=submitter_kind, user=user, idempotency_key=key,
                                    agency_code=settings.agency_code, version=version,
                                    reception_point=body.get("reception_point", ""),
                                    channel_exception=body.get("channel_exception"))
    return JSONResponse(await dossier_json(dossier), status_code=200 if getattr(dossier, "replayed", False) else 201)


async def get_dossier(request: Request) -> JSONResponse:
    user = await api_user(request)
    dossier = await dossiers.get_for(request.path_params["code"], user)
    return JSONResponse(await dossier_json(dossier, with_history=user.kind != "citizen"))


async def inbox(request: Request) -> JSONResponse:
    user = await api_user(request)
    require_kind(user, "staff", "manager")
    roles = list(user.roles or []) or [""]
    mine = request.query_params.get("mine") == "1"
    found = await rows.fetch(rows.db(), (
        "SELECT t.id, t.element_id, t.name, t.lane, t.role, t.form_ref, t.state, t.claimed_by_id, t.created_at, "
        "t.completed_at, t.completed_by, t.due_at, d.code AS dossier FROM human_task t "
        "JOIN dossier d ON d.id = t.dossier_id WHERE t.state = 'ready' AND t.role IN ("
        + ", ".join("?" for _ in roles) + ")" + (" AND t.claimed_by_id = ?" if mine else "")
        + " ORDER BY t.created_at, t.id LIMIT 500"), [*roles, *([user.id] if mine else [])])
    return JSONResponse({"items": [{**task_json(t), "dossier": t["dossier"]} for t in found]})


async def _task(request: Request, user: User) -> HumanTask:
    task = await HumanTask.get_or_none(id=request.path_params["task_id"])
    if task is None or not assignment.can_work_on(user, task.role):
        raise NotFound("No such task in your inbox", task_id=request.path_params["task_id"])
    return task


async def get_task(request: Request) -> JSONResponse:
    user = await api_user(request)
    task = await _task(request, user)
    dossier = await Dossier.get(id=task.dossier_id)
    version = await dossiers.version_info(dossier.procedure_version_id)
    _, schema = version.form(task.element_id)
    return JSONResponse({**task_json(task), "dossier": dossier.code, "form_schema": schema})


async def claim(request: Request) -> JSONResponse:
    user = await api_user(request)
    await _task(request, user)
    task = await assignment.claim(request.path_params["task_id"], user, request.app.state.clock())
    return JSONResponse(task_json(task))


async def release(request: Request) -> JSONResponse:
    user = await api_user(request)
    await _task(request, user)
    task = await assignment.release(request.path_params["task_id"], user, request.app.state.clock())
    return JSONResponse(task_json(task))


async def complete(request: Request) -> JSONResponse:
    user = await api_user(request)
    task_id = request.path_params["task_id"]
    try:
        loaded = await dossiers.load_task(task_id)
    except NotFound:
        loaded = None
    if loaded is None or not assignment.can_work_on(user, loaded.task["role"] if loaded.task else None):
        raise NotFound("No such task in your inbox", task_id=task_id)
    body = await json_body(request)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", fields={"data": ["must be an object"]})
    _check_form(loaded.form_schema, data)
    dossier = await dossiers.complete_task(task_id, data, user, request.app.state.clock(), loaded=loaded,
                                           policy=request.app.state.lifecycle_policy)
    return JSONResponse(await dossier_json(dossier))


async def lifecycle_step(request: Request) -> JSONResponse:
    """POST /dossiers/{code}/{command}: a lifecycle step asked for directly (supplement, withdraw…)."""
    user = await api_user(request)
    body = await json_body(request)
    reasons = body.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise InvalidData("reasons must be a list of texts", fields={"reasons": ["list of texts"]})
    step = Step(request.path_params["command"].replace("-", "_"), reasons=tuple(reasons),
                override=body.get("override") is True, note=str(body.get("note") or ""))
    dossier = await dossiers.lifecycle_step(request.path_params["code"], step, user, request.app.state.clock(),
                                            policy=request.app.state.lifecycle_policy)
    return JSONResponse(await dossier_json(dossier))
