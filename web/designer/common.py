"""What several designer routes need: the clock, the revision a JSON body names, and the
draft's list of forms. (Who may: web.auth.requires(web.permissions.DESIGN).)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from designer import drafts
from engine.errors import InvalidData
from engine.models import ProcedureDraft


def revision_of(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool):
        raise InvalidData("revision is required", fields={"revision": ["an integer"]})
    return revision


def now_of(request: Request) -> datetime:
    return request.app.state.clock()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class FormLine:
    ref: str
    name: str
    exists: bool  # False: the model names it, but the draft has no such form yet
    used: bool  # a step or the start event uses it


def form_list(draft: ProcedureDraft) -> list[FormLine]:
    """Forms of the draft, then refs the model uses that have no form yet."""
    used = drafts.form_refs(draft.bpmn_xml)
    forms = draft.forms or {}
    listed = [FormLine(ref, drafts.form_title(forms[ref], ref), True, ref in used) for ref in sorted(forms)]
    return listed + [FormLine(ref, ref, False, True) for ref in used if ref not in forms]


def catalogue(forms: list[FormLine]) -> list[dict[str, str]]:
    """The modeler's form choices (motcuaCatalogue.setForms)."""
    return [{"ref": f.ref, "name": f.name} for f in forms if f.exists]
