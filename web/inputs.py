"""What any request may carry, checked before it reaches a handler or the database.

- No control characters (NUL included: PostgreSQL refuses it in text and JSONB, and no form field
  has a use for one) in JSON values and keys, form fields, the path or the query string; tab, line
  feed and carriage return stay allowed in values.
- JSON nested at most MAX_DEPTH deep (deeper nesting made json.loads raise RecursionError: a 500).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from engine.errors import InvalidData

MAX_DEPTH = 32
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_ANYWHERE = re.compile(r"[\x00-\x1f\x7f]")  # names, paths, query strings: no line breaks either
CONTROL_MESSAGE = "contains control characters, which are not allowed"


def has_control(text: str, *, strict: bool = False) -> bool:
    return bool((CONTROL_ANYWHERE if strict else CONTROL).search(text))


def refuse_control(fields: Iterable[tuple[str, Any]]) -> None:
    bad = [name for name, value in fields
           if has_control(name, strict=True) or (isinstance(value, str) and has_control(value))]
    if bad:
        raise InvalidData("A field contains control characters", code="control_characters",
                          fields={name.encode("unicode_escape").decode()[:100]: [CONTROL_MESSAGE] for name in bad})


def parse_json(raw: bytes) -> Any:
    """json.loads with a depth limit and no control characters in any key or string."""
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InvalidData("The body is not valid JSON", fields={"body": [reason]}) from None
    stack: list[tuple[Any, int, str]] = [(body, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise InvalidData("The body is nested too deeply", code="too_deep",
                                  fields={"body": [f"at most {MAX_DEPTH} levels of nesting"]})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and has_control(key, strict=True):
                    raise InvalidData("A key contains control characters", code="control_characters",
                                      fields={f"{path}/{key.encode('unicode_escape').decode()[:100]}":
                                              [CONTROL_MESSAGE]})
                stack.append((item, depth + 1, f"{path}/{key}"))
        elif isinstance(value, str) and has_control(value):
            raise InvalidData("A value contains control characters", code="control_characters",
                              fields={path or "body": [CONTROL_MESSAGE]})
    return body
