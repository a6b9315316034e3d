"""What the staff dossier page reads (GET /can-bo/ho-so/{code}), in two round trips after the
session: the dossier with its version, then in one statement (engine/readsets.py) every task, the
history, the procedure's name, the name of the agency holding the dossier, the attachments and the
notifications."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from engine import readsets, sql
from engine.dossiers.queries import DossierView, view_and_reads
from engine.dossiers.row import DossierRow
from engine.models import User
from engine.versions import VersionInfo

if TYPE_CHECKING:
    from engine.runtime import Runtime


@dataclass(frozen=True)
class StaffDossier:
    """The view (data, element states, every task) and the page's other rows, with the models'
    attribute names (SimpleNamespace: no model objects on the page's path)."""

    view: DossierView
    procedure_name: str
    agency_name: str  # '' for a dossier placed nowhere (or a code no agency has)
    attachments: list[SimpleNamespace]
    notifications: list[SimpleNamespace]


def _reads(d: DossierRow, v: VersionInfo) -> list[readsets.Query]:
    return [("SELECT name, (SELECT a.name FROM agency a WHERE a.code = ?) AS agency_name FROM procedure "
             "WHERE code = ?", [d.agency_code or "", v.procedure_code]),
            ("SELECT id, name, component, source, size, content_type, sha256, at FROM attachment "
             "WHERE dossier_id = ? ORDER BY at, id", [d.id]),
            ("SELECT id, at, channel, template, recipient, status, error FROM notification "
             "WHERE dossier_id = ? ORDER BY at, id", [d.id])]


def _rows(found: list[dict[str, Any]]) -> list[SimpleNamespace]:
    return [SimpleNamespace(**{**r, "at": sql.instant(r["at"])}) for r in found]


async def staff_dossier(rt: Runtime, code: str, user: User) -> StaffDossier:
    """The dossier if the user may see it (NotFound otherwise, as `view`)."""
    view, (names, files, notices) = await view_and_reads(rt, code, user, True, True, _reads)
    first = names[0] if names else {}
    return StaffDossier(view, str(first.get("name") or ""), str(first.get("agency_name") or ""), _rows(files),
                        _rows(notices))
