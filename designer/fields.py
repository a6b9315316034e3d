"""The fields of a draft's forms, for the modeler's guided condition builder.

One entry per data key a gateway condition can read: ``{key, label, type, form, options}``,
keys of nested groups joined by dots, rows of dynamic lists left out (a condition reads one
value, not a list of rows). The builder only proposes expressions; the server checks them.
"""

from __future__ import annotations

from typing import Any

_CONTAINERS = {"group"}
_NOT_INPUTS = {"text", "separator", "spacer", "button", "html", "image", "iframe", "table", "documentPreview",
               "dynamiclist", "default", "expression", "filepicker"}


def condition_fields(forms: dict[str, Any]) -> list[dict[str, Any]]:
    """Fields of every form (by ref order), the first form naming a key wins."""
    fields: list[dict[str, Any]] = []
    seen: set[str] = set()
    for ref in sorted(forms):
        schema = forms[ref]
        if isinstance(schema, dict) and isinstance(schema.get("components"), list):
            for field in _walk(schema["components"], "", ref):
                if field["key"] not in seen:
                    seen.add(field["key"])
                    fields.append(field)
    return fields


def _walk(components: list[Any], prefix: str, ref: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for comp in components:
        if not isinstance(comp, dict):
            continue
        ctype = comp.get("type")
        if ctype in _CONTAINERS and isinstance(comp.get("components"), list):
            path = comp.get("path") if isinstance(comp.get("path"), str) and comp.get("path") else ""
            found += _walk(comp["components"], f"{prefix}{path}." if path else prefix, ref)
            continue
        key = comp.get("key")
        if ctype in _NOT_INPUTS or not isinstance(key, str) or not key:
            continue
        raw = comp.get("values")
        values: list[Any] = raw if isinstance(raw, list) else []
        options = [{"value": v["value"], "label": str(v.get("label", v["value"]))}
                   for v in values if isinstance(v, dict) and isinstance(v.get("value"), str | int | float)]
        label = comp.get("label") if isinstance(comp.get("label"), str) else ""
        found.append({"key": prefix + key, "label": label, "type": ctype, "form": ref, "options": options})
    return found
