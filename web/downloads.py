"""Files handed to the browser that it must never run as a page: admin-authored models, uploads.

A model is XML: served inline, an XHTML `<script>` inside it would run in the viewer's session.
So it goes out as an attachment, `nosniff`, and under `Content-Security-Policy: sandbox` (no script,
no same-origin access even if a browser renders it anyway)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def as_download(body: bytes | str, filename: str, media_type: str, *, inline: bool = False) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    kind = "inline" if inline else "attachment"
    disposition = f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": SANDBOX, "Cache-Control": "no-store"})


def model_download(xml: str, filename: str) -> Response:
    return as_download(xml, filename, "application/octet-stream")
