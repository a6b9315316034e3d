"""GET /api/v1/reports: the Decision 766 scorecard of /bao-cao as JSON (the same parameters, period
parsing, figures, permission and agency scope as the page: web/staff/reports.py), each indicator with
the target in force (/bao-cao/muc-tieu) and whether it is met, as the page marks it. Counts, not ids:
the drill-down page /bao-cao/ho-so lists the dossiers (or procedures) behind a number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from engine import report_targets, reports
from engine.errors import InvalidData
from engine.models import User
from web.auth import requires
from web.i18n import gettext_for
from web.permissions import REPORTS
from web.staff import report_data
from web.staff.reports import read_period, scope_of
from web.staff.search import ZONE

#: ISO alternatives of the page's dd/mm/yyyy fields
ISO_FIELDS = {"from": "tu-ngay", "to": "den-ngay"}


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _query(q: Any) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The page's fields, the ISO `from`/`to` turned into dd/mm/yyyy (one form per bound)."""
    out = {k: q.get(k) or "" for k in ("tu-ngay", "den-ngay")}
    problems: dict[str, list[str]] = {}
    for name, field in ISO_FIELDS.items():
        text = (q.get(name) or "").strip()
        if not text:
            continue
        if out[field].strip():
            problems[name] = [f"give {name} or {field}, not both"]
            continue
        try:
            out[field] = date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            problems[name] = ["yyyy-mm-dd"]
    return out, problems


def indicator_json(figure: reports.Figure, target: Decimal | None = None) -> dict[str, Any]:
    """One indicator; ``target``: the target in force (engine/report_targets.py) and ``met`` whether the
    figure reaches it (null without data or without a target)."""
    return {"key": figure.key, "value": _decimal(figure.value), "unit": figure.unit, "points": _decimal(figure.points),
            "max_points": figure.max_points, "reason": figure.reason or None, "count": figure.count,
            "hits": figure.hits, "subject": figure.subject, "target": _decimal(target),
            "met": None if target is None else report_targets.meets(figure, target)}


@requires(REPORTS)
async def scorecard(request: Request, user: User) -> JSONResponse:
    fields, problems = _query(request.query_params)
    today = request.app.state.clock().astimezone(ZONE).date()
    period, wrong = read_period(fields, today)
    english = gettext_for("en").gettext
    problems |= {k: [english(v)] for k, v in wrong.items()}
    if problems:
        raise InvalidData("Invalid report period", fields=problems)
    scope = await scope_of(request, user, period)
    card = report_data.card(await report_data.figures(scope))
    goals = await report_targets.targets()
    return JSONResponse({
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(),
                   "counted_to": scope.period.end.isoformat()},
        "agency": scope.agency or None, "procedure": scope.procedure or None, "total": str(card.total),
        "groups": [{"number": g.number, "points": _decimal(g.points), "max": g.max_points, "indicators": list(g.keys)}
                   for g in card.groups],
        "indicators": [indicator_json(f, goals.get(f.key)) for f in card.figures.values()]})
