"""The facts printed on a dossier's documents: the Form 01 receipt and appointment slip, and the
apology / re-appointment letter (ND118 art. 19.6). Formatting is the web layer's job."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine import dossiers
from engine.dossiers import version_info
from engine.errors import NotFound
from engine.lifecycle import Status
from engine.models import Dossier, Procedure, User
from engine.workflow import runner

# where the applicant's details sit in the shipped application forms, most specific first
APPLICANT_KEYS = {
    "name": ("requester_full_name", "owner_full_name", "applicant_name", "full_name"),
    "phone": ("requester_phone", "business_phone", "phone"),
    "email": ("requester_email", "business_email", "email"),
    "address": ("requester_address", "owner_residence", "address", "business_street"),
}


@dataclass
class DossierDocument:
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    components: list[dict[str, Any]]
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


async def for_user(code: str, user: User | None) -> DossierDocument:
    dossier = await dossiers.get_for(code, user)
    if user is not None and user.kind == "citizen" and dossier.lifecycle_status == int(Status.SUBMITTED):
        raise NotFound("The dossier has not been accepted yet", code=code)
    return await build(dossier)


async def build(dossier: Dossier) -> DossierDocument:
    version = await version_info(dossier.procedure_version_id)
    procedure = await Procedure.get(code=version.procedure_code)
    data = runner.project(dossier.state, version.spec, version.subprocess_specs).data
    applicant = {field_: next((str(data[k]) for k in keys if data.get(k)), "")
                 for field_, keys in APPLICANT_KEYS.items()}
    return DossierDocument(
        code=dossier.code, procedure_code=procedure.code, procedure_name=procedure.name, agency=procedure.agency,
        components=procedure.components or [], time_limit=float(version.limit.value), time_unit=version.limit.unit,
        applicant=applicant, channel=dossier.channel, reception_point=dossier.reception_point,
        lifecycle_status=dossier.lifecycle_status, accepted_at=dossier.accepted_at,
        due_original_at=dossier.due_original_at, due_at=dossier.due_adjusted_at, extension=dossier.extension,
        refusal=dossier.refusal,
    )
