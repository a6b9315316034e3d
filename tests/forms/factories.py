"""Plain factories for form-js schemas in tests: a component, a form, posted data."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

TODAY = date(2026, 11, 25)
_ids = itertools.count(1)


def comp(type_: str, key: str | None = None, label: str | None = None, **props: Any) -> dict[str, Any]:
    """A component; inputs get a label (from the key) unless one is given."""
    out: dict[str, Any] = {"id": props.pop("id", f"C{next(_ids)}"), "type": type_}
    if key is not None:
        out["key"] = key
        out["label"] = label if label is not None else key.replace("_", " ").capitalize()
    elif label is not None:
        out["label"] = label
    out.update(props)
    return out


def form(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": "default", "id": "Form_test", "schemaVersion": 19,
            "exporter": {"name": "motcua", "version": "0.1.0"}, "components": list(components)}


def options(*values: str) -> list[dict[str, str]]:
    return [{"label": v.capitalize(), "value": v} for v in values]
