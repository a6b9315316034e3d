"""GET/POST /bao-cao/muc-tieu: the target per Decision 766 indicator (engine/report_targets.py), which
/bao-cao marks as met or not met, and the audit trail of the changes (who, when, old -> new).

Who: whoever reads the reports (permissions.REPORTS) sees the targets and their history; only a
manager with the province-wide view (`permissions.sets_report_targets`) changes them: a target is the
province's, one row per indicator, so a manager placed in one agency would change it for everyone.
One form for every indicator, usable without JavaScript: all values are checked before any is saved;
a refused form comes back with what was typed and each problem next to its field."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import report_targets, reports
from engine.errors import InvalidData, PermissionDenied
from engine.models import User
from web.auth import requires
from web.errors import N_
from web.pages import checked_form, render
from web.permissions import REPORT_TARGETS, REPORTS, sets_report_targets
from web.staff.report_tables import TITLES
from web.staff.search import ZONE

FIELD = "muc-tieu-"  # the form field of an indicator: muc-tieu-2.1
PROBLEMS = {
    "required": N_("Nhập mục tiêu của chỉ số"),
    "number": N_("Mục tiêu là một số, ví dụ 80 hoặc 92,5"),
    "range": N_("Mục tiêu phải lớn hơn 0 và không quá 100 %"),
    "range_2.2": N_("Mục tiêu phải lớn hơn 0 và không quá 1000 % thời hạn"),
}


@dataclass(frozen=True)
class Goal:
    """An indicator's target as /bao-cao shows it: the target, its direction and whether it is met."""

    target: Decimal
    shown: str  # the target as the page writes it ("65.5")
    at_most: bool  # 2.2: the share of the time limit used must stay at or below the target
    met: bool | None  # None: the figure has no data


def goals(figures: dict[str, reports.Figure], found: dict[str, Decimal]) -> dict[str, Goal]:
    """The marks of the scorecard's indicators (/bao-cao) against the targets in force (`found`)."""
    return {
        key: Goal(
            found[key],
            _number(found[key]),
            key == report_targets.SHARE_OF_LIMIT,
            report_targets.meets(figure, found[key]),
        )
        for key, figure in figures.items()
        if key in found
    }


def _number(value: Decimal) -> str:
    """65.50 -> "65.5" (as /bao-cao writes its rates); the form takes a comma or a dot."""
    return f"{value.normalize():f}"


def _when(at: Any) -> str:
    return at.astimezone(ZONE).strftime("%d/%m/%Y %H:%M")


async def _page(
    request: Request,
    user: User,
    status: int = 200,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    current = await report_targets.targets()
    rows = [
        {
            "key": key,
            "title": TITLES.get(key, key),
            "default": _number(report_targets.default(key)),
            "value": (typed or {}).get(key, _number(target)),
            "at_most": key == report_targets.SHARE_OF_LIMIT,
            "changed": target != report_targets.default(key),
        }
        for key, target in current.items()
    ]
    history = [
        {
            "when": _when(h.changed_at),
            "who": h.changed_by,
            "key": h.indicator,
            "title": TITLES.get(h.indicator, h.indicator),
            "old": _number(Decimal(str(h.old_target))),
            "new": _number(Decimal(str(h.new_target))),
        }
        for h in await report_targets.history()
    ]
    return render(
        request,
        "staff/targets.html",
        status=status,
        rows=rows,
        history=history,
        errors=errors or {},
        field=FIELD,
        can_edit=REPORT_TARGETS.allows(user) and await sets_report_targets(user),
        message=request.query_params.get("msg") if status == 200 else None,
    )


@requires(REPORTS)
async def page(request: Request, user: User) -> Response:
    return await _page(request, user)


def _typed(form: FormData) -> dict[str, str]:
    return {key: str(form.get(FIELD + key, ""))[:32] for key in reports.INDICATORS}


@requires(REPORT_TARGETS)
async def save(request: Request, user: User) -> Response:
    form = await checked_form(request)
    if not await sets_report_targets(user):
        raise PermissionDenied("Only a manager with the province-wide view sets the targets", rule="province_wide")
    typed = _typed(form)
    try:
        changes = await report_targets.set_targets(typed, user.username, request.app.state.clock())
    except InvalidData as exc:
        errors = {}
        for key, codes in (exc.params.get("fields") or {}).items():
            code = str((codes or ["number"])[0])
            errors[key] = PROBLEMS.get(f"{code}_{key}", PROBLEMS.get(code, PROBLEMS["number"]))
        return await _page(request, user, 422, typed, errors)
    return RedirectResponse(f"/bao-cao/muc-tieu?msg={'saved' if changes else 'unchanged'}", status_code=303)
