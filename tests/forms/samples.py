"""Valid data for any FormTree, as JSON and as the HTML form would post it."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from forms.evaluate import get, put
from forms.jsregex import compile_js
from forms.rules import EMAIL
from forms.tree import DynamicList, Field, FormTree, Group, Node
from tests.forms.factories import TODAY

_TEXTS = ["001195012345", "0912345678", "Nguyễn Văn An", "abc", "a@b.vn", "0123456789-001", "27/03/2007",
          "ABC-123", "x"]


def text_value(f: Field) -> str:
    special = {"cccd": "001195012345", "phone": "0912345678", "tax_code": "0123456789", "date_dmy": "27/03/2007",
               "date_of_birth": "27/03/2007"}
    if f.vn_type in special:
        return special[f.vn_type]
    low, high = int(f.rules.get("minLength", 0) or 0), int(f.rules.get("maxLength", 10**6) or 10**6)
    candidates = ["a@b.vn"] if f.rules.get("validationType") == "email" else (
        ["0912345678"] if f.rules.get("validationType") == "phone" else _TEXTS)
    for text in candidates + ["x" * max(low, 1)]:
        if low <= len(text) <= high and (f.pattern is None or f.pattern.search(text)):
            if f.rules.get("validationType") != "email" or EMAIL.match(text):
                return text
    raise AssertionError(f"no sample text for {f.id}")


def number_value(f: Field) -> int | float:
    low = Decimal(str(f.rules["min"])) if f.rules.get("min") not in (None, "") else Decimal(0)
    value = low
    if f.increment:
        step = Decimal(str(f.increment))
        value = (low / step).to_integral_value(rounding=ROUND_CEILING) * step
    if f.decimal_digits == 0 or value == value.to_integral_value():
        return int(value)
    return float(value)


def field_value(f: Field) -> Any:
    if f.kind == "text":
        return text_value(f)
    if f.kind == "number":
        return number_value(f)
    if f.kind == "bool":
        return True
    if f.kind == "choice":
        return f.options[0].value
    if f.kind == "multi":
        return [f.options[0].value]
    if f.kind == "file":
        return ["att-1"] if f.multiple else "att-1"
    if f.subtype == "time":
        return "10:00"
    if f.subtype == "datetime":
        return "2026-12-01T10:00"
    return TODAY.isoformat() if f.disallow_past else "2000-01-31"


def valid_data(nodes: tuple[Node, ...] | FormTree, rows: int = 1) -> dict[str, Any]:
    nodes = nodes.nodes if isinstance(nodes, FormTree) else nodes
    out: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Group):
            for key, value in valid_data(node.children, rows).items():
                out[key] = {**out.get(key, {}), **value} if isinstance(value, dict) else value
        elif isinstance(node, DynamicList):
            put(out, node.path, [valid_data(node.children, rows) for _ in range(rows)])
        elif isinstance(node, Field) and not node.disabled:
            put(out, node.path, field_value(node))
    return out


def posted(nodes: tuple[Node, ...] | FormTree, data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """What a browser posts for ``data`` (files left out: they come as uploads)."""
    nodes = nodes.nodes if isinstance(nodes, FormTree) else nodes
    out: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Group):
            out.update(posted(node.children, data, prefix))
        elif isinstance(node, DynamicList):
            name = f"{prefix}{'.'.join(node.path)}"
            for i, row in enumerate(get(data, node.path) or []):
                out[f"{name}-{i}-_row"] = "1"
                out.update(posted(node.children, row, f"{name}-{i}-"))
        elif isinstance(node, Field):
            value, name = get(data, node.path), prefix + node.key
            if value is None or node.kind == "file":
                continue
            if node.kind == "bool":
                if value:
                    out[name] = "true"
            elif node.kind == "multi":
                out[name] = [o.token for o in node.options if o.value in value]
            elif node.kind == "choice":
                out[name] = next(o.token for o in node.options if o.value == value)
            elif node.kind == "date" and node.subtype != "time":
                day, _, clock = value.partition("T")
                year, month, dom = day.split("-")
                out.update({f"{name}-day": dom, f"{name}-month": month, f"{name}-year": year})
                if node.subtype == "datetime":
                    out[f"{name}-time"] = clock[:5]
            elif node.kind == "date":
                out[name] = value[:5]
            else:
                out[name] = str(value)
    return out


def pattern_ok(pattern: str, text: str) -> bool:
    return bool(compile_js(pattern).search(text))
