"""The citizen's account page (GET /tai-khoan: their dossiers) and the export of their own data
(POST /tai-khoan/xuat-du-lieu: a ZIP streamed back, recorded; Law 91/2025, Decree 356/2025)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from typing import IO

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from engine import data_export
from engine.models import User
from web.auth import requires
from web.documents import fmt
from web.pages import check_csrf, language, render
from web.permissions import OWN_DATA

CHUNK = 64 * 1024
SPOOL = 8 * 1024 * 1024  # a ZIP up to this size stays in memory, a larger one goes to a temporary file


@requires(OWN_DATA)
async def page(request: Request, user: User) -> Response:
    rows = await data_export.dossiers_of(user)
    return render(request, "citizen/account.html", rows=rows, fmt=fmt, en=language(request) == "en",
                  user=user)


async def _chunks(spool: IO[bytes]) -> AsyncIterator[bytes]:
    try:
        while chunk := await asyncio.to_thread(spool.read, CHUNK):
            yield chunk
    finally:
        spool.close()


@requires(OWN_DATA)
async def export(request: Request, user: User) -> Response:
    await check_csrf(request)
    rt = request.app.state.runtime
    now = request.app.state.clock()
    found = await data_export.collect(rt, user, rt.settings.data_dir / "uploads", now)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # closed by _chunks
    await asyncio.to_thread(data_export.write_zip, found, spool)
    spool.seek(0)
    await data_export.record(user, found)
    name = f"du-lieu-ca-nhan-{user.username}-{found.at:%Y%m%d}.zip"
    return StreamingResponse(_chunks(spool), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff"})
