"""Published versions as the hot path needs them: spec, lanes, forms, the time limit pinned at publish;
cached by (id, digest)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from threading import Lock
from typing import Any

from engine import metadata
from engine import sql as rows
from engine.agencies import PROCEDURE_AGENCY
from engine.dossier_lifecycle import Limit, limit_of
from engine.errors import NotFound
from engine.models import ProcedureVersion
from engine.procedures import LoadedVersion
from engine.procedures import load as load_version


@dataclass(frozen=True)
class VersionInfo:
    id: int
    digest: str
    number: int
    procedure_code: str
    limit: Limit
    lanes: dict[str, str]
    elements: dict[str, Any]
    forms: dict[str, Any]
    spec: Any
    subprocess_specs: dict[str, Any]
    applicant: dict[str, str]  # role (name, id_number, phone, email, address) -> dotted field key
    metadata: dict[str, Any]  # the published facts (engine/metadata.py): components, fees, legal basis…
    #: the agency code the procedure names, read with the current version (None: not read; "": none)
    procedure_agency: str | None = None

    def form(self, element_id: str) -> tuple[str | None, dict[str, Any] | None]:
        ref = (self.elements.get(element_id) or {}).get("form")
        return ref, self.forms.get(ref) if ref else None

    def start_form(self) -> dict[str, Any] | None:
        """The application form (the start event's), if the model has one."""
        return next((self.form(e)[1] for e, info in self.elements.items()
                     if info.get("tag") == "startEvent" and info.get("form")), None)


_versions: OrderedDict[tuple[int, str], VersionInfo] = OrderedDict()
_versions_lock = Lock()


async def version_info(version_id: int, digest: str | None = None) -> VersionInfo:
    """A published version's facts; keyed by (id, digest) since ids repeat across databases."""
    if digest is not None:
        with _versions_lock:
            if (found := _versions.get((version_id, digest))) is not None:
                return found
    version = await ProcedureVersion.get(id=version_id).select_related("procedure")
    loaded: LoadedVersion = load_version(version)
    # the limit the version was published with, not the procedure's current one: a dossier keeps
    # the limit it was received under, and the cache can never serve a limit edited since
    info = VersionInfo(version.id, version.digest, version.number, version.procedure.code,
                       limit_of(version.time_limit, version.time_unit), version.lanes or {},
                       version.elements or {}, version.forms or {}, loaded.spec, loaded.subprocess_specs,
                       dict(version.applicant or {}), metadata.of_version(version, version.procedure))
    if version.applicant is None:  # published before the mapping existed: the fields of a telling type
        info = replace(info, applicant=metadata.applicant_mapping(None, info.start_form())[0])
    with _versions_lock:
        _versions[(version.id, version.digest)] = info
        while len(_versions) > 512:
            _versions.popitem(last=False)
    return info


async def current_version_info(procedure_code: str) -> VersionInfo:
    """The procedure's current published version, with the agency the procedure names (one read:
    a submission places its dossier with it, engine.agencies.agency_for_dossier)."""
    row = await rows.fetch_one(rows.db(), (
        f"SELECT pv.id, pv.digest, {PROCEDURE_AGENCY} AS agency FROM procedure_version pv "
        "JOIN procedure p ON p.id = pv.procedure_id "
        "WHERE p.code = ? AND pv.status = 'published' ORDER BY pv.number DESC LIMIT 1"), [procedure_code])
    if row is None:
        raise NotFound("The procedure does not exist or has no published version", code=procedure_code)
    return replace(await version_info(row["id"], row["digest"]), procedure_agency=row["agency"] or "")
