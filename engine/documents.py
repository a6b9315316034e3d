"""The facts printed on a dossier's documents: the Form 01 receipt and appointment slip, and the
apology / re-appointment letter (ND118 art. 19.6). Formatting is the web layer's job.

The receipt lists the components actually received, not every component the procedure names:
a procedure component (the version's metadata, procedure.toml ``[[components]]``) says how it arrives: ``form = true``
(the application form itself, received with every submission) or ``field = "<key>"`` (an upload
field of the application form: received when files are present at that key). Files uploaded in
a field no component names are listed under the field's label."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import dossiers
from engine.dossiers.applicant import dig
from engine.errors import NotFound
from engine.lifecycle import Status
from engine.models import Dossier, User
from engine.versions import version_info
from engine.workflow import runner


@dataclass
class DossierDocument:
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    components: list[dict[str, Any]]  # received: {name, kind, quantity, ...}
    time_limit: float
    time_unit: str
    applicant: dict[str, str]
    channel: str
    reception_point: str
    lifecycle_status: int
    accepted_at: datetime | None
    due_original_at: datetime | None
    due_at: datetime | None
    extension: dict[str, Any] | None
    refusal: dict[str, Any] | None
    extra: dict[str, Any] = field(default_factory=dict)


async def visible_for(code: str, user: User | None) -> Dossier:
    """The dossier whose documents `user` may read (a citizen's once it has been accepted)."""
    dossier = await dossiers.get_for(code, user)
    if user is not None and user.kind == "citizen" and dossier.lifecycle_status == int(Status.SUBMITTED):
        raise NotFound("The dossier has not been accepted yet", code=code)
    return dossier


async def build(dossier: Dossier) -> DossierDocument:
    version = await version_info(dossier.procedure_version_id)
    meta = version.metadata  # the facts of the version the dossier was received under
    data = runner.project(dossier.state, version.spec, version.subprocess_specs).data
    components = received_components(meta.get("components") or [], version.start_form(), data)
    mapping = version.applicant  # the procedure's applicant mapping (checked at publish)
    applicant = {"name": dossier.applicant_name, "phone": dossier.applicant_phone,
                 "email": dossier.applicant_email, "address": str(dig(data, mapping.get("address")) or "")}
    return DossierDocument(
        code=dossier.code, procedure_code=version.procedure_code, procedure_name=str(meta.get("name", "")),
        agency=str(meta.get("agency", "")),
        components=components, time_limit=float(version.limit.value), time_unit=version.limit.unit,
        applicant=applicant, channel=dossier.channel, reception_point=dossier.reception_point,
        lifecycle_status=dossier.lifecycle_status, accepted_at=dossier.accepted_at,
        due_original_at=dossier.due_original_at, due_at=dossier.due_adjusted_at, extension=dossier.extension,
        refusal=dossier.refusal,
    )


def received_components(components: list[dict[str, Any]], start_form: dict[str, Any] | None,
                        data: dict[str, Any]) -> list[dict[str, Any]]:
    """The components the dossier was received with (module doc), each with its ``quantity``;
    an uploaded document is an electronic copy ("e-copy") whatever kind the procedure asks for."""
    uploads = {key: (label, files) for key, label, files in _uploads((start_form or {}).get("components"), data)}
    received = []
    for component in components:
        if component.get("form"):
            received.append({**component, "quantity": 1})
        elif (key := component.get("field")) in uploads:
            received.append({**component, "kind": "e-copy", "quantity": len(uploads.pop(key)[1])})
    received += [{"name": label or key, "kind": "e-copy", "quantity": len(files), "field": key}
                 for key, (label, files) in uploads.items()]
    return received


def _uploads(components: Any, data: Any) -> Iterator[tuple[str, str, list[Any]]]:
    """(key, label, files) of each upload field of a form-js schema with files in ``data``;
    a group's ``path`` nests its data (forms/ conventions)."""
    if not isinstance(components, list) or not isinstance(data, dict):
        return
    for component in components:
        if not isinstance(component, dict):
            continue
        if component.get("type") == "filepicker" and component.get("key"):
            files = data.get(component["key"])
            files = files if isinstance(files, list) else [files] if isinstance(files, dict) else []
            if files:
                yield component["key"], str(component.get("label") or ""), files
        elif component.get("components"):
            yield from _uploads(component["components"], data.get(component["path"]) if component.get("path")
                                else data)
