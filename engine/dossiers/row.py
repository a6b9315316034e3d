"""Typed rows of the dossier runtime: frozen dataclasses whose column lists come from the models.

`DossierRow` is one `dossier` row as a command loads it (plus the version's digest); `TaskRow` one
`human_task` row. Both are built by `from_db` (JSON and instants decoded once) and turned back
into statement parameters by `db_value`. A test checks that the field lists equal the models'
columns, so a new column cannot be forgotten here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine import sql
from engine.models import Dossier, HumanTask

DOSSIER_COLUMNS: tuple[str, ...] = sql.columns(Dossier)
TASK_COLUMNS: tuple[str, ...] = sql.columns(HumanTask)
_JSON = {name for name, f in Dossier._meta.fields_map.items() if type(f).__name__ == "JSONField"}
_INSTANTS = {name for name, f in {**Dossier._meta.fields_map, **HumanTask._meta.fields_map}.items()
             if type(f).__name__ == "DatetimeField"}


@dataclass(frozen=True)
class DossierRow:
    id: int
    code: str
    procedure_version_id: int
    status: str
    revision: int
    state: str
    serializer_version: str
    channel: str
    submitter_kind: str
    submitted_by_id: int | None
    idempotency_key: str | None
    error: dict[str, Any] | None
    lifecycle_status: int
    reception_point: str
    agency_code: str
    applicant_name: str
    applicant_name_folded: str
    applicant_id_hash: str
    applicant_phone: str
    applicant_email: str
    channel_exception: dict[str, Any] | None
    accepted_at: datetime | None
    due_original_at: datetime | None
    due_adjusted_at: datetime | None
    extension: dict[str, Any] | None
    supplement_requests: int
    supplement_overridden: bool
    late_flag: bool
    late_reason: str
    pauses: list[dict[str, Any]]
    refusal: dict[str, Any] | None
    result_at: datetime | None
    returned_at: datetime | None
    next_timer_at: datetime | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    attention: dict[str, Any] | None = None
    purged_at: datetime | None = None
    notify_channels: str = ""

    def facts(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> DossierRow:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class TaskRow:
    id: str
    dossier_id: int
    element_id: str
    name: str
    lane: str | None
    role: str | None
    form_ref: str | None
    state: str
    claimed_by_id: int | None
    claimed_at: datetime | None
    completed_by: str | None
    created_at: datetime
    completed_at: datetime | None
    due_at: datetime | None
    kind: str
    verdict: str | None

    @property
    def is_apology(self) -> bool:
        """The engine-owned apology / re-appointment task (no BPMN element, a fixed form)."""
        return self.kind == "apology"


def decode(column: str, value: Any) -> Any:
    if column in _JSON:
        return sql.unjson(value)
    if column in _INSTANTS:
        return sql.instant(value)
    if column in ("supplement_overridden", "late_flag"):
        return bool(value)
    return value


def db_value(column: str, value: Any) -> Any:
    if column in _JSON:
        return sql.jsonb(value)
    return sql.utc(value) if isinstance(value, datetime) else value


def dossier_from_db(raw: dict[str, Any]) -> DossierRow:
    return DossierRow(**{c: decode(c, raw[c]) for c in DOSSIER_COLUMNS})


def task_from_db(raw: dict[str, Any], prefix: str = "") -> TaskRow:
    return TaskRow(**{c: decode(c, raw[prefix + c]) for c in TASK_COLUMNS})


def select_list(alias: str, cols: tuple[str, ...], prefix: str = "") -> str:
    return ", ".join(f"{alias}.{c} AS {prefix}{c}" for c in cols)
