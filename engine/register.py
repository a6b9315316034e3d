"""The dossier register ("sổ theo dõi hồ sơ", ND118 Form 07; RULES §2.3): per dossier received in a
period, its code, procedure, applicant, lead agency, receipt, due (as re-appointed), the supplement
request, the result and the return. A read of the dossier table's own columns (no workflow is
deserialised), within the reader's agencies; formatting is the web layer's job.

Period: local days ``[start, end]`` (engine.reports.Period): the dossiers *accepted* in it, oldest
first; at most `MAX_ROWS` (the page says when the register was cut)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from engine.models import Agency, Dossier
from engine.reports import Period

MAX_ROWS = 2000


@dataclass(frozen=True)
class Entry:
    id: int
    code: str
    procedure_code: str
    procedure_name: str
    applicant: str
    agency: str  # the lead agency's name (its code when the agency is not registered)
    received_at: datetime | None
    due_at: datetime | None
    supplement_at: datetime | None  # when the (last) supplement request paused the dossier
    result_at: datetime | None
    returned_at: datetime | None
    ended_at: datetime | None  # refused / withdrawn / stopped / returned
    status: int


@dataclass(frozen=True)
class Register:
    period: Period
    entries: list[Entry]
    truncated: bool


async def read(period: Period, agencies: Collection[str] | None, agency: str = "") -> Register:
    """The register of `period`: dossiers accepted in it, in `agencies` (None = all) and `agency` if given."""
    lower, upper = period.bounds()
    query = Dossier.filter(accepted_at__gte=lower, accepted_at__lt=upper)
    if agencies is not None:
        query = query.filter(agency_code__in=list(agencies))
    if agency:
        query = query.filter(agency_code=agency)
    rows = await query.order_by("accepted_at", "id").limit(MAX_ROWS + 1).prefetch_related(
        "procedure_version__procedure")
    names = {a.code: a.name for a in await Agency.filter(code__in={d.agency_code for d in rows})}
    entries = [Entry(id=d.id, code=d.code, procedure_code=d.procedure_version.procedure.code,
                     procedure_name=d.procedure_version.procedure.name, applicant=d.applicant_name,
                     agency=names.get(d.agency_code, d.agency_code), received_at=d.accepted_at,
                     due_at=d.due_adjusted_at, supplement_at=_supplement(d.pauses), result_at=d.result_at,
                     returned_at=d.returned_at, ended_at=d.completed_at, status=d.lifecycle_status)
               for d in rows[:MAX_ROWS]]
    return Register(period, entries, len(rows) > MAX_ROWS)


def _supplement(pauses: list[dict[str, object]] | None) -> datetime | None:
    starts = [p.get("start_at") for p in pauses or [] if p.get("reason") == "supplement"]
    last = starts[-1] if starts else None
    return datetime.fromisoformat(last) if isinstance(last, str) else last if isinstance(last, datetime) else None
