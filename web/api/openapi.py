"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

A test checks that every API route appears here and every path here is routed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from web.api.channels import OPENAPI_PATHS as CHANNEL_PATHS
from web.api.search import PARAMETERS as SEARCH_PARAMETERS

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(summary: str, *, body: dict[str, Any] | None = None, ok: int = 200, errors: tuple[int, ...] = (),
        auth: bool = True, multipart: bool = False, params: tuple[str, ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {str(ok): {"description": "OK"}}}
    for status in (*errors, *((401,) if auth else ())):
        op["responses"][str(status)] = {"description": "Error",
                                        "content": {"application/json": {"schema": ERROR}}}
    if auth:
        op["security"] = [{"bearer": []}]
    if body is not None:
        kind = "multipart/form-data" if multipart else "application/json"
        op["requestBody"] = {"required": True, "content": {kind: {"schema": body}}}
    if params:
        op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                            for p in params]
    return op


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


S, OBJ = {"type": "string"}, {"type": "object"}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Motcua API", "version": "1"},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": _obj(error=_obj(code=S, message=S, details=OBJ)),
        },
    },
    "paths": {
        "/api/v1/health": {"get": _op("Liveness and database check", auth=False)},
        "/api/v1/auth/token": {"post": _op("Exchange username and password for a bearer token", auth=False,
                                           body=_obj(username=S, password=S), errors=(422,))},
        "/api/v1/me": {"get": _op("The calling user")},
        "/api/v1/procedures": {
            "get": _op("List procedures and their versions", auth=False),
            "post": _op("Create or update a procedure (admin)", ok=201, errors=(403, 422),
                        body=_obj(code=S, name=S, name_en=S, agency=S, time_limit={"type": "number"},
                                  time_unit={"enum": ["working_days", "working_hours", "calendar_days",
                                                      "same_day"]})),
        },
        "/api/v1/procedures/{code}": {"get": _op("One procedure with its versions", auth=False,
                                                 errors=(404,), params=("code",))},
        "/api/v1/procedures/{code}/versions": {
            "post": _op("Publish a version: the .bpmn file and its form-js files; 422 lists every problem",
                        ok=201, errors=(403, 404, 422), multipart=True, params=("code",),
                        body=_obj(bpmn={"type": "string", "format": "binary"},
                                  forms={"type": "array", "items": {"type": "string", "format": "binary"}}))},
        "/api/v1/procedures/{code}/versions/{number}/retire": {
            "post": _op("Retire a version (running dossiers stay on it)", errors=(403, 404),
                        params=("code", "number"))},
        "/api/v1/procedures/{code}/migrate": {
            "post": _op("Move the running dossiers of version `from` to version `to` (admin); `dry_run` (default "
                        "true) only reports, per dossier, whether it can move (no active step removed)",
                        errors=(403, 404, 422), params=("code",),
                        body=_obj(**{"from": {"type": "integer"}, "to": {"type": "integer"},
                                     "dry_run": {"type": "boolean"}}))},
        "/api/v1/dossiers": {
            "get": {**_op("Search every dossier (managers; staff and admins within their scope), newest received "
                          "first; items and next_cursor", errors=(403, 422)), "parameters": SEARCH_PARAMETERS},
            "post": _op("Submit a dossier; an Idempotency-Key header (or idempotency_key) makes retries safe",
                        ok=201, errors=(403, 404, 422),
                        body=_obj(procedure=S, channel={"enum": ["online", "counter", "post"]},
                                  submitter_kind={"enum": ["citizen", "proxy", "officer_assisted"]},
                                  data=OBJ, idempotency_key=S, reception_point=S,
                                  channel_exception=_obj(kind={"enum": ["postal", "data_conflict", "priority_citizen",
                                                                        "officer_assisted"]}, reason=S)))},
        "/api/v1/dossiers/{code}": {"get": _op("Status, open tasks and history of a dossier", errors=(404,),
                                               params=("code",))},
        "/api/v1/dossiers/{code}/{command}": {
            "post": _op("A lifecycle step asked for directly: accept, refuse, request-supplement, "
                        "receive-supplement, return-supplement (an online supplement still incomplete), "
                        "request-financial-obligation, fulfil-financial-obligation, withdraw "
                        "(also the citizen owner), stop, finish, return-result (with the channel used). Only the "
                        "role that owns the dossier's current step may take it (403 rule not_your_step; a manager "
                        "may override, flagged); a decision of an open task is taken by completing that task "
                        "(409 rule use_task); 409 when the status does not allow it (e.g. a second supplement "
                        "request, or one more than 3 working days after receipt, without a manager's override; "
                        "an overridden one sets lifecycle.late_flag)",
                        errors=(403, 404, 409, 422), params=("code", "command"),
                        body=_obj(reasons={"type": "array", "items": S}, note=S, override={"type": "boolean"},
                                  channel={"enum": ["paper", "electronic", "both"]}))},
        "/api/v1/tasks": {"get": _op("The caller's inbox, most urgent first (the task's, else the dossier's due); "
                                     "?limit (1-500, default 50), ?cursor (next_cursor of the previous page), "
                                     "?procedure, ?overdue=1, ?mine=1; tasks held while the dossier waits for the "
                                     "citizen say waiting", errors=(403, 422))},
        "/api/v1/tasks/{task_id}": {"get": _op("A task with its form schema", errors=(404,),
                                               params=("task_id",))},
        "/api/v1/tasks/{task_id}/claim": {"post": _op("Claim a task", errors=(404, 409), params=("task_id",))},
        "/api/v1/tasks/{task_id}/release": {"post": _op("Release a claimed task", errors=(404, 409),
                                                        params=("task_id",))},
        "/api/v1/tasks/{task_id}/complete": {
            "post": _op("Complete a task with its form data; 409 if someone else completed it first",
                        errors=(404, 409, 422), body=_obj(data=OBJ), params=("task_id",))},
        "/api/v1/openapi.json": {"get": _op("This document", auth=False)},
        **CHANNEL_PATHS,
        "/api/v1/calendar/due": {"get": _op(
            "The due date of a dossier of ?procedure=CODE accepted at ?accepted_at=ISO (default now), and the "
            "non-working days skipped on the way, with their reasons", auth=False, errors=(404, 422))},
        "/api/v1/calendar/overrides": {
            "get": _op("Provincial calendar overrides (extra days off, extra working days)", auth=False),
            "post": _op("Add an override {on: YYYY-MM-DD, kind: off|working, note} (admin)", ok=201,
                        errors=(403, 422), body=_obj(on=S, kind={"enum": ["off", "working"]}, note=S))},
        "/api/v1/outbox": {"get": _op("Event deliveries per subscriber (pending, delivering, done, dead), the "
                                      "latest failed or ?state= ones, and timer health (admin)", errors=(403, 422))},
        "/api/v1/outbox/retry": {"post": _op("Put dead or waiting deliveries back in the queue (admin)",
                                             errors=(403, 422), body=_obj(ids={"type": "array",
                                                                               "items": {"type": "integer"}}))},
        "/api/v1/calendar/overrides/{id}": {"delete": _op("Remove an override (admin)", ok=204, errors=(403, 404),
                                                          params=("id",))},
    },
}


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(DOCUMENT)
