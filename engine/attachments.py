"""Dossier components uploaded by citizens or scanned at the counter: type and size limits, a
SHA-256 checksum, content-addressed files outside the web root. Task data keeps only a reference."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.errors import InvalidData

ALLOWED_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


def check(name: str, content_type: str, data: bytes, max_bytes: int, field: str) -> None:
    problems = []
    if not data:
        problems.append("empty_file")
    if len(data) > max_bytes:
        problems.append("file_too_large")
    magic = ALLOWED_TYPES.get(content_type)
    if magic is None or not data.startswith(magic):  # the declared type must match the bytes
        problems.append("file_type")
    if problems:
        raise InvalidData("File refused", fields={field: problems}, max_bytes=max_bytes)


def store(folder: Path, name: str, content_type: str, data: bytes, max_bytes: int, field: str) -> dict[str, Any]:
    """Keep the file (once per content) and return the reference stored in the dossier's data."""
    check(name, content_type, data, max_bytes, field)
    digest = hashlib.sha256(data).hexdigest()
    target = folder / digest[:2] / digest
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:  # write then rename: never a half file under the final name
            fh.write(data)
        os.replace(tmp, target)
    safe_name = Path(name or "tep").name[:200]
    return {"name": safe_name, "content_type": content_type, "size": len(data), "sha256": digest}

