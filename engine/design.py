"""The designer's commands: drafts saved with a revision check, check, publish, duplicate, audit.

A procedure has at most one ProcedureDraft (BPMN XML + forms). Every change is
`UPDATE … WHERE revision = r`: zero rows means someone else saved first (Conflict). "Check" runs
the very validation publish runs (engine.workflow.parser.parse_model with the role catalogue);
publish stores an immutable ProcedureVersion through engine.procedures.publish, so dossiers
already running stay on the version they reference. Every command leaves a DesignAudit row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lxml import etree
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from engine import lifecycle_check, metadata, procedures
from engine.errors import Conflict, InvalidData, ModelInvalid, NotFound, Problem
from engine.models import DesignAudit, Dossier, Procedure, ProcedureDraft, ProcedureVersion, Role
from engine.workflow.autoforms import AUTO_PREFIX
from engine.workflow.extensions import NSMAP
from engine.workflow.parser import parse_model, read_xml

MAX_XML_BYTES = 2_000_000
MAX_FORM_BYTES = 500_000
FORM_REF = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")  # bpmn/motcua.xsd tFormRef
EDIT_SESSION = timedelta(minutes=30)  # autosaves by one admin within this window share one audit row


@dataclass(frozen=True)
class VersionRow:
    number: int
    status: str  # published | retired
    published_by: str
    published_at: datetime
    running: int  # dossiers still processing on this version


@dataclass
class ProcedureRow:
    procedure: Procedure
    versions: list[VersionRow] = field(default_factory=list)
    draft_revision: int | None = None
    draft_updated_at: datetime | None = None
    draft_updated_by: str = ""
    draft_based_on: int | None = None


# ------------------------------------------------------------------ reading
async def overview(code: str | None = None) -> list[ProcedureRow]:
    """Every procedure (or the one with `code`) with its versions, the number of dossiers still
    running on each, and its draft's revision."""
    chosen = Procedure.all() if code is None else Procedure.filter(code=code)
    running_on = Dossier.filter(status="processing")
    drafts_of = ProcedureDraft.all()
    if code is not None:
        running_on = running_on.filter(procedure_version__procedure__code=code)
        drafts_of = drafts_of.filter(procedure__code=code)
    running = {
        row["procedure_version_id"]: row["n"]
        for row in await running_on.annotate(n=Count("id")).group_by("procedure_version_id")
        .values("procedure_version_id", "n")
    }
    drafts = {d["procedure_id"]: d for d in await drafts_of.values(
        "procedure_id", "revision", "updated_at", "updated_by", "based_on")}
    rows = []
    for p in await chosen.order_by("code").prefetch_related("versions"):
        row = ProcedureRow(p, [VersionRow(v.number, v.status, v.published_by, v.published_at, running.get(v.id, 0))
                               for v in sorted(p.versions, key=lambda v: v.number)])
        if p.id in drafts:
            d = drafts[p.id]
            row.draft_revision, row.draft_updated_at = d["revision"], d["updated_at"]
            row.draft_updated_by, row.draft_based_on = d["updated_by"], d["based_on"]
        rows.append(row)
    return rows


async def get_draft(code: str) -> ProcedureDraft:
    procedure = await procedures.get(code)
    draft = await ProcedureDraft.get_or_none(procedure_id=procedure.id)
    if draft is None:
        raise NotFound("The procedure has no draft", code=code)
    return draft


async def version(code: str, number: int) -> ProcedureVersion:
    procedure = await procedures.get(code)
    found = await ProcedureVersion.get_or_none(procedure_id=procedure.id, number=number)
    if found is None:
        raise NotFound("No such version", code=code, number=number)
    return found


async def model_of(code: str, which: str) -> tuple[str, dict[str, Any]]:
    """(BPMN XML, forms) of "draft" or of a version number."""
    if which == "draft":
        draft = await get_draft(code)
        return draft.bpmn_xml, dict(draft.forms or {})
    if not which.isdigit():
        raise NotFound("No such version", code=code, number=which)
    found = await version(code, int(which))
    return found.bpmn_xml, dict(found.forms or {})


async def audit_log(code: str, limit: int = 200) -> list[DesignAudit]:
    procedure = await procedures.get(code)
    return await DesignAudit.filter(procedure_id=procedure.id).order_by("-at", "-id").limit(limit)


# ------------------------------------------------------------------ drafts
def normalise_xml(data: bytes | str) -> str:
    """Well-formed BPMN 2.0 (no DTD, no entities) as text; raises ModelInvalid (xml_syntax, not_bpmn,
    xml_dtd, too_large) as publish would. Text (what bpmn-js saves) is kept byte for byte; a file in
    another encoding (the MIWG references are ISO-8859-1) is re-written as UTF-8."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > MAX_XML_BYTES:
        raise ModelInvalid([Problem(f"The model is larger than {MAX_XML_BYTES} bytes", code="too_large")])
    declaration = _DECLARATION.match(raw)
    if isinstance(data, str):
        # the text is already decoded: a declaration naming another encoding would make lxml misread it
        raw = raw[declaration.end():] if declaration else raw
    root = read_xml(raw)
    if isinstance(data, str) and (declaration is None or _UTF8.search(declaration.group(0))):
        return data
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(etree.tostring(root, encoding="unicode"))


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_UTF8 = re.compile(rb"""encoding=["']utf-?8["']""", re.IGNORECASE)


async def _audit(procedure_id: int, action: str, actor: str, now: datetime, *, revision: int | None = None,
                 version_number: int | None = None, **details: Any) -> None:
    await DesignAudit.create(procedure_id=procedure_id, action=action, actor=actor, at=now, revision=revision,
                             version_number=version_number, details=details)


async def _audit_edit(procedure_id: int, action: str, actor: str, now: datetime, revision: int,
                      **details: Any) -> None:
    """One "edited" row per admin and sitting: autosaves every few seconds must not flood the trail."""
    last = await DesignAudit.filter(procedure_id=procedure_id).order_by("-at", "-id").first()
    if (last is not None and last.action == action == "edited" and last.actor == actor
            and now - last.at <= EDIT_SESSION):
        saves = int((last.details or {}).get("saves", 1)) + 1
        await DesignAudit.filter(id=last.id).update(at=now, revision=revision,
                                                    details={**(last.details or {}), "saves": saves})
        return
    await _audit(procedure_id, action, actor, now, revision=revision, saves=1, **details)


async def create(code: str, fields: Mapping[str, Any], xml: bytes | str, forms: Mapping[str, Any], *, actor: str,
                 now: datetime, action: str = "created", meta: Mapping[str, Any] | None = None,
                 applicant: Mapping[str, str] | None = None, **details: Any) -> ProcedureDraft:
    """A new procedure (catalogue entry) with its first draft (and its facts, `meta`, when copied;
    `applicant`: the applicant mapping of a starter model's application form)."""
    if await Procedure.filter(code=code).exists():
        raise Conflict("A procedure with this code already exists", code=code, reason="procedure_exists")
    text = normalise_xml(xml)
    _check_forms_shape(forms)
    async with in_transaction():
        procedure = await procedures.create_or_update(code, **fields)
        if meta is None and applicant:
            meta = {**metadata.from_procedure(procedure), "applicant": dict(applicant)}
        draft = await ProcedureDraft.create(procedure_id=procedure.id, bpmn_xml=text, forms=dict(forms),
                                            updated_by=actor, updated_at=now, metadata=meta)
        await _audit(procedure.id, action, actor, now, revision=0, **details)
    return draft


async def ensure_draft(code: str, starter: tuple[str, Mapping[str, Any]] | None, *, actor: str,
                       now: datetime) -> ProcedureDraft:
    """The procedure's draft; made on first use from its latest version, else from `starter`."""
    procedure = await procedures.get(code)
    draft = await ProcedureDraft.get_or_none(procedure_id=procedure.id)
    if draft is not None:
        return draft
    latest = await ProcedureVersion.filter(procedure_id=procedure.id).order_by("-number").first()
    if latest is not None:
        xml, forms, based_on = latest.bpmn_xml, _designed_forms(latest), latest.number
    elif starter is not None:
        xml, forms, based_on = starter[0], dict(starter[1]), None
    else:
        raise NotFound("The procedure has no draft and no version", code=code)
    async with in_transaction():
        if await ProcedureDraft.filter(procedure_id=procedure.id).exists():  # a concurrent first open
            return await ProcedureDraft.get(procedure_id=procedure.id)
        draft = await ProcedureDraft.create(procedure_id=procedure.id, bpmn_xml=xml, forms=forms,
                                            based_on=based_on, updated_by=actor, updated_at=now)
        await _audit(procedure.id, "draft_opened", actor, now, revision=0, version_number=based_on)
    return draft


def _designed_forms(version: ProcedureVersion) -> dict[str, Any]:
    """A version's forms without those publish generated for steps that had none (engine/workflow/
    autoforms.py): the draft is what was published, so publishing it unchanged is a no-op."""
    used = {node.get("ref") for node in read_xml(version.bpmn_xml.encode("utf-8")).iterfind(".//motcua:form", NSMAP)}
    return {ref: schema for ref, schema in (version.forms or {}).items()
            if not ref.startswith(AUTO_PREFIX) or ref in used}


async def _update(code: str, revision: int, actor: str, now: datetime, **changes: Any) -> ProcedureDraft:
    draft = await get_draft(code)
    updated = await ProcedureDraft.filter(id=draft.id, revision=revision).update(
        revision=revision + 1, updated_by=actor, updated_at=now, **changes)
    if updated == 0:
        await draft.refresh_from_db()
        raise Conflict("The draft was changed by someone else", code=code, revision=draft.revision,
                       updated_by=draft.updated_by, reason="draft_conflict")
    await draft.refresh_from_db()
    return draft


async def save_xml(code: str, xml: str, revision: int, *, actor: str, now: datetime) -> ProcedureDraft:
    """Autosave from the modeler: any well-formed BPMN is kept (checking is a separate step)."""
    text = normalise_xml(xml)
    draft = await _update(code, revision, actor, now, bpmn_xml=text)
    await _audit_edit(draft.procedure_id, "edited", actor, now, draft.revision)
    return draft


async def save_model_and_forms(code: str, xml: str, forms: Mapping[str, Any], revision: int, *, actor: str,
                               now: datetime, action: str) -> ProcedureDraft:
    """Replace the draft's model and forms in one revision-checked save (a proposal the admin applied)."""
    text = normalise_xml(xml)
    _check_forms_shape(forms)
    draft = await _update(code, revision, actor, now, bpmn_xml=text,
                          forms={k: {**v, "id": k} for k, v in forms.items()})
    await _audit(draft.procedure_id, action, actor, now, revision=draft.revision)
    return draft


async def replace_model(code: str, data: bytes, revision: int, *, actor: str, now: datetime,
                        filename: str = "") -> ProcedureDraft:
    """Import a .bpmn file (Camunda Modeler, bpmn-js, another tool) as the draft's model; forms stay."""
    draft = await _update(code, revision, actor, now, bpmn_xml=normalise_xml(data))
    await _audit(draft.procedure_id, "imported", actor, now, revision=draft.revision, filename=filename)
    return draft


def _check_forms_shape(forms: Mapping[str, Any]) -> None:
    for ref, schema in forms.items():
        _check_form(ref, schema)


def _check_form(ref: str, schema: Any) -> None:
    if not FORM_REF.fullmatch(ref or ""):
        raise InvalidData("Invalid form ref", fields={"ref": ["lower-case letters, digits, '_' or '-'"]})
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        raise InvalidData("Not a form-js schema", fields={"schema": ["a form-js schema with a components list"]})


async def save_form(code: str, ref: str, schema: dict[str, Any], revision: int, *, actor: str,
                    now: datetime) -> ProcedureDraft:
    """Create or replace one form of the draft (the caller has run the forms package's checks)."""
    _check_form(ref, schema)
    draft = await get_draft(code)
    forms = {**(draft.forms or {}), ref: {**schema, "id": ref}}
    created = ref not in (draft.forms or {})
    draft = await _update(code, revision, actor, now, forms=forms)
    await _audit(draft.procedure_id, "form_saved", actor, now, revision=draft.revision, form=ref, new=created)
    return draft


async def delete_form(code: str, ref: str, revision: int, *, actor: str, now: datetime) -> ProcedureDraft:
    draft = await get_draft(code)
    if ref not in (draft.forms or {}):
        raise NotFound("No such form in the draft", code=code, form=ref)
    forms = {k: v for k, v in (draft.forms or {}).items() if k != ref}
    draft = await _update(code, revision, actor, now, forms=forms)
    await _audit(draft.procedure_id, "form_deleted", actor, now, revision=draft.revision, form=ref)
    return draft


# ------------------------------------------------------------------ check and publish
async def _problems(draft: ProcedureDraft, extra: Sequence[Problem]) -> list[Problem]:
    roles = [r.code for r in await Role.all()]
    problems = list(extra)
    try:
        parse_model(draft.bpmn_xml.encode("utf-8"), dict(draft.forms or {}), roles)
    except ModelInvalid as exc:
        problems = exc.problems + problems
    # the Decree 118 lifecycle and parallel writes: the designer's own rules (engine/lifecycle_check.py)
    found = lifecycle_check.check(draft.bpmn_xml, dict(draft.forms or {}))
    problems = problems[:len(problems) - len(extra)] + found + list(extra)
    code = (await Procedure.get(id=draft.procedure_id)).code
    return problems + metadata.check(await metadata.of_draft(draft), start_form(draft), code)[1]


def start_form(draft: ProcedureDraft) -> dict[str, Any] | None:
    """The draft's application form: the one its start event names (None when none or unreadable)."""
    try:
        root = read_xml(draft.bpmn_xml.encode("utf-8"))
    except ModelInvalid:
        return None
    node = root.find(".//bpmn:startEvent//motcua:form", NSMAP)
    form = (draft.forms or {}).get(node.get("ref", "")) if node is not None else None
    return form if isinstance(form, dict) else None


async def save_metadata(code: str, meta: Mapping[str, Any], revision: int, *, actor: str,
                        now: datetime) -> ProcedureDraft:
    """Keep the procedure's facts as typed, problems and all (engine/metadata.py: check and publish
    name them); like every draft change, `WHERE revision = r`."""
    draft = await _update(code, revision, actor, now, metadata=dict(meta))
    await _audit(draft.procedure_id, "metadata_saved", actor, now, revision=draft.revision)
    return draft


async def problems(code: str, *, extra: Sequence[Problem] = ()) -> list[Problem]:
    """The draft's problems as they stand, without an audit row (the designer page shows them on load)."""
    return await _problems(await get_draft(code), extra)


async def check(code: str, *, actor: str, now: datetime, extra: Sequence[Problem] = ()) -> list[Problem]:
    """Every problem publish would refuse the draft for (`extra`: the forms package's findings)."""
    draft = await get_draft(code)
    problems = await _problems(draft, extra)
    await _audit(draft.procedure_id, "checked", actor, now, revision=draft.revision, problems=len(problems))
    return problems


async def publish(code: str, revision: int, *, actor: str, now: datetime,
                  extra: Sequence[Problem] = ()) -> tuple[ProcedureVersion, bool]:
    """Publish the draft as a new immutable version: (version, created). Publishing a draft equal to
    the latest version creates nothing. `revision` is the draft the admin looked at: a newer one
    (another tab, another admin) is a Conflict, so nobody publishes what they have not seen."""
    draft = await get_draft(code)
    if draft.revision != revision:
        raise Conflict("The draft was changed by someone else", code=code, revision=draft.revision,
                       updated_by=draft.updated_by, reason="draft_conflict")
    problems = await _problems(draft, extra)
    if problems:
        await _audit(draft.procedure_id, "publish_refused", actor, now, revision=draft.revision,
                     problems=len(problems))
        raise ModelInvalid(problems)
    before = await ProcedureVersion.filter(procedure_id=draft.procedure_id).count()
    published = await procedures.publish(code, draft.bpmn_xml.encode("utf-8"), dict(draft.forms or {}),
                                         published_by=actor, meta=await metadata.of_draft(draft))
    created = await ProcedureVersion.filter(procedure_id=draft.procedure_id).count() > before
    await ProcedureDraft.filter(id=draft.id).update(based_on=published.number)
    await _audit(draft.procedure_id, "published" if created else "publish_unchanged", actor, now,
                 revision=draft.revision, version_number=published.number)
    return published, created


async def duplicate(code: str, new_code: str, name: str, *, actor: str, now: datetime,
                    starter: tuple[str, Mapping[str, Any]] | None = None) -> ProcedureDraft:
    """A new procedure with the same descriptive fields and a copy of the source's draft."""
    source = await procedures.get(code)
    draft = await ensure_draft(code, starter, actor=actor, now=now)
    fields = {k: getattr(source, k) for k in procedures.PROCEDURE_FIELDS if k not in ("slug", "name")}
    fields["name"] = name or source.name
    meta = {**await metadata.of_draft(draft), "name": fields["name"]}
    return await create(new_code, fields, draft.bpmn_xml, dict(draft.forms or {}), actor=actor, now=now,
                        action="duplicated", meta=meta, source=code)


async def export(code: str, which: str) -> tuple[str, str]:
    """(file name, BPMN XML) of the draft or of a version."""
    xml, _forms = await model_of(code, which)
    suffix = "draft" if which == "draft" else f"v{which}"
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', code)}-{suffix}.bpmn", xml
