"""GET /can-bo/ho-so/{code}: the dossier's facts, data, step verdicts, history and diagram."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import dossiers
from engine.lifecycle import Status
from engine.models import AuditEvent, HumanTask, Procedure, ProcedureVersion
from engine.workflow import runner
from web.documents import fmt, fmt_due
from web.pages import language, render
from web.staff.common import staff_user


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


async def page(request: Request) -> Response:
    user = await staff_user(request)
    if isinstance(user, Response):
        return user
    dossier = await dossiers.get_for(request.path_params["code"], user)
    version = await dossiers.version_info(dossier.procedure_version_id)
    procedure = await Procedure.get(code=version.procedure_code)
    data = runner.project(dossier.state, version.spec, version.subprocess_specs).data
    tasks = await HumanTask.filter(dossier_id=dossier.id).order_by("created_at", "id")
    history = await AuditEvent.filter(dossier_id=dossier.id).order_by("id")
    status = Status(dossier.lifecycle_status)
    en = language(request) == "en"
    return render(request, "staff/dossier.html", d=dossier, procedure=procedure, version=version,
                  status_label=status.label_en if en else status.label_vi, data=flatten(data), tasks=tasks,
                  history=history, fmt=fmt, fmt_due=fmt_due,
                  due=fmt_due(dossier.due_adjusted_at) if dossier.due_adjusted_at else None,
                  states=runner.element_states(dossier.state, version.spec, version.subprocess_specs))


async def diagram(request: Request) -> Response:
    user = await staff_user(request)
    if isinstance(user, Response):
        return user
    dossier = await dossiers.get_for(request.path_params["code"], user)
    version = await ProcedureVersion.get(id=dossier.procedure_version_id)
    return Response(version.bpmn_xml, media_type="application/xml")
