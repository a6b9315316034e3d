"""Dossiers and the staff inbox: submit, read, claim, release, complete, lifecycle steps."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine import document_access, dossiers
from engine.dossier_lifecycle import Step
from engine.dossiers.queries import COUNT_CAP, DossierView, summary
from engine.dossiers.row import TaskRow
from engine.errors import InvalidData, PermissionDenied
from engine.lifecycle import Status
from engine.models import User
from engine.runtime import Runtime
from engine.versions import current_version_info
from web.api.common import iso, json_body
from web.auth import requires
from web.permissions import SIGNED_IN, SUBMIT, TASK_INBOX, is_citizen, sees_every_dossier


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def task_json(t: TaskRow) -> dict[str, Any]:
    return {"id": t.id, "element_id": t.element_id, "name": t.name, "lane": t.lane, "role": t.role,
            "form": t.form_ref, "state": t.state, "kind": t.kind, "claimed_by": t.claimed_by_id,
            "created_at": iso(t.created_at), "completed_at": iso(t.completed_at), "completed_by": t.completed_by,
            "due_at": iso(t.due_at)}


def dossier_json(v: DossierView, *, with_history: bool = False) -> dict[str, Any]:
    d = v.dossier
    out: dict[str, Any] = {
        "code": d.code, "status": d.status, "revision": d.revision, "channel": d.channel,
        "submitter_kind": d.submitter_kind, "procedure": v.procedure_code, "version": v.version_number,
        "created_at": iso(d.created_at), "completed_at": iso(d.completed_at), "error": d.error,
        "tasks": [task_json(t) for t in v.tasks],
    }
    status = Status(d.lifecycle_status or 1)
    out["lifecycle"] = {
        "code": int(status), "label_vi": status.label_vi, "label_en": status.label_en,
        "accepted_at": iso(d.accepted_at), "due_original_at": iso(d.due_original_at),
        "due_at": iso(d.due_adjusted_at), "extension": d.extension, "refusal": d.refusal,
        "supplement_requests": d.supplement_requests, "supplement_overridden": d.supplement_overridden,
        "late_flag": bool(d.late_flag), "late_reason": d.late_reason or None,
        "pauses": d.pauses or [], "result_at": iso(d.result_at), "returned_at": iso(d.returned_at),
    }
    if with_history:
        out["history"] = [
            {"at": iso(e.at), "actor": e.actor, "kind": e.kind, "action": e.kind, "element_id": e.element_id,
             "task_id": e.task_id, "revision": e.revision, "data_diff": e.data_diff, "details": e.details}
            for e in v.events
        ]
    return out


@requires(SUBMIT)
async def submit(request: Request, user: User) -> JSONResponse:
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
    submitter_kind = body.get("submitter_kind") or ("citizen" if is_citizen(user) else "officer_assisted")
    if is_citizen(user) and (channel != "online" or submitter_kind == "officer_assisted"):
        raise PermissionDenied("Citizens submit online, for themselves or as a proxy")
    version = await current_version_info(code)
    rt = _rt(request)
    settings = request.app.state.settings
    dossier, replayed = await dossiers.submit_once(rt, code, data, now=request.app.state.clock(), channel=channel,
                                              submitter_kind=submitter_kind, user=user, idempotency_key=key,
                                              agency_code=settings.agency_code, version=version,
                                              reception_point=body.get("reception_point", ""),
                                              agency=body.get("agency") or "",
                                              channel_exception=body.get("channel_exception"),
                                              notify=body.get("notify") or ())
    return JSONResponse(dossier_json(await summary(rt, dossier, version)), status_code=200 if replayed else 201)


@requires(SIGNED_IN)
async def get_dossier(request: Request, user: User) -> JSONResponse:
    view = await dossiers.view(_rt(request), request.path_params["code"], user)
    await document_access.record_read(user, [(view.dossier.id, view.dossier.submitted_by_id)],
                                      request.app.state.clock(), "dossier", "api")
    return JSONResponse(dossier_json(view, with_history=sees_every_dossier(user)))


def _limit(request: Request, default: int = 50) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise InvalidData("Invalid limit", fields={"limit": ["1 to 500"]})
    return int(raw)


@requires(TASK_INBOX)
async def inbox(request: Request, user: User) -> JSONResponse:
    """The same inbox as the page: most urgent first, `limit` (default 50) and `cursor`."""
    q = request.query_params
    page = await dossiers.inbox(_rt(request), user, request.app.state.clock(), procedure=q.get("procedure", ""),
                                overdue_only=q.get("overdue") == "1", mine_only=q.get("mine") == "1",
                                limit=_limit(request), cursor=q.get("cursor"))
    return JSONResponse({"items": [
        {"id": r.task_id, "element_id": r.element_id, "name": r.task_name, "lane": r.lane, "role": r.role,
         "form": r.form_ref, "state": "ready", "kind": r.kind, "claimed_by": r.claimed_by_id,
         "created_at": iso(r.created_at), "due_at": iso(r.due_at), "dossier": r.dossier_code,
         "procedure": r.procedure_code, "lifecycle_status": r.lifecycle_status, "waiting": r.waiting,
         "overdue": r.is_overdue,
         "remaining_seconds": r.remaining.total_seconds() if r.remaining is not None else None}
        for r in page.rows], "next_cursor": page.next_cursor,
        # tasks per filter, each capped (a value above `count_cap` means "more than count_cap")
        "counts": await dossiers.inbox_counts(user, request.app.state.clock(), procedure=q.get("procedure", "")),
        "count_cap": COUNT_CAP})


@requires(SIGNED_IN)
async def get_task(request: Request, user: User) -> JSONResponse:
    view = await dossiers.task_view(_rt(request), request.path_params["task_id"], user)
    await document_access.record_read(user, [(view.dossier.id, view.dossier.submitted_by_id)],
                                      request.app.state.clock(), "task", "api")
    return JSONResponse({**task_json(view.task), "dossier": view.dossier.code, "form_schema": view.form_schema})


@requires(SIGNED_IN)
async def claim(request: Request, user: User) -> JSONResponse:
    rt = _rt(request)
    loaded = await dossiers.visible_task(request.path_params["task_id"], user)  # NotFound outside the user's roles
    task = await dossiers.claim(rt, request.path_params["task_id"], user, request.app.state.clock(), loaded)
    return JSONResponse(task_json(task))


@requires(SIGNED_IN)
async def release(request: Request, user: User) -> JSONResponse:
    rt = _rt(request)
    loaded = await dossiers.visible_task(request.path_params["task_id"], user)  # NotFound outside the user's roles
    task = await dossiers.release(rt, request.path_params["task_id"], user, request.app.state.clock(), loaded)
    return JSONResponse(task_json(task))


@requires(SIGNED_IN)
async def complete(request: Request, user: User) -> JSONResponse:
    rt = _rt(request)
    task_id = request.path_params["task_id"]
    await request.body()  # received before the first statement: the request keeps one connection (PinnedReads)
    loaded = await dossiers.visible_task(task_id, user)  # NotFound outside the user's roles
    body = await json_body(request)
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise InvalidData("data must be an object", fields={"data": ["must be an object"]})
    dossier = await dossiers.complete_task(rt, task_id, data, user, request.app.state.clock(), loaded)
    return JSONResponse(dossier_json(await summary(rt, dossier, loaded.version)))


@requires(SIGNED_IN)
async def lifecycle_step(request: Request, user: User) -> JSONResponse:
    """POST /dossiers/{code}/{command}: a lifecycle step asked for directly (supplement, withdraw…)."""
    body = await json_body(request)
    reasons = body.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise InvalidData("reasons must be a list of texts", fields={"reasons": ["list of texts"]})
    channel = body.get("channel") or ""
    if channel not in ("", "paper", "electronic", "both"):
        raise InvalidData("Invalid channel", fields={"channel": ["paper, electronic or both"]})
    step = Step(request.path_params["command"].replace("-", "_"), reasons=tuple(reasons),
                override=body.get("override") is True, note=str(body.get("note") or ""))
    rt = _rt(request)
    dossier = await dossiers.step(rt, request.path_params["code"], step, user, request.app.state.clock(),
                                  channel=channel)
    return JSONResponse(dossier_json(await summary(rt, dossier)))
