"""A second line of defence for personal data in logs: every log record's text (message, arguments,
traceback) has ID numbers (CCCD 12 digits, CMND 9 digits), phone numbers and e-mail addresses
masked before any handler sees it. The first line is not to log values at all (errors carry the
element id and the error kind only)."""

from __future__ import annotations

import logging
import re
from typing import Any

PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){9}(?!\d)"), "[phone]"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[id-number]"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[id-number]"),
]


def redact(text: str) -> str:
    for pattern, mask in PATTERNS:
        text = pattern.sub(mask, text)
    return text


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)  # exceptions, objects: their text may quote values
    masked = redact(text)
    return masked if masked != text else value


_installed: list[Any] = []


def install() -> None:
    """Redact every record this process creates (idempotent)."""
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:  # arguments stay arguments (uvicorn's access formatter reads them by position)
            if isinstance(record.msg, str):
                record.msg = redact(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_masked(a) for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {k: _masked(v) for k, v in record.args.items()}
            if record.exc_info and not record.exc_text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except Exception:  # never lose the record itself
            pass
        return record

    logging.setLogRecordFactory(factory)
    _installed.append(factory)
