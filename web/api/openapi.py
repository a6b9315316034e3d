"""The OpenAPI 3.1 document of /api/v1, served at /api/v1/openapi.json.

A test checks that every API route appears here and every path here is routed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine.outbox import STATES as OUTBOX_STATES
from web.api.channels import OPENAPI_PATHS as CHANNEL_PATHS
from web.api.search import PARAMETERS as SEARCH_PARAMETERS

ERROR = {"$ref": "#/components/schemas/Error"}


#: text as the API accepts it: no control characters but tab and line breaks (web/inputs.py)
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"
#: names, keys, path and query values: no control characters at all
NAME_PATTERN = "^[^\\u0000-\\u001f\\u007f]*$"


def text(max_length: int | None = None, *, min_length: int = 0, name: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "pattern": NAME_PATTERN if name else TEXT_PATTERN}
    if max_length is not None:
        out["maxLength"] = max_length
    if min_length:
        out["minLength"] = min_length
    return out


def param(name: str, schema: dict[str, Any], where: str = "query", description: str = "") -> dict[str, Any]:
    out = {"name": name, "in": where, "required": where == "path", "schema": schema}
    return {**out, "description": description} if description else out


PROCEDURE_CODE = param("code", text(32, min_length=1, name=True), "path", "national procedure code")
DOSSIER_CODE = param("code", text(64, min_length=1, name=True), "path", "dossier code")
TASK_ID = param("task_id", text(64, min_length=1, name=True), "path", "task id")


def _op(summary: str, *, body: dict[str, Any] | None = None, ok: int = 200, errors: tuple[int, ...] = (),
        auth: bool = True, multipart: bool = False, params: tuple[dict[str, Any], ...] = (),
        answer: dict[str, Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {str(ok): {"description": "OK"}}}
    if answer is not None:  # the success body's schema
        op["responses"][str(ok)]["content"] = {"application/json": {"schema": answer}}
    for status in (*errors, *((401,) if auth else ())):
        op["responses"][str(status)] = {"description": "Error",
                                        "content": {"application/json": {"schema": ERROR}}}
    if auth:
        op["security"] = [{"bearer": []}]
    if body is not None:
        kind = "multipart/form-data" if multipart else "application/json"
        op["requestBody"] = {"required": True, "content": {kind: {"schema": body}}}
    if params:
        op["parameters"] = list(params)
    return op


def _obj(*, required: tuple[str, ...] = (), closed: bool = True, **props: Any) -> dict[str, Any]:
    """A JSON object with these properties; closed: other keys are refused (422 naming the key)."""
    out: dict[str, Any] = {"type": "object", "properties": props, "propertyNames": text(name=True)}
    if required:
        out["required"] = list(required)
    if closed:
        out["additionalProperties"] = False
    return out


S, OBJ = {"type": "string"}, {"type": "object", "propertyNames": text(name=True)}
COMMANDS = ["accept", "refuse", "request-supplement", "receive-supplement", "return-supplement",
            "request-financial-obligation", "fulfil-financial-obligation", "withdraw", "stop", "finish",
            "return-result"]
LIMIT = param("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50})
CURSOR = param("cursor", text(200, name=True), description="next_cursor of the previous page")
FLAG = {"type": "string", "enum": ["1"]}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}

DECIMAL = {"type": ["string", "null"], "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}
_INDICATOR = _obj(key=S, value=DECIMAL, unit=S, points=DECIMAL, max_points={"type": "integer"},
                  reason={"type": ["string", "null"]}, count={"type": "integer"}, hits={"type": "integer"},
                  subject={"enum": ["dossier", "procedure"]}, target=DECIMAL, met={"type": ["boolean", "null"]},
                  required=("key", "value", "unit", "points", "max_points", "reason", "count", "hits", "subject",
                            "target", "met"))
#: GET /api/v1/reports' answer (web/api/reports.py)
_DATES: dict[str, Any] = {k: {"type": "string", "format": "date"} for k in ("from", "to", "counted_to")}
REPORT = _obj(period=_obj(**_DATES),
              agency={"type": ["string", "null"]}, procedure={"type": ["string", "null"]}, total=DECIMAL,
              groups={"type": "array", "items": _obj(number=S, points=DECIMAL, max={"type": "integer"},
                                                     indicators={"type": "array", "items": S})},
              indicators={"type": "array", "items": _INDICATOR},
              required=("period", "agency", "procedure", "total", "groups", "indicators"))

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
                                           body=_obj(username=text(150, min_length=1, name=True),
                                                     password=text(1024, min_length=1),
                                                     required=("username", "password")), errors=(422,))},
        "/api/v1/me": {"get": _op("The calling user")},
        "/api/v1/procedures": {
            "get": _op("List procedures and their versions", auth=False),
            "post": _op("Create or update a procedure (admin)", ok=201, errors=(403, 422),
                        body=_obj(code=text(32, min_length=1, name=True), name=text(300, min_length=1),
                                  name_en=text(300), agency=text(300), fee=text(300), slug=text(100, name=True),
                                  online_level=text(16, name=True), components={"type": "array"},
                                  time_limit={"type": "number", "minimum": 0, "maximum": 10000},
                                  time_unit={"enum": ["working_days", "working_hours", "calendar_days",
                                                      "same_day"]}, required=("code", "name"))),
        },
        "/api/v1/procedures/{code}": {"get": _op("One procedure with its versions", auth=False,
                                                 errors=(404,), params=(PROCEDURE_CODE,))},
        "/api/v1/procedures/{code}/versions": {
            "post": _op("Publish a version: the .bpmn file and its form-js files; 422 lists every problem",
                        ok=201, errors=(403, 404, 422), multipart=True, params=(PROCEDURE_CODE,),
                        body=_obj(required=("bpmn",), closed=False, bpmn={"type": "string", "format": "binary"},
                                  forms={"type": "array", "items": {"type": "string", "format": "binary"}}))},
        "/api/v1/procedures/{code}/versions/{number}/retire": {
            "post": _op("Retire a version (running dossiers stay on it)", errors=(403, 404),
                        params=(PROCEDURE_CODE, param("number", {"type": "integer"}, "path")))},
        "/api/v1/procedures/{code}/migrate": {
            "post": _op("Move the running dossiers of version `from` to version `to` (admin); `dry_run` (default "
                        "true) only reports, per dossier, whether it can move (no active step removed)",
                        errors=(403, 404, 422), params=(PROCEDURE_CODE,),
                        body={**_obj(dry_run={"type": "boolean"}, required=("from", "to")),
                              "properties": {"from": {"type": "integer"}, "to": {"type": "integer"},
                                             "dry_run": {"type": "boolean"}}})},
        "/api/v1/dossiers": {
            "get": {**_op("Search every dossier (managers; staff and admins within their scope), newest received "
                          "first; items and next_cursor", errors=(403, 422)), "parameters": SEARCH_PARAMETERS},
            "post": _op("Submit a dossier; an Idempotency-Key header (or idempotency_key) makes retries safe",
                        ok=201, errors=(403, 404, 422),
                        body=_obj(procedure=text(32, min_length=1, name=True),
                                  channel={"enum": ["online", "counter", "post"]},
                                  submitter_kind={"enum": ["citizen", "proxy", "officer_assisted"]},
                                  data=OBJ, idempotency_key=text(200, min_length=1, name=True),
                                  reception_point=text(100, name=True), required=("procedure",),
                                  agency={**text(32, name=True),
                                          "description": "the agency code the dossier is sent to, when the "
                                                         "procedure names a level (every commune) rather than one "
                                                         "agency: one of GET /api/v1/procedures/{code}'s "
                                                         "receiving_agencies; 422 naming agency otherwise"},
                                  notify={"type": "array", "items": {"enum": ["email", "sms", "ascii"]},
                                          "uniqueItems": True,
                                          "description": "how the applicant is told; each channel needs its "
                                                         "address in data (the procedure's applicant e-mail or "
                                                         "phone field): 422 naming notify otherwise"},
                                  channel_exception=_obj(kind={"enum": ["postal", "data_conflict", "priority_citizen",
                                                                        "officer_assisted"]}, reason=text(1000),
                                                        required=("kind",))))},
        "/api/v1/dossiers/{code}": {"get": _op("Status, open tasks and history of a dossier", errors=(404,),
                                               params=(DOSSIER_CODE,))},
        "/api/v1/dossiers/{code}/{command}": {
            "post": _op("A lifecycle step asked for directly: accept, refuse, request-supplement, "
                        "receive-supplement, return-supplement (an online supplement still incomplete), "
                        "request-financial-obligation, fulfil-financial-obligation, withdraw "
                        "(also the citizen owner), stop, finish, return-result (with the channel used). Only the "
                        "role that owns the dossier's current step may take it (403 rule not_your_step; a manager "
                        "may override, flagged); a decision of an open task is taken by completing that task "
                        "(409 rule use_task); 409 when the status does not allow it (e.g. a second supplement "
                        "request, or one more than 3 working days after receipt, without a manager's override; "
                        "an overridden one sets lifecycle.late_flag); 422 when a refusal or a supplement request "
                        "gives no reasons (a supplement request lists what is missing: Form 02)",
                        errors=(403, 404, 409, 422),
                        params=(DOSSIER_CODE, param("command", {"enum": COMMANDS}, "path")),
                        body=_obj(reasons={"type": "array", "items": text(2000)}, note=text(2000),
                                  override={"type": "boolean"},
                                  channel={"enum": ["paper", "electronic", "both"]}))},
        "/api/v1/tasks": {"get": _op("The caller's inbox, most urgent first (the task's, else the dossier's due); "
                                     "?limit (1-500, default 50), ?cursor (next_cursor of the previous page), "
                                     "?procedure, ?overdue=1, ?mine=1; tasks held while the dossier waits for the "
                                     "citizen say waiting", errors=(403, 422),
                                 params=(LIMIT, CURSOR, param("procedure", text(32, name=True)),
                                         param("overdue", FLAG), param("mine", FLAG)))},
        "/api/v1/tasks/{task_id}": {"get": _op("A task with its form schema", errors=(404,),
                                               params=(TASK_ID,))},
        "/api/v1/tasks/{task_id}/claim": {"post": _op("Claim a task", errors=(404, 409), params=(TASK_ID,))},
        "/api/v1/tasks/{task_id}/release": {"post": _op("Release a claimed task", errors=(404, 409),
                                                        params=(TASK_ID,))},
        "/api/v1/tasks/{task_id}/complete": {
            "post": _op("Complete a task with its form data; 409 if someone else completed it first",
                        errors=(404, 409, 422), body=_obj(data=OBJ), params=(TASK_ID,))},
        "/api/v1/openapi.json": {"get": _op("This document", auth=False)},
        **CHANNEL_PATHS,
        "/api/v1/calendar/due": {"get": _op(
            "The due date of a dossier of ?procedure=CODE accepted at ?accepted_at=ISO (default now), and the "
            "non-working days skipped on the way, with their reasons", auth=False, errors=(404, 422),
            params=({**param("procedure", text(32, min_length=1, name=True)), "required": True},
                    param("accepted_at", {"type": "string", "format": "date-time"},
                          description="ISO 8601 with a timezone; default now")))},
        "/api/v1/calendar/overrides": {
            "get": _op("Provincial calendar overrides (extra days off, extra working days)", auth=False),
            "post": _op("Add an override {on: YYYY-MM-DD, kind: off|working, note} (admin)", ok=201,
                        errors=(403, 422), body=_obj(on={"type": "string", "format": "date"},
                                                     kind={"enum": ["off", "working"]}, note=text(300),
                                                     required=("on", "kind")))},
        "/api/v1/outbox": {"get": _op("Event deliveries per subscriber (pending, delivering, done, dead), the "
                                      "latest failed or ?state= ones, and timer health (admin)", errors=(403, 422),
                                  params=(param("state", {"enum": list(OUTBOX_STATES)}),
                                          param("subscriber", text(100, name=True)), param("failed", FLAG)))},
        "/api/v1/outbox/retry": {"post": _op("Put dead or waiting deliveries back in the queue (admin)",
                                             errors=(403, 422), body=_obj(ids={"type": "array", "minItems": 1,
                                                                               "maxItems": 1000,
                                                                               "items": ID_SCHEMA},
                                                                          required=("ids",)))},
        "/api/v1/sms/receipt": {"post": _op("The SMS gateway's delivery receipt of a notification, signed with "
                                            "MOTCUA_SMS_SECRET (X-Motcua-Signature: hex HMAC-SHA256 of the body)",
                                            auth=False, errors=(403, 404, 422),
                                            body=_obj(id=text(200, min_length=1),
                                                      status={"enum": ["delivered", "failed"]},
                                                      required=("id", "status")))},
        "/api/v1/notices": {"get": _op(
            "My staff notices, newest first, for 30 days (staff, managers): each with text_key, params, the text "
            "in the request's language, href, read; and the unread count", errors=(403, 422),
            params=(param("unread", FLAG), param("before", ID_SCHEMA, description="a notice id: older ones"),
                    param("limit", {"type": "integer", "minimum": 1, "maximum": 200})))},
        "/api/v1/notices/read-all": {"post": _op("Mark every notice I see read (staff, managers)", errors=(403,))},
        "/api/v1/notices/{notice_id}/read": {"post": _op(
            "Mark one notice read (staff, managers)", errors=(403, 404),
            params=(param("notice_id", ID_SCHEMA, "path"),))},
        "/api/v1/reports": {"get": _op(
            "The Decision 766 scorecard of /bao-cao (managers; leaders within their agencies): period (counted_to: "
            "a running period is cut at today), total out of 100, groups {number, points, max, indicators}, "
            "indicators {key, value (decimal string, null = no data), unit, points, max_points, reason, count "
            "(population), hits, subject (dossier | procedure), target (the target in force, /bao-cao/muc-tieu), "
            "met (reaches the target; null = no data)}; counts only, /bao-cao/ho-so lists the dossiers",
            errors=(403, 422), answer=REPORT,
            params=(param("tu-ngay", text(10, name=True), description="dd/mm/yyyy; default: the current quarter"),
                    param("den-ngay", text(10, name=True), description="dd/mm/yyyy"),
                    param("from", {"type": "string", "format": "date"}, description="yyyy-mm-dd, instead of tu-ngay"),
                    param("to", {"type": "string", "format": "date"}, description="yyyy-mm-dd, instead of den-ngay"),
                    param("co-quan", text(32, name=True), description="agency code"),
                    param("thu-tuc", text(32, name=True), description="procedure code")))},
        "/api/v1/calendar/overrides/{id}": {"delete": _op("Remove an override (admin)", ok=204, errors=(403, 404),
                                                          params=(param("id", {"type": "integer"}, "path"),))},
    },
}


async def openapi(request: Request) -> JSONResponse:
    return JSONResponse(DOCUMENT)
