"""GET /api/v1/dossiers: the managers' dossier search (the filters of /quan-ly/ho-so), newest first,
`limit` (1-500, default 50) rows a page, `cursor` = the previous page's `next_cursor`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine.dossiers import search as dossier_search
from engine.errors import InvalidData
from engine.lifecycle import Status
from engine.models import User
from web.api.common import iso
from web.auth import requires
from web.permissions import DOSSIER_SEARCH, search_scope
from web.staff.search_filters import FIELDS, PROBLEMS, parse

S = {"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f]*$"}  # no control characters (web/inputs.py)
DATE = {"type": "string", "format": "date", "description": "yyyy-mm-dd (or dd/mm/yyyy), a local day"}
#: the query parameters, for the OpenAPI document
PARAMETERS: list[dict[str, Any]] = [
    {"name": "code", "in": "query", "schema": {**S, "maxLength": 64},
     "description": "the start of the dossier code"},
    {"name": "name", "in": "query", "schema": {**S, "maxLength": 200},
     "description": "part of the applicant's name, accents ignored"},
    {"name": "procedure", "in": "query", "schema": {**S, "maxLength": 32}, "description": "procedure code"},
    {"name": "status", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10},
     "description": "national lifecycle status (Decree 118)"},
    *({"name": n, "in": "query", "schema": DATE, "description": d} for n, d in (
        ("received_from", "received on or after"), ("received_to", "received on or before"),
        ("accepted_from", "accepted on or after"), ("accepted_to", "accepted on or before"))),
    {"name": "overdue", "in": "query", "schema": {"type": "boolean"},
     "description": "1/true: the due passed while processing, or the result came late"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
    {"name": "cursor", "in": "query", "schema": {**S, "maxLength": 200},
     "description": "next_cursor of the previous page"},
]
assert {p["name"] for p in PARAMETERS} == {*FIELDS, "limit", "cursor"}


def row_json(r: dossier_search.SearchRow) -> dict[str, Any]:
    status = Status(r.lifecycle_status)
    return {"code": r.code, "procedure": r.procedure_code, "procedure_name": r.procedure_name, "agency": r.agency,
            "applicant_name": r.applicant_name, "lifecycle": {"code": int(status), "label_vi": status.label_vi,
                                                              "label_en": status.label_en},
            "channel": r.channel, "received_at": iso(r.received_at), "accepted_at": iso(r.accepted_at),
            "due_at": iso(r.due_at), "finished_at": iso(r.finished_at), "overdue": r.overdue}


@requires(DOSSIER_SEARCH)
async def search(request: Request, user: User) -> JSONResponse:
    q = request.query_params
    filters, problems = parse(q)
    limit_text = q.get("limit") or "50"
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= 500:
        problems["limit"] = "limit"
    if problems:
        raise InvalidData("Invalid search", fields={k: [PROBLEMS[c][1] if c in PROBLEMS else "1 to 500"]
                                                    for k, c in problems.items()})
    page = await dossier_search.search(filters, request.app.state.clock(), agencies=await search_scope(user),
                                       limit=int(limit_text), cursor=q.get("cursor") or None)
    return JSONResponse({"items": [row_json(r) for r in page.rows], "next_cursor": page.next_cursor})
