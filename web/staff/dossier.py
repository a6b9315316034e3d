"""GET /can-bo/ho-so/{code}: the dossier's facts, data, step verdicts, history and diagram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import dossiers
from engine.lifecycle import Status
from engine.models import HumanTask, Procedure, ProcedureVersion, User
from web.auth import requires
from web.documents import fmt, fmt_due
from web.pages import language, render
from web.permissions import STAFF_PAGES


@dataclass(frozen=True)
class DataLine:
    key: str
    value: str


def flatten(data: dict[str, Any], prefix: str = "") -> list[DataLine]:
    lines: list[DataLine] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            lines += flatten(value, path + ".")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                lines += flatten(item, f"{path}[{i + 1}].")
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list) else "" if value is None else str(value)
            lines.append(DataLine(path, text))
    return lines


@requires(STAFF_PAGES)
async def page(request: Request, user: User) -> Response:
    view = await dossiers.view(request.app.state.runtime, request.path_params["code"], user, with_data=True)
    dossier, version = view.dossier, view.version
    procedure = await Procedure.get(code=view.procedure_code)
    tasks = await HumanTask.filter(dossier_id=dossier.id).order_by("created_at", "id")
    status = Status(dossier.lifecycle_status)
    en = language(request) == "en"
    return render(request, "staff/dossier.html", d=dossier, procedure=procedure, version=version,
                  status_label=status.label_en if en else status.label_vi, data=flatten(view.data), tasks=tasks,
                  history=view.events, fmt=fmt, fmt_due=fmt_due,
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None,
                  states=view.element_states)


@requires(STAFF_PAGES)
async def diagram(request: Request, user: User) -> Response:
    dossier = await dossiers.get_for(request.path_params["code"], user)
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    return Response(version.bpmn_xml, media_type="application/xml")
