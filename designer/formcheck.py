"""What the server form renderer cannot honour in a form-js schema, and the form preview.

The forms package (another team's, still growing) does the real work when it offers it:
`forms.check_schema(schema) -> [{component, message}]` and `forms.build(schema).bind(...)` +
`forms.render(bound)`. Without them we fall back to a structural check and a plain field list,
so the designer keeps working while forms/ changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from markupsafe import Markup

import forms
from engine.errors import Problem

log = logging.getLogger("motcua.designer")

#: component types the fallback check accepts (forms/__init__.py lists the renderer's own)
FALLBACK_TYPES = frozenset({"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist",
                            "datetime", "filepicker", "group", "text", "separator", "spacer", "button"})
INPUT_TYPES = frozenset({"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist",
                         "datetime", "filepicker"})


def _components(components: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for comp in components:
        if isinstance(comp, dict):
            yield comp
            yield from _components(comp.get("components") or [])


def _structural(schema: Any) -> list[dict[str, str]]:
    if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
        return [{"component": "", "message": "Not a form-js schema: no components list"}]
    found = []
    for comp in _components(schema["components"]):
        kind = comp.get("type")
        if kind not in FALLBACK_TYPES:
            found.append({"component": str(comp.get("id", "")), "message": f"Unsupported component type {kind!r}"})
        elif kind in INPUT_TYPES and not comp.get("key"):
            found.append({"component": str(comp.get("id", "")), "message": "An input field needs a key"})
    return found


def schema_problems(schema: Any) -> list[dict[str, str]]:
    """[{component, message}]: empty when the server can render the schema exactly."""
    check = getattr(forms, "check_schema", None)
    if check is None:
        return _structural(schema)
    try:
        return [{"component": str(p.get("component") or ""), "message": str(p.get("message") or "")}
                for p in check(schema)]
    except Exception:  # the forms package must never take the designer down with it
        log.exception("forms.check_schema failed; using the structural check")
        return _structural(schema)


def problems(ref: str, schema: Any) -> list[Problem]:
    return [Problem(p["message"], code="form_unsupported", form=ref, component=p["component"] or None)
            for p in schema_problems(schema)]


def all_problems(schemas: Mapping[str, Any]) -> list[Problem]:
    return [p for ref, schema in sorted(schemas.items()) for p in problems(ref, schema)]


@dataclass(frozen=True)
class FieldRow:
    """One line of the plain preview (when forms.render is not available)."""

    label: str
    type: str
    key: str
    required: bool
    depth: int


def field_rows(schema: Any) -> list[FieldRow]:
    rows: list[FieldRow] = []

    def walk(components: Iterable[Any], depth: int) -> None:
        for comp in components:
            if not isinstance(comp, dict):
                continue
            rows.append(FieldRow(str(comp.get("label") or comp.get("text") or ""), str(comp.get("type", "")),
                                 str(comp.get("key") or comp.get("path") or ""),
                                 bool((comp.get("validate") or {}).get("required")), depth))
            walk(comp.get("components") or [], depth + 1)

    walk((schema or {}).get("components") or [] if isinstance(schema, dict) else [], 0)
    return rows


def rendered(schema: Any, lang: str) -> Markup | None:
    """The form exactly as citizens and staff get it from the server, or None (use field_rows)."""
    build, render = getattr(forms, "build", None), getattr(forms, "render", None)
    if build is None or render is None or schema_problems(schema):
        return None
    try:
        return Markup(render(build(schema).bind(None, {}, lang=lang)))
    except Exception:
        log.exception("the forms package could not render a schema it accepted")
        return None


def stylesheet() -> str:
    """forms/static/forms/forms.css (not served under /static: the preview inlines it)."""
    try:
        return (resources.files("forms") / "static" / "forms" / "forms.css").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return ""
