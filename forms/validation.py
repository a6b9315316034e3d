"""Server-side validation of submitted data against a form-js schema (schemaVersion 19).

Returns {field key path: [error codes]}; an empty dict means valid. Codes, not text: the web layer
translates them. Conditional hide rules (FEEL) are not evaluated yet: a hidden-capable field is
validated only when a value is present.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

INPUT_TYPES = {"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist",
               "datetime", "filepicker"}
LAYOUT_TYPES = {"text", "separator", "spacer", "html", "image", "button", "default"}
CONTAINER_TYPES = {"group", "dynamiclist"}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def iter_fields(components: Iterable[dict[str, Any]], prefix: tuple[str, ...] = ()) -> Iterable[
        tuple[tuple[str, ...], dict[str, Any]]]:
    """(path, component) for every input, following groups' `path` (nested keys)."""
    for comp in components:
        ctype = comp.get("type")
        if ctype == "group":
            sub = tuple(comp["path"].split(".")) if comp.get("path") else ()
            yield from iter_fields(comp.get("components") or [], prefix + sub)
        elif ctype in INPUT_TYPES and comp.get("key"):
            yield prefix + tuple(comp["key"].split(".")), comp
        elif ctype == "dynamiclist" and comp.get("path"):
            yield prefix + tuple(comp["path"].split(".")), comp


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def validate(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for path, comp in iter_fields(schema.get("components") or []):
        value = _get(data, path)
        problems = _check(comp, value)
        if comp.get("type") == "dynamiclist" and isinstance(value, list):
            for i, item in enumerate(value):
                sub = validate({"components": comp.get("components") or []}, item if isinstance(item, dict) else {})
                for key, errs in sub.items():
                    errors[f"{'.'.join(path)}[{i}].{key}"] = errs
        if problems:
            errors[".".join(path)] = problems
    return errors


def _check(comp: dict[str, Any], value: Any) -> list[str]:
    rules = comp.get("validate") or {}
    ctype = comp["type"]
    if _empty(value) or (ctype == "checkbox" and value is False and rules.get("required")):
        return ["required"] if rules.get("required") else []
    problems: list[str] = []
    if ctype in ("textfield", "textarea"):
        if not isinstance(value, str):
            return ["type"]
        if "minLength" in rules and len(value) < int(rules["minLength"]):
            problems.append("min_length")
        if "maxLength" in rules and len(value) > int(rules["maxLength"]):
            problems.append("max_length")
        if rules.get("pattern") and not re.search(rules["pattern"], value):
            problems.append("pattern")
        if rules.get("validationType") == "email" and not EMAIL.match(value):
            problems.append("email")
        if rules.get("validationType") == "phone" and not PHONE.match(value):
            problems.append("phone")
    elif ctype == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ["type"]
        if "min" in rules and value < float(rules["min"]):
            problems.append("min")
        if "max" in rules and value > float(rules["max"]):
            problems.append("max")
    elif ctype == "checkbox":
        if not isinstance(value, bool):
            problems.append("type")
    elif ctype in ("radio", "select"):
        allowed = {v.get("value") for v in comp.get("values") or []}
        if allowed and value not in allowed:
            problems.append("choice")
    elif ctype in ("checklist", "taglist"):
        allowed = {v.get("value") for v in comp.get("values") or []}
        if not isinstance(value, list):
            return ["type"]
        if allowed and any(v not in allowed for v in value):
            problems.append("choice")
    elif ctype == "datetime":
        if not isinstance(value, str):
            return ["type"]
        if comp.get("subtype", "date") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                problems.append("date")
    elif ctype == "dynamiclist" and not isinstance(value, list):
        problems.append("type")
    return problems
