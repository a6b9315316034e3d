"""GET /quan-tri/thong-bao: the citizen notification templates (per event, channel and language,
shipped or edited); GET/POST /quan-tri/thong-bao/{kind}/{channel}/{language}: edit one, preview it
rendered on a sample dossier (server-side, sandboxed: web/notify_templates.py), save or go back to
the shipped text. Administrators only, no JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from engine import notifications
from engine.errors import NotFound
from engine.models import User
from integrations import sms
from web.admin.common import N_
from web.auth import requires
from web.documents import fmt
from web.notify_defaults import CHANNEL_LABELS, KIND_LABELS, SAMPLE, default
from web.notify_templates import Problem, problem, render_text
from web.pages import check_csrf, render
from web.permissions import ADMINISTER


@dataclass(frozen=True)
class Row:
    kind: str
    channel: str
    language: str
    edited: bool
    edited_at: str
    edited_by: str

    @property
    def href(self) -> str:
        return f"/quan-tri/thong-bao/{self.kind}/{self.channel}/{self.language}"


@requires(ADMINISTER)
async def page(request: Request, user: User) -> Response:
    mine = await notifications.edited()
    rows = [Row(k, c, lang, (k, c, lang) in mine, fmt(mine[(k, c, lang)].updated_at) if (k, c, lang) in mine else "",
                mine[(k, c, lang)].updated_by if (k, c, lang) in mine else "")
            for k in notifications.KINDS for c in notifications.CHANNELS for lang in notifications.LANGUAGES]
    return render(request, "admin/notifications.html", rows=rows, kinds=KIND_LABELS, channels=CHANNEL_LABELS,
                  message=request.query_params.get("msg"))


@requires(ADMINISTER)
async def edit(request: Request, user: User) -> Response:
    kind, channel, language = (request.path_params[k] for k in ("kind", "channel", "language"))
    if kind not in notifications.KINDS or channel not in notifications.CHANNELS or language not in \
            notifications.LANGUAGES:
        raise NotFound("No such template")
    shipped = default(kind, channel, language)
    mine = (await notifications.edited()).get((kind, channel, language))
    subject, body = (mine.subject, mine.body) if mine else shipped
    found: Problem | None = None
    if request.method == "POST":
        form = await check_csrf(request)
        action = str(form.get("action", "preview"))
        back = RedirectResponse(f"/quan-tri/thong-bao?msg={action}", status_code=303)
        if action == "reset":
            await notifications.reset_template(kind, channel, language)
            return back
        subject = " ".join(str(form.get("subject", "")).split())[:200] if channel == "email" else ""
        body = str(form.get("body", "")).replace("\r\n", "\n")[:5000]
        found = problem(subject, body) or (None if body.strip() else Problem(N_("Nội dung không được để trống.")))
        if action == "save" and found is None:
            await notifications.save_template(kind, channel, language, subject, body, user.username,
                                              request.app.state.clock())
            return back
    preview = None if found else render_text(subject, body, SAMPLE)
    split = sms.segments(preview[1]) if preview and channel == "sms" else None
    return render(request, "admin/notification_edit.html", kind=kind, channel=channel, language=language,
                  kinds=KIND_LABELS, channels=CHANNEL_LABELS, subject=subject, body=body, error=found,
                  preview=preview, edited=mine is not None, sample=SAMPLE,
                  sms_info=(len(split.parts), "GSM-7" if split.encoding == "gsm7" else "UCS-2") if split else None,
                  status=422 if found else 200)
