"""Bodies are capped before they are read (issue 10): a declared oversize body is answered 413
without reading a byte; a chunked body is cut off as soon as it passes the cap."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.settings import Settings
from tests.factories import rt
from web.app import create_app, max_request_bytes


async def _call(app: Any, path: str, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, int]:
    """Drive the ASGI app as a server would; returns (status, how many body messages it read)."""
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        if reads < len(chunks):
            reads += 1
            return {"type": "http.request", "body": chunks[reads - 1], "more_body": reads < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "server": ("testserver", 80), "client": ("127.0.0.1", 1234), "headers": headers}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], reads


async def test_declared_oversize_body_is_refused_unread(db: Settings) -> None:
    settings = replace(db, max_upload_bytes=1000, max_bpmn_bytes=1000)
    app = create_app(settings, manage_database=False, runtime=rt())
    too_big = str(max_request_bytes(settings) + 1).encode()
    for path in ("/api/v1/auth/token", "/login", "/nop-ho-so/2.000720"):
        status, reads = await _call(app, path, [(b"content-length", too_big),
                                                (b"content-type", b"application/json")], [b"x" * 10])
        assert (status, reads) == (413, 0), path


async def test_chunked_body_is_cut_off_at_the_cap(db: Settings) -> None:
    settings = replace(db, max_upload_bytes=1000, max_bpmn_bytes=1000)
    app = create_app(settings, manage_database=False, runtime=rt())
    cap = max_request_bytes(settings)
    chunks = [b"{" + b" " * 4096] * (cap // 4096 + 50)
    status, reads = await _call(app, "/api/v1/auth/token", [(b"content-type", b"application/json"),
                                                            (b"transfer-encoding", b"chunked")], chunks)
    assert status == 413 and reads < len(chunks)


async def test_body_under_the_cap_goes_through(db: Settings) -> None:
    app = create_app(replace(db), manage_database=False, runtime=rt())
    status, _ = await _call(app, "/api/v1/auth/token", [(b"content-type", b"application/json"),
                                                        (b"content-length", b"2")], [b"{}"])
    assert status in (400, 422)
