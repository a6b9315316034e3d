"""The procedure catalogue (search with or without diacritics) and each procedure's page, both
showing the facts of the published version (web/citizen/facts.py)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from engine import catalogue, channels
from engine.errors import NotFound
from engine.models import Procedure
from engine.versions import current_version_info
from web.citizen.facts import facts
from web.documents import time_limit_label
from web.pages import language, render


@dataclass(frozen=True)
class ProcedureCard:
    """The staff intake list's line (web/staff/intake.py), from the catalogue row."""

    code: str
    name: str
    agency: str
    time_label: str
    online_full: bool


def time_label(p: Procedure) -> str:
    """"3 ngày làm việc", "Trong ngày" (in the page's language)."""
    label = time_limit_label(p.time_limit, p.time_unit)
    return label[:1].upper() + label[1:]


def card(p: Procedure) -> ProcedureCard:
    return ProcedureCard(p.code, p.name, p.agency, time_label(p), p.online_level == "full")


async def home(request: Request) -> Response:
    query = request.query_params.get("q", "")[:100]
    lang = language(request)
    found = [facts(await current_version_info(p.code), lang) for p in await catalogue.search(query)]
    return render(request, "citizen/catalogue.html", query=query, procedures=found)


async def procedure_page(request: Request) -> Response:
    code = request.path_params["code"]
    if not code or not any(p.code == code for p in await catalogue.search(code)):
        raise NotFound("No such procedure", code=code)
    info = facts(await current_version_info(code), language(request))
    today = channels.local_date(request.app.state.clock())
    policy = channels.summary(await channels.policies_for(code, today, ""), code, today, "")
    return render(request, "citizen/procedure.html", info=info, policy=policy, today=today.strftime("%d/%m/%Y"))
