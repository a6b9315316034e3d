"""GET /ho-so/{code}/tep/{attachment_id}: a dossier's stored document, for the staff who can see
the dossier and the citizen who owns it (engine.document_access checks and logs). PDF and images
open inline, sandboxed; any other type is downloaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from engine import document_access
from engine.errors import NotFound
from engine.models import Attachment, User
from forms.values import file_size
from web.auth import requires
from web.downloads import SANDBOX
from web.permissions import SIGNED_IN


@dataclass(frozen=True)
class FileLine:
    """One document in a page's list: name, its link, and whether the page may preview it."""

    id: int
    name: str
    component: str
    source: str
    size: str  # "512 B", "1,5 MB" (forms.values.file_size)
    url: str
    image: bool
    pdf: bool


def lines(code: str, attachments: Sequence[Attachment] | Sequence[Any], purpose: str = "dossier",
          lang: str = "vi") -> list[FileLine]:
    """Attachment models, or rows with their attribute names (engine.dossiers.staff_page)."""
    return [FileLine(a.id, a.name or "tep", a.component, a.source, file_size(a.size, lang),
                     f"/ho-so/{quote(code)}/tep/{a.id}?purpose={purpose}",
                     a.content_type in ("image/jpeg", "image/png"), a.content_type == "application/pdf")
            for a in attachments]


def _disposition(kind: str, name: str) -> str:
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name) or "tep"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


@requires(SIGNED_IN)
async def open_file(request: Request, user: User) -> Response:
    raw_id = request.path_params["attachment_id"]
    if not raw_id.isdigit():
        raise NotFound("No such document")
    opened = await document_access.open_for(
        request.path_params["code"], int(raw_id), user, request.app.state.settings.data_dir / "uploads",
        request.app.state.clock(), purpose=request.query_params.get("purpose", "dossier"))
    a = opened.attachment
    media = a.content_type if opened.inline else "application/octet-stream"
    return FileResponse(opened.path, media_type=media, headers={
        "Content-Disposition": _disposition("inline" if opened.inline else "attachment", a.name or "tep"),
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": SANDBOX,
        "Cache-Control": "private, no-store"})
