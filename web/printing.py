"""The printed forms of a dossier (ND118, RULES §2.3): 01 receipt and appointment, 02 supplement
request, 03 refusal, 04 apology and new appointment, 05 stop notice, 06 processing control sheet.

Each form is a template plus a context built from the dossier alone (no request), so the printable
page (web/notices.py, web/documents.py) and its PDF (web/pdf.py, also for e-mails) draw the same
template. Access is checked by the caller; a form the dossier does not have is `NotFound`. Dates are
formatted in the language of `web.i18n.current_language`. Each form carries a QR code that opens
the tracking page with the dossier's code filled in (`tracking_url`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import segno

from engine import documents, dossiers, events
from engine.errors import NotFound
from engine.lifecycle import Status
from engine.models import Dossier, User
from web.admin.common import ROLE_LABELS
from web.documents import KINDS, english, fmt, fmt_day, fmt_due, time_limit_label
from web.i18n import gettext_for
from web.pages import TEMPLATES
from web.permissions import Nav

#: form -> file name stem of its PDF
NAMES = {"01": "mau-01-giay-tiep-nhan", "02": "mau-02-yeu-cau-bo-sung", "03": "mau-03-tu-choi",
         "04": "mau-04-xin-loi-hen-lai", "05": "mau-05-dung-giai-quyet", "06": "mau-06-phieu-kiem-soat"}
#: the forms a citizen may have of his own dossier (06 is the agency's internal control sheet)
CITIZEN_FORMS = ("01", "02", "03", "04", "05")
VERDICTS = {"early": ("Trước hạn", "Early"), "on_time": ("Đúng hạn", "On time"), "late": ("Quá hạn", "Late")}
ENDED = (int(Status.STOPPED), int(Status.WITHDRAWN))
APOLOGY_STEP = "Văn bản xin lỗi và hẹn lại ngày trả kết quả"  # the engine's own task (translated by the page)


@dataclass(frozen=True)
class Printed:
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class Qr:
    url: str
    image: str  # an SVG data: URI (the pages' CSP allows data: images)


def tracking_url(base: str, code: str) -> str:
    """The tracking page with the dossier's code filled in (the visitor still proves the phone / ID)."""
    return f"{base.rstrip('/')}/tra-cuu?ma={quote(code, safe='')}"


def qr_for(base: str, code: str) -> Qr:
    url = tracking_url(base, code)
    return Qr(url, segno.make(url, error="m").svg_data_uri(scale=3, border=2))


def draw(printed: Printed, lang: str, qr: Qr | None, *, pdf: bool = False, user: User | None = None) -> str:
    """The form's HTML outside a request (the PDF): no session, so no CSRF token and no user menu."""
    tr = gettext_for(lang)
    return TEMPLATES.get_template(printed.template).render(
        lang=lang, _=tr.gettext, gettext=tr.gettext, ngettext=tr.ngettext, csrf_token="", request_path="",
        current_user=user, nav=Nav.of(user), pdf=pdf, qr=qr, **printed.context)


async def form_01(dossier: Dossier) -> Printed:
    doc = await documents.build(dossier)
    if doc.accepted_at is None:
        raise NotFound("The dossier has not been accepted yet", code=doc.code)
    lang = 1 if english() else 0
    return Printed("receipt.html", {"doc": doc, "fmt": fmt, "fmt_due": fmt_due,
                                    "time_limit": time_limit_label(doc.time_limit, doc.time_unit),
                                    "kind_label": lambda k: KINDS.get(k, (k, k))[lang]})


async def form_02(dossier: Dossier) -> Printed:
    requested = events.latest(await dossiers.history(dossier.id), "supplement_requested")
    if requested is None:
        raise NotFound("No supplement was requested", code=dossier.code)
    return Printed("notice_02.html", {
        "doc": await documents.build(dossier), "fmt": fmt, "fmt_day": fmt_day, "fmt_due": fmt_due,
        "issued": requested.at, "what": list(requested.details.get("what") or []),
        "deadline": requested.details.get("deadline"), "officer": requested.actor,
        "at_intake": bool(requested.details.get("at_intake"))})


async def form_03(dossier: Dossier) -> Printed:
    if not dossier.refusal:
        raise NotFound("The dossier was not refused", code=dossier.code)
    refused = events.latest(await dossiers.history(dossier.id), "refused")
    return Printed("notice_03.html", {
        "doc": await documents.build(dossier), "fmt": fmt, "fmt_day": fmt_day, "issued": dossier.refusal.get("at"),
        "reasons": list(dossier.refusal.get("reasons") or []), "at_intake": dossier.refusal.get("stage") == "intake",
        "officer": refused.actor if refused else ""})


async def form_04(dossier: Dossier) -> Printed:
    doc = await documents.build(dossier)
    if not doc.extension:
        raise NotFound("The dossier has no apology letter", code=doc.code)
    return Printed("apology.html", {"doc": doc, "fmt": fmt, "fmt_due": fmt_due, "fmt_day": fmt_day,
                                    "issued": doc.extension.get("at"),
                                    "original": doc.extension.get("original_due_at"),
                                    "new_due": doc.extension.get("new_due_at")})


async def form_05(dossier: Dossier) -> Printed:
    """The stop notice: the dossier was stopped (status 8, e.g. 15 days without the supplement,
    ND118 art. 19.5) or withdrawn at the citizen's request (status 7, art. 21)."""
    if dossier.lifecycle_status not in ENDED:
        raise NotFound("The dossier was not stopped", code=dossier.code)
    withdrawn = dossier.lifecycle_status == int(Status.WITHDRAWN)
    ended = events.latest(await dossiers.history(dossier.id), "withdrawn" if withdrawn else "stopped")
    note = str((ended.details.get("note") if withdrawn else ended.details.get("reason")) or "") if ended else ""
    return Printed("notice_05.html", {
        "doc": await documents.build(dossier), "fmt": fmt, "fmt_day": fmt_day, "issued": ended.at if ended else None,
        "withdrawn": withdrawn, "auto_close": note == "auto_close", "note": "" if note == "auto_close" else note,
        "officer": ended.actor if ended and ended.actor not in ("engine", "citizen") else ""})


@dataclass
class ControlRow:
    """One step of the control sheet: a task from its opening to its completion."""

    step: str
    role: str
    received_at: datetime
    due_at: datetime | None
    who: str = ""
    finished_at: datetime | None = None
    verdict: str = ""
    notes: list[str] = field(default_factory=list)


def control_rows(trail: list[events.Recorded]) -> list[ControlRow]:
    """The hand-overs of the dossier's trail: each task opened, who took and finished it, its verdict
    against the step's due (engine: TaskCompleted.verdict)."""
    rows: dict[str, ControlRow] = {}
    en = english()
    for record in trail:
        task = str(record.details.get("task_id") or record.task_id or "")
        row = rows.get(task)
        match record.kind:  # the event kinds of engine.events (a dossier's trail, not a user's kind)
            case "task_opened":
                role = str(record.details.get("role") or "")
                due = record.details.get("due_at")
                name = APOLOGY_STEP if record.details.get("task_kind") == "apology" else record.details.get("name")
                rows[task] = ControlRow(str(name or record.element_id or ""), ROLE_LABELS.get(role, role), record.at,
                                        datetime.fromisoformat(due) if isinstance(due, str) else due)
            case "task_claimed" if row:
                row.who = record.actor
            case "task_completed" if row:
                row.who, row.finished_at = record.actor, record.at
                verdict = VERDICTS.get(str(record.details.get("verdict") or ""))
                row.verdict = verdict[1 if en else 0] if verdict else ""
            case "task_cancelled" if row:
                row.finished_at = record.at
                row.notes.append("Cancelled" if en else "Đã huỷ")
    return list(rows.values())


async def form_06(dossier: Dossier) -> Printed:
    if dossier.accepted_at is None:
        raise NotFound("The dossier has not been accepted yet", code=dossier.code)
    rows = control_rows(await dossiers.history(dossier.id))
    return Printed("notice_06.html", {"doc": await documents.build(dossier), "fmt": fmt, "fmt_due": fmt_due,
                                      "rows": rows})


BUILDERS: dict[str, Callable[[Dossier], Awaitable[Printed]]] = {
    "01": form_01, "02": form_02, "03": form_03, "04": form_04, "05": form_05, "06": form_06}
