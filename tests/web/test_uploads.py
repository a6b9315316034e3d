"""Uploaded files are checked, hashed and written in a worker thread, never on the event loop."""

from __future__ import annotations

import hashlib
import io
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request

from engine import attachments
from engine.settings import Settings
from web.uploads import store_files


async def test_uploads_are_stored_off_the_event_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    real = attachments.store

    def watched(*args: Any) -> dict[str, Any]:
        threads.append(threading.get_ident())
        return real(*args)

    monkeypatch.setattr(attachments, "store", watched)
    app = SimpleNamespace(state=SimpleNamespace(settings=Settings(data_dir=tmp_path)))
    content = b"%PDF-1.4 giay to"
    upload = UploadFile(io.BytesIO(content), filename="../giay-to.pdf",
                        headers=Headers({"content-type": "application/pdf"}))
    empty = UploadFile(io.BytesIO(b""), filename="")  # a file input left empty
    refs = await store_files(Request({"type": "http", "app": app}), [upload, empty, "text"], "files")
    digest = hashlib.sha256(content).hexdigest()
    assert refs == [{"name": "giay-to.pdf", "content_type": "application/pdf", "size": len(content), "sha256": digest}]
    assert (tmp_path / "uploads" / digest[:2] / digest).read_bytes() == content
    assert threads and threading.get_ident() not in threads
