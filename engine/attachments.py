"""Dossier components uploaded by citizens or scanned at the counter: type and size limits, a
SHA-256 checksum, content-addressed files outside the web root. Task data keeps only a reference."""

from __future__ import annotations

import errno
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from engine.errors import InvalidData, StorageFull

PARTIAL = ".part-"  # a file being written: ".part-<pid>-<random>", renamed to its SHA-256 when complete
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
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
        _write(target, data)
    safe_name = Path(name or "tep").name[:200]
    return {"name": safe_name, "content_type": content_type, "size": len(data), "sha256": digest}


def _write(target: Path, data: bytes) -> None:
    """Write then rename: never a half file under the final name, and no part file left on failure."""
    tmp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f"{PARTIAL}{os.getpid()}-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if exc.errno in NO_SPACE:
            raise StorageFull("No space left in the attachment store", size=len(data)) from exc
        raise


def sweep_partial(folder: Path) -> int:
    """Remove the part files left by a process killed while writing (its pid is gone): how many."""
    removed = 0
    for part in folder.glob(f"*/{PARTIAL}*"):
        pid = part.name[len(PARTIAL):].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            part.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
