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
from engine.errors import InvalidData, StorageFull

#: the attachment store's refusal codes -> the forms catalogue's messages (forms/messages.py)
REFUSALS = {"file_too_large": "file_too_large", "file_type": "file_content", "empty_file": "empty_file"}
STORAGE_FULL = "storage_full"  # a problem code too: the page says the disk is full, not that the file is wrong


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


async def keep_uploads(request: Request, bound: Any) -> tuple[dict[str, list[dict[str, Any]]],
                                                           dict[str, list[tuple[str, dict[str, Any]]]]]:
    """Store every file of a posted form now, whether the rest of the form is valid or not, so a
    file survives an error elsewhere: (references by key, problems by key for refused files)."""
    refs: dict[str, list[dict[str, Any]]] = {}
    problems: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, uploads in bound.files.items():
        try:
            stored = await store_files(request, uploads, key)
        except InvalidData as exc:
            codes = exc.params.get("fields", {}).get(key) or ["file_type"]
            size = f"{exc.params.get('max_bytes', 0) / 1_000_000:g}".replace(".", ",")
            problems[key] = [(REFUSALS.get(codes[0], "file_content"), {"mb": size})]
            continue
        except StorageFull:
            problems[key] = [(STORAGE_FULL, {})]
            continue
        if stored:
            refs[key] = stored
    return refs, problems
