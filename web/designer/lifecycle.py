"""GET/POST /designer/{code}/lifecycle: the default Decree 118 lifecycle, previewed, then applied.

GET shows what designer/lifecycle_defaults.py would change in the draft, as a diff in words, with
the lifecycle it leads to; POST (the revision the admin saw) applies it in one revision-checked
save, keeping the rest of the draft, and returns to the designer. Works without JavaScript.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from designer import diff, drafts, legal, lifecycle_defaults
from engine import design, procedures
from engine.errors import Conflict
from engine.models import User
from web.auth import requires
from web.designer.common import now_of
from web.designer.problems import legal_sentences
from web.pages import check_csrf, render
from web.permissions import DESIGN


@requires(DESIGN)
async def page(request: Request, user: User) -> Response:
    code = request.path_params["code"]
    procedure = await procedures.get(code)
    draft = await drafts.open_draft(code, actor=user.username, now=now_of(request))
    forms = dict(draft.forms or {})
    proposal = lifecycle_defaults.propose(draft.bpmn_xml, forms)
    message, status = "", 200
    if request.method == "POST":
        form = await check_csrf(request)
        revision = str(form.get("revision", ""))
        if proposal is not None and revision == str(draft.revision):
            try:
                await design.save_model_and_forms(code, proposal.xml, proposal.forms, draft.revision,
                                                  actor=user.username, now=now_of(request),
                                                  action="lifecycle_defaults")
            except Conflict:
                message, status = "conflict", 409
            else:
                return RedirectResponse(f"/designer/{code}?msg=lifecycle_applied", status_code=303)
        else:
            message, status = "conflict", 409
    changes = diff.compare(draft.bpmn_xml, forms, proposal.xml, proposal.forms) if proposal is not None else []
    after = legal_sentences(request, legal.lines(proposal.xml, proposal.forms)) if proposal is not None else []
    return render(request, "designer/lifecycle.html", status=status, p=procedure, draft=draft, changes=changes,
                  after=after, has_proposal=proposal is not None, message=message)
