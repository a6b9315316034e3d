"""The printed forms as PDF (WeasyPrint), drawn from the printable pages' own templates with the
print stylesheet `_pdf.css` and the shipped DejaVu Sans font (web/static/fonts: covers Vietnamese).

`form_pdf` serves the pages (``/ho-so/{code}/mau-0N.pdf``, access as for the printable page) and
the notification e-mails (no request: the caller has the right to send the form). WeasyPrint needs
the system Pango library: when it cannot load, `PdfUnavailable` is raised and the pages answer a
clear error page (never a crash). Rendering never fetches anything but the shipped fonts and data:
URIs (the QR code), so text from a dossier cannot make the server open a URL."""

from __future__ import annotations

import asyncio
import importlib
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine.errors import NotFound
from engine.models import Dossier
from engine.settings import Settings
from web.errors import error_page
from web.i18n import current_language
from web.pages import language, render
from web.printing import BUILDERS, NAMES, Printed, draw, qr_for

log = logging.getLogger(__name__)
# The site stylesheet's screen-only rules (media features, user-select…) are ignored in print, on purpose.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
STATIC = (Path(__file__).parent / "static").resolve()
FONTS = STATIC / "fonts"
#: the module imported for rendering (a name, so a deployment without it is one import away from a test)
WEASYPRINT = "weasyprint"
_loaded: dict[str, ModuleType] = {}


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs (Pango) cannot be loaded on this server."""


def _weasyprint() -> ModuleType:
    if WEASYPRINT not in _loaded:
        try:
            _loaded[WEASYPRINT] = importlib.import_module(WEASYPRINT)
        except (ImportError, OSError) as exc:  # OSError: the Pango shared library is missing
            log.warning("PDF rendering unavailable: %s", exc)
            raise PdfUnavailable(str(exc)) from exc
    return _loaded[WEASYPRINT]


def _fetcher(weasyprint: ModuleType) -> Any:
    base = weasyprint.urls.URLFetcher

    class LocalFetcher(base):  # type: ignore[misc, valid-type]
        """Only data: URIs and the shipped font files; anything else is refused (and left out)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if path.is_relative_to(FONTS) and path.is_file():
                    return weasyprint.urls.URLFetcherResponse(url, path.read_bytes(),
                                                              {"Content-Type": "font/ttf"})
            raise ValueError(f"not fetched while rendering a PDF: {url[:80]}")

    return LocalFetcher()


def html_to_pdf(html: str) -> bytes:
    """Blocking: run it in a worker thread (`render_pdf`)."""
    weasyprint = _weasyprint()
    fonts = importlib.import_module(f"{WEASYPRINT}.text.fonts").FontConfiguration()
    document = weasyprint.HTML(string=html, base_url=f"{STATIC.as_uri()}/", url_fetcher=_fetcher(weasyprint))
    pdf: bytes = document.write_pdf(font_config=fonts)
    return pdf


async def render_pdf(html: str) -> bytes:
    return await asyncio.to_thread(html_to_pdf, html)


def public_base(settings: Settings, request: Request | None = None) -> str:
    """The site address printed in QR codes: MOTCUA_PUBLIC_URL, else the request's, else HOST:PORT."""
    if settings.public_url:
        return settings.public_url
    if request is not None:
        return str(request.base_url).rstrip("/")
    return f"http://{settings.host}:{settings.port}"


async def printed_pdf(printed: Printed, code: str, base: str, lang: str) -> bytes:
    return await render_pdf(draw(printed, lang, qr_for(base, code), pdf=True))


async def form_pdf(form: str, dossier_code: str, *, settings: Settings, lang: str = "vi",
                   base_url: str = "") -> tuple[str, bytes]:
    """(file name, PDF bytes) of form "01"…"06" of a dossier, for an e-mail attachment or a page.
    No access check (the caller decides who receives it); `NotFound` when the dossier has no such
    form (e.g. no refusal), `PdfUnavailable` when WeasyPrint cannot load."""
    build = BUILDERS.get(form)
    dossier = await Dossier.get_or_none(code=dossier_code)
    if build is None or dossier is None:
        raise NotFound("No such form", code=dossier_code, form=form)
    token = current_language.set(lang)  # the dates and units of the form follow its language
    try:
        printed = await build(dossier)
        pdf = await printed_pdf(printed, dossier.code, base_url or public_base(settings), lang)
    finally:
        current_language.reset(token)
    return f"{NAMES[form]}-{dossier.code}.pdf", pdf


def pdf_response(filename: str, pdf: bytes) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})


async def show(request: Request, form: str, dossier: Dossier) -> Response:
    """The printable page of a form the caller may see (checked by the route)."""
    printed = await BUILDERS[form](dossier)
    qr = qr_for(public_base(request.app.state.settings, request), dossier.code)
    return render(request, printed.template, qr=qr, **printed.context)


async def download(request: Request, form: str, dossier: Dossier) -> Response:
    """The PDF of a form the caller may see (checked by the route), in the page's language."""
    printed = await BUILDERS[form](dossier)
    try:
        pdf = await printed_pdf(printed, dossier.code, public_base(request.app.state.settings, request),
                                language(request))
    except PdfUnavailable:
        return error_page(request, 503, "pdf")
    return pdf_response(f"{NAMES[form]}-{dossier.code}.pdf", pdf)
