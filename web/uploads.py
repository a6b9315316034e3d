"""Uploaded files into the attachment store without blocking the event loop.

`engine.attachments.store` checks, hashes and writes synchronously (SHA-256 of up to
MOTCUA_MAX_UPLOAD_BYTES, then a file write and rename); here it runs in a worker thread.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import anyio.to_thread
from starlette.datastructures import UploadFile
from starlette.requests import Request

from engine import attachments


async def store_files(request: Request, uploads: list[Any], key: str) -> list[dict[str, Any]]:
    """The references (name, type, size, sha256) of the files actually chosen under `key`."""
    settings = request.app.state.settings
    stored = []
    for upload in uploads:
        if isinstance(upload, UploadFile) and upload.filename:
            content = await upload.read()
            stored.append(await anyio.to_thread.run_sync(partial(
                attachments.store, settings.data_dir / "uploads", upload.filename, upload.content_type or "",
                content, settings.max_upload_bytes, key)))
    return stored


async def store_uploads(request: Request, bound: Any) -> dict[str, Any]:
    """A bound form's data with every uploaded file stored and replaced by its reference."""
    refs = {key: await store_files(request, uploads, key) for key, uploads in bound.files.items()}
    return dict(bound.with_files(refs))  # the forms package knows where each key (row keys too) lives
