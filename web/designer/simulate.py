"""GET/POST /designer/{code}/simulate: run the draft with test data, step by step, in memory.

No dossier is created. The run's state travels in the page as a signed token (itsdangerous, the
app's secret key), so a tampered state is refused rather than loaded.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from designer import diff, simulate
from engine import design, procedures
from engine.dossier_lifecycle import limit_of
from engine.errors import ModelInvalid
from engine.models import Role, User
from engine.simulation import TaskNotReady
from engine.workflow.parser import ParsedModel, parse_model
from web.auth import requires
from web.designer.common import now_of
from web.designer.problems import COMMAND_WORDS, problem_views, status_name
from web.documents import fmt, fmt_due
from web.i18n import gettext_for
from web.pages import check_csrf, language, render
from web.permissions import DESIGN

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _signer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.settings.secret_key, salt="motcua.designer.simulation")


def _local_input(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def _instant(text: str, default: datetime) -> datetime:
    try:
        return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ) if text else default
    except ValueError:
        return default


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@requires(DESIGN)
async def page(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    procedure = await procedures.get(code)
    draft = await design.get_draft(code)
    tr = gettext_for(language(request))
    forms = dict(draft.forms or {})
    try:
        model: ParsedModel = parse_model(draft.bpmn_xml.encode("utf-8"), forms, [r.code for r in await Role.all()])
    except ModelInvalid as exc:
        problems = problem_views(request, code, exc.problems, diff.element_names(draft.bpmn_xml))
        return render(request, "designer/simulate.html", p=procedure, problems=problems, run=None, waiting=[],
                      fmt=fmt, fmt_due=fmt_due, token="", error="", start_at=_local_input(now_of(request)),
                      sample="{}")
    form = await check_csrf(request) if request.method == "POST" else {}
    error, run = "", None
    calendar = await request.app.state.runtime.fresh_calendar()
    now = now_of(request)
    start_form = next((info.get("form") for info in model.extensions.elements.values()
                       if info.get("tag") == "startEvent" and info.get("form")), None)
    sample = simulate.sample_data(simulate.forms_of(model, forms).get(start_form or ""))
    if form.get("action") == "start":
        data = _json_object(str(form.get("data", "")))
        if data is None:
            error = tr.gettext("Dữ liệu thử phải là một đối tượng JSON, ví dụ {\"ho_ten\": \"An\"}")
        else:
            run = simulate.start(request.app.state.runtime, model, Decimal(procedure.time_limit),
                                 procedure.time_unit, data, _instant(str(form.get("at", "")), now), calendar)
    elif form.get("action") == "complete":
        try:
            run = simulate.restore(_signer(request).loads(str(form.get("token", ""))))
        except (BadSignature, KeyError, TypeError, ValueError):
            error = tr.gettext("Phiên chạy thử không hợp lệ; hãy chạy lại từ đầu.")
        data = _json_object(str(form.get("data", "")))
        if run is not None and data is None:
            error = tr.gettext("Dữ liệu thử phải là một đối tượng JSON, ví dụ {\"ho_ten\": \"An\"}")
        elif run is not None and data is not None:
            try:
                run = simulate.complete(request.app.state.runtime, model, run, str(form.get("task_id", "")), data,
                                        _instant(str(form.get("at", "")), run.clock),
                                        limit_of(procedure.time_limit, procedure.time_unit), calendar)
            except TaskNotReady:
                error = tr.gettext("Bước này không còn chờ xử lý (mô hình đã đổi?); hãy chạy lại từ đầu.")
    waiting = simulate.waiting(request.app.state.runtime, model, run, forms, calendar) if run is not None else []
    return render(request, "designer/simulate.html", p=procedure, problems=[], run=run, waiting=waiting, fmt=fmt,
                  fmt_due=fmt_due,
                  token=_signer(request).dumps(simulate.snapshot(run)) if run is not None else "", error=error,
                  start_at=_local_input(now), sample=json.dumps(sample, ensure_ascii=False, indent=1),
                  local_input=_local_input, dumps=lambda v: json.dumps(v, ensure_ascii=False, indent=1),
                  status_name=lambda n: status_name(int(n), language(request)),
                  command_words={k: tr.gettext(v) for k, v in COMMAND_WORDS.items()}, parse_instant=_parse)
