"""The designer's form pages (admins), under /designer/{code}/forms:

    GET  /{ref}            the form-js editor, with previews of the server-rendered form (phone, desktop)
    POST /{ref}            save {schema, revision}: always saved as it is (a draft never loses work), with
                           `problems` naming the components the server cannot render by their labels
    POST /                 add an empty form {ref, revision};  POST /{ref}/delete  {revision}
    GET  /{ref}/preview    the saved form as citizens and staff get it; POST (schema=...) an unsaved one
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from designer import drafts, formcheck, starter
from engine import design, procedures
from engine.errors import InvalidData, NotFound
from engine.models import ProcedureDraft, User
from web.api.common import json_body
from web.auth import requires
from web.designer.common import catalogue, form_list, now_of, revision_of
from web.designer.problems import component_label
from web.i18n import gettext_for
from web.pages import check_csrf, language, render
from web.permissions import DESIGN


def _refs(draft: ProcedureDraft) -> list[dict[str, str]]:
    return catalogue(form_list(draft))


@requires(DESIGN)
async def editor(request: Request, user: User) -> Response:
    code, ref = request.path_params["code"], request.path_params["ref"]
    procedure = await procedures.get(code)
    draft = await drafts.open_draft(code, actor=user.username, now=now_of(request))
    if not design.FORM_REF.fullmatch(ref):
        raise NotFound("No such form", code=code, form=ref)
    schema = (draft.forms or {}).get(ref)
    used = any(f.used for f in form_list(draft) if f.ref == ref)
    problems = _form_problems(request, drafts.form_problems(draft, ref), draft.forms or {})
    return render(request, "designer/form_editor.html", p=procedure, ref=ref, is_new=schema is None, used=used,
                  problems=problems,
                  data={"code": code, "ref": ref, "revision": draft.revision,
                        "schema": schema if schema is not None else starter.empty_form(ref)})


def _form_problems(request: Request, problems: list[Any], forms: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each problem naming the component by the label the admin gave it."""
    tr = gettext_for(language(request))
    return [{"text": tr.gettext("Thành phần “%(component)s”: %(detail)s") % {
                "component": component_label(forms, p.form, p.component) or "—", "detail": p.message}
             if p.component else p.message,
             "component": p.component, "detail": p.message} for p in problems]


@requires(DESIGN, json=True, csrf_header=True)
async def save(request: Request, user: User) -> Response:
    code, ref = request.path_params["code"], request.path_params["ref"]
    body = await json_body(request)
    schema = body.get("schema")
    if not isinstance(schema, dict):
        raise InvalidData("schema is required", fields={"schema": ["a form-js schema"]})
    if len(json.dumps(schema)) > design.MAX_FORM_BYTES:
        raise InvalidData("The form is too large", fields={"schema": [f"at most {design.MAX_FORM_BYTES} bytes"]})
    draft, problems = await drafts.save_form(code, ref, schema, revision_of(body), actor=user.username,
                                             now=now_of(request))
    return JSONResponse({"saved": True, "revision": draft.revision, "forms": _refs(draft),
                         "problems": _form_problems(request, problems, draft.forms or {})})


@requires(DESIGN, json=True, csrf_header=True)
async def add(request: Request, user: User) -> Response:
    body = await json_body(request)
    ref = str(body.get("ref", "")).strip()
    if not design.FORM_REF.fullmatch(ref):
        raise InvalidData("Invalid form ref", fields={"ref": ["lower-case letters, digits, '_' or '-'"]})
    draft = await drafts.add_form(request.path_params["code"], ref, revision_of(body), actor=user.username,
                                  now=now_of(request))
    return JSONResponse({"revision": draft.revision, "forms": _refs(draft)}, status_code=201)


@requires(DESIGN, json=True, csrf_header=True)
async def delete(request: Request, user: User) -> Response:
    body = await json_body(request)
    draft = await design.delete_form(request.path_params["code"], request.path_params["ref"], revision_of(body),
                                     actor=user.username, now=now_of(request))
    return JSONResponse({"revision": draft.revision, "forms": _refs(draft)})


@requires(DESIGN)
async def preview(request: Request, user: User) -> Response:
    """A bare page (no site header) for the preview iframes; POST previews the editor's unsaved schema."""
    code, ref = request.path_params["code"], request.path_params["ref"]
    if request.method == "POST":
        form = await check_csrf(request)
        try:
            schema = json.loads(str(form.get("schema", "")))
        except ValueError:
            schema = None
    else:
        schema = ((await design.get_draft(code)).forms or {}).get(ref)
    if not isinstance(schema, dict):
        schema = starter.empty_form(ref)
    lang = language(request)
    problems = formcheck.schema_problems(schema)
    return render(request, "designer/preview.html", ref=ref, rendered=formcheck.rendered(schema, lang),
                  rows=formcheck.field_rows(schema), problems=problems, css=formcheck.stylesheet())
