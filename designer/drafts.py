"""The designer's commands: engine.design, plus what only the designer knows (the starter model,
the forms package's checks, the form refs a model uses).

Every command takes the acting admin's username and `now`; the pages pass them in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from designer import formcheck, starter
from engine import design, procedures
from engine.errors import Conflict, ModelInvalid, Problem
from engine.models import ProcedureDraft, ProcedureVersion
from engine.workflow.extensions import NSMAP
from engine.workflow.parser import read_xml


async def create(code: str, fields: Mapping[str, Any], *, actor: str, now: datetime, upload: bytes | None = None,
                 filename: str = "") -> ProcedureDraft:
    """A new procedure whose draft is the starter model, or the uploaded .bpmn file."""
    if upload:
        return await design.create(code, fields, upload, {}, actor=actor, now=now, action="imported",
                                   filename=filename)
    xml, forms = starter.starter(code, str(fields.get("name", "")))
    return await design.create(code, fields, xml, forms, actor=actor, now=now, applicant=starter.APPLICANT)


async def open_draft(code: str, *, actor: str, now: datetime) -> ProcedureDraft:
    procedure = await procedures.get(code)
    return await design.ensure_draft(code, starter.starter(code, procedure.name), actor=actor, now=now)


async def duplicate(code: str, new_code: str, name: str, *, actor: str, now: datetime) -> ProcedureDraft:
    procedure = await procedures.get(code)
    return await design.duplicate(code, new_code, name, actor=actor, now=now,
                                  starter=starter.starter(code, procedure.name))


async def save_form(code: str, ref: str, schema: dict[str, Any], revision: int, *, actor: str,
                    now: datetime) -> tuple[ProcedureDraft, list[Problem]]:
    """Saves the form as it is, with what the server renderer cannot honour (one problem per
    component): a draft never loses work. Check and publish refuse it until the problems are fixed,
    and `form_problems` finds them again when the editor is reloaded."""
    draft = await design.save_form(code, ref, schema, revision, actor=actor, now=now)
    return draft, formcheck.problems(ref, schema)


def form_problems(draft: ProcedureDraft, ref: str) -> list[Problem]:
    """What the server renderer cannot honour in one saved form of the draft."""
    schema = (draft.forms or {}).get(ref)
    return formcheck.problems(ref, schema) if schema is not None else []


async def add_form(code: str, ref: str, revision: int, *, actor: str, now: datetime) -> ProcedureDraft:
    draft = await design.get_draft(code)
    if ref in (draft.forms or {}):
        raise Conflict("The draft already has this form", code=code, form=ref, reason="form_exists")
    return await design.save_form(code, ref, starter.empty_form(ref), revision, actor=actor, now=now)


async def check(code: str, *, actor: str, now: datetime) -> list[Problem]:
    draft = await design.get_draft(code)
    return await design.check(code, actor=actor, now=now, extra=formcheck.all_problems(draft.forms or {}))


async def problems(code: str) -> list[Problem]:
    """What check would list for the draft as saved (no audit row): shown when the page loads, so a
    draft saved with problems shows them again after a reload."""
    draft = await design.get_draft(code)
    return await design.problems(code, extra=formcheck.all_problems(draft.forms or {}))


async def publish(code: str, revision: int, *, actor: str, now: datetime) -> tuple[ProcedureVersion, bool]:
    draft = await design.get_draft(code)
    return await design.publish(code, revision, actor=actor, now=now,
                                extra=formcheck.all_problems(draft.forms or {}))


def form_refs(xml: str) -> list[str]:
    """The motcua:form refs the model uses, in document order, without repeats."""
    try:
        root = read_xml(xml.encode("utf-8"))
    except ModelInvalid:
        return []
    refs = [node.get("ref", "") for node in root.iterfind(".//motcua:form", NSMAP)]
    return list(dict.fromkeys(r for r in refs if r))


def form_title(schema: Any, ref: str) -> str:
    """What the modeler's form list shows: the form's first text heading, else its ref."""
    for comp in (schema or {}).get("components") or [] if isinstance(schema, dict) else []:
        text = str(comp.get("text") or "") if isinstance(comp, dict) and comp.get("type") == "text" else ""
        heading = text.lstrip("# ").splitlines()[0].strip() if text.strip() else ""
        if heading:
            return heading[:80]
    return ref

