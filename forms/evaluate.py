"""Walk a FormTree over submitted values: hide rules, validation, clean nested data.

Pure (``today`` is a parameter). ``raw`` is nested like form-js data; its leaves are what was
submitted (strings/lists/uploads from an HTML form, typed values from JSON). Steps, as form-js:

1. a best-effort value of every field, merged over ``initial`` data, is the FEEL context;
2. a component whose hide rule is true, or inside a hidden group or list, is hidden: it is neither
   validated nor submitted; a ``disabled`` field is shown but neither validated nor submitted;
   a ``readonly`` field (bool or FEEL) keeps its ``initial`` value when an HTML form is posted;
3. every other field is cleaned and checked (forms/rules.py) and written to the clean data.

Errors are keyed by data path, rows as ``members[0].full_name``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from forms import rules
from forms.feel import js_truthy
from forms.rules import Origin, Problem
from forms.tree import DynamicList, Field, FormTree, Group, Node, Path


@dataclass
class Outcome:
    data: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[Problem]] = field(default_factory=dict)
    files: dict[str, list[Any]] = field(default_factory=dict)
    hidden: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)
    readonly: set[tuple[str, tuple[int, ...]]] = field(default_factory=set)

    def visible(self, component_id: str, rows: tuple[int, ...] = ()) -> bool:
        return (component_id, rows) not in self.hidden


def get(data: Any, path: Path) -> Any:
    for part in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def has(data: Any, path: Path) -> bool:
    for part in path:
        if not isinstance(data, Mapping) or part not in data:
            return False
        data = data[part]
    return True


def put(data: dict[str, Any], path: Path, value: Any) -> None:
    for part in path[:-1]:
        nxt = data.get(part)
        if not isinstance(nxt, dict):
            nxt = data[part] = {}
        data = nxt
    data[path[-1]] = value


def put_key(data: dict[str, Any], key: str, value: Any) -> None:
    """Set ``value`` at an error/files key such as ``members[0].scan`` (rows must exist)."""
    target: Any = data
    parts = [p for p in re.split(r"\.|(\[\d+\])", key) if p]
    for part, nxt in zip(parts, parts[1:] + [None], strict=True):
        index: str | int = int(part[1:-1]) if part.startswith("[") else part
        if nxt is None:
            target[index] = value
        elif isinstance(index, int):
            target = target[index]
        else:
            if not isinstance(target.get(index), dict | list):
                target[index] = {}
            target = target[index]


def merge(base: Any, over: Any) -> Any:
    """``over`` deep-merged onto ``base`` (dicts merge; anything else replaces)."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base.get(key), value)
        return out
    return over


def row_key(prefix: str, path: Path) -> str:
    key = ".".join(path)
    return f"{prefix}.{key}" if prefix else key


def evaluate(tree: FormTree, raw: Mapping[str, Any], origin: Origin, initial: Mapping[str, Any] | None,
             today: date) -> Outcome:
    initial = initial if isinstance(initial, Mapping) else {}
    root = merge(initial, _preview(tree.nodes, raw, origin, today))
    walker = _Walker(origin, today, root)
    walker.scope(tree.nodes, raw, initial, walker.outcome.data, "", (), root, None, False)
    return walker.outcome


def _preview(nodes: tuple[Node, ...], raw: Any, origin: Origin, today: date) -> dict[str, Any]:
    """Best-effort values of every field (hidden or not): what hide rules see."""
    out: dict[str, Any] = {}
    for node in nodes:
        if isinstance(node, Group):
            out = merge(out, _preview(node.children, raw, origin, today))
        elif isinstance(node, DynamicList):
            rows = get(raw, node.path)
            if isinstance(rows, list):
                put(out, node.path, [_preview(node.children, r, origin, today) for r in rows])
        elif isinstance(node, Field) and node.kind != "file":
            if origin == "form" and (node.disabled or node.readonly is True):
                continue  # not posted (or not trusted): the initial data stands
            if origin == "json" and node.has_default and not has(raw, node.path):
                put(out, node.path, node.default)  # form-js imports defaults into the data
                continue
            value, problems = rules.clean(node, get(raw, node.path), origin, today)
            if problems and node.kind == "text" and isinstance(get(raw, node.path), str):
                value = get(raw, node.path).strip()
            elif problems:
                value = None
            put(out, node.path, value)
    return out


class _Walker:
    def __init__(self, origin: Origin, today: date, root: dict[str, Any]) -> None:
        self.origin = origin
        self.today = today
        self.root = root
        self.outcome = Outcome()

    def context(self, this: Any, parent: Any, rows: tuple[int, ...]) -> dict[str, Any]:
        special = {"this": this, "parent": parent, "i": [r + 1 for r in rows]}
        return {**special, **self.root, **{f"_{k}_": v for k, v in special.items()}}

    def scope(self, nodes: tuple[Node, ...], raw: Any, initial: Any, out: dict[str, Any], prefix: str,
              rows: tuple[int, ...], this: Any, parent: Any, hidden: bool) -> None:
        ctx = self.context(this, parent, rows)
        for node in nodes:
            node_hidden = hidden or (node.hide is not None and node.hide.unary_test(ctx))
            if node_hidden:
                self.outcome.hidden.add((node.id, rows))
            if isinstance(node, Group):
                self.scope(node.children, raw, initial, out, prefix, rows, this, parent, node_hidden)
            elif isinstance(node, DynamicList):
                self.rows(node, raw, initial, out, prefix, rows, this, node_hidden)
            elif isinstance(node, Field) and not node_hidden:
                self.field(node, raw, initial, out, prefix, rows, ctx)

    def rows(self, node: DynamicList, raw: Any, initial: Any, out: dict[str, Any], prefix: str,
             rows: tuple[int, ...], this: Any, hidden: bool) -> None:
        key = row_key(prefix, node.path)
        items = get(raw, node.path)
        if items is None:
            items = []
        if not isinstance(items, list):
            if not hidden:
                self.outcome.errors[key] = [("type", {})]
            return
        if len(items) > node.max_rows and not hidden:
            self.outcome.errors[key] = [("rows", {"n": node.max_rows})]
            items = items[:node.max_rows]
        if len(items) < node.min_rows and not hidden:
            self.outcome.errors[key] = [("min_rows", {"n": node.min_rows})]
        start = get(initial, node.path)
        start = start if isinstance(start, list) else []
        scope_rows = get(this, node.path)
        clean_rows: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            row_out: dict[str, Any] = {}
            row_this = scope_rows[index] if isinstance(scope_rows, list) and index < len(scope_rows) else {}
            self.scope(node.children, item if isinstance(item, Mapping) else {},
                       start[index] if index < len(start) else {}, row_out, f"{key}[{index}]", (*rows, index),
                       row_this, this, hidden)
            clean_rows.append(row_out)
        if not hidden:
            put(out, node.path, clean_rows)

    def field(self, f: Field, raw: Any, initial: Any, out: dict[str, Any], prefix: str, rows: tuple[int, ...],
              ctx: dict[str, Any]) -> None:
        key = row_key(prefix, f.path)
        readonly = f.readonly if isinstance(f.readonly, bool) else js_truthy(f.readonly.evaluate(ctx))
        if readonly:
            self.outcome.readonly.add((f.id, rows))
        if f.disabled:
            return
        origin, value = self.origin, get(raw, f.path)
        if readonly and origin == "form":
            origin, value = "json", get(initial, f.path)
            if value is None and not has(initial, f.path) and f.has_default:
                value = f.default
        elif origin == "json" and not has(raw, f.path) and f.has_default:
            value = f.default
        if f.kind == "file" and origin == "form" and not rules.has_upload(value):
            clean, problems = rules.clean(f, get(initial, f.path), "json", self.today)  # keep what was uploaded
        elif f.kind == "file" and origin == "form":
            clean, problems = rules.clean(f, value, "form", self.today)
            if isinstance(clean, list):
                self.outcome.files[key] = clean
                clean = None  # the web layer stores the uploads and writes their references here
        else:
            clean, problems = rules.clean(f, value, origin, self.today)
        if problems:
            self.outcome.errors[key] = problems
        else:
            put(out, f.path, clean if clean is not None or f.kind != "multi" else [])
