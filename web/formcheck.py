"""The runtime's form check (engine.runtime.FormCheck), built on forms.validate_data.

Only the form's visible, writable fields are kept: a key that is no field of the form is refused
(422, named), read-only/disabled and hidden fields are dropped, values are normalised."""

from __future__ import annotations

from typing import Any

from engine.metadata import form_fields
from forms import validate_data
from forms.errors import SchemaInvalid


def check(schema: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    fields = form_fields(schema)
    roots = {key.split(".", 1)[0] for key, _ in fields}
    roots |= {str(c.get("path") or c.get("key")) for c in _all(schema)
              if c.get("type") in ("group", "dynamiclist") and (c.get("path") or c.get("key"))}
    unknown = {k: ["not a field of this form"] for k in data if k not in roots}
    try:
        clean, errors = validate_data(schema, data)
    except SchemaInvalid:  # a stored form the renderer cannot honour: refuse, naming the form
        return {}, {"_form": ["this form cannot be checked on the server; ask an administrator"]}
    readonly = {key for key, c in fields if c.get("readonly") is True or c.get("disabled") is True}
    for key in readonly:
        if "." not in key:
            clean.pop(key, None)
    return clean, {**errors, **unknown}


def _all(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(components: Any) -> None:
        for c in components or []:
            if isinstance(c, dict):
                out.append(c)
                walk(c.get("components"))

    walk(schema.get("components"))
    return out
