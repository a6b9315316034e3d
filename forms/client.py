"""Hide rules the browser may apply while the citizen types (progressive enhancement).

The server stays the judge: it renders the page with every rule decided and re-decides them on
each post. When JavaScript runs, forms/static/forms/hide.js re-evaluates the rules on input and
shows or hides components in place. It never sees FEEL text: each rule is sent as a small JSON
tree (``data-mc-hide``) built here from the compiled expression, and only when the browser can
decide it exactly as forms/feel.py does:

* literals (null, true, false, strings, numbers as text), names and paths (``a.b``);
* ``= != < <= > >=``, ``and``, ``or``, ``not(x)``; a minus sign directly before a number.

Arithmetic (JavaScript floats are not FEEL decimals), rules inside repeating rows (``this``,
``parent``), rules that read a name no top-level field gives, and containers holding any rule
the browser cannot decide get no client behaviour: their state changes when the form is posted.

Tree nodes: ``["lit", v]``, ``["num", "1.5"]``, ``["name", "a"]``, ``["path", node, "b"]``,
``["not", node]``, ``[op, left, right]`` with op one of the comparisons or ``and``/``or``.
"""

from __future__ import annotations

import json
from typing import Any

from forms.feel import Expression, Node
from forms.tree import DynamicList, Field, FormTree, Group
from forms.tree import Node as Component

_OPS = {"=", "!=", "<", "<=", ">", ">=", "and", "or"}


def tree_of(node: Node) -> list[Any] | None:
    """The JSON tree of a parsed FEEL node, or None when the browser must not decide it."""
    op, args = node.op, node.args
    if op == "lit":
        value = args[0]
        if value is None or isinstance(value, bool | str):
            return ["lit", value]
        return ["num", str(value)]
    if op == "neg" and isinstance(args[0], Node) and args[0].op == "lit" and not isinstance(args[0].args[0],
                                                                                          bool | str | None):
        return ["num", str(-args[0].args[0])]
    if op == "name":
        return ["name", args[0]]
    if op == "path":
        base = tree_of(args[0])
        return None if base is None else ["path", base, args[1]]
    if op == "not" and len(args) == 1:
        inner = tree_of(args[0])
        return None if inner is None else ["not", inner]
    if op in _OPS:
        left, right = tree_of(args[0]), tree_of(args[1])
        return None if left is None or right is None else [op, left, right]
    return None


def field_names(tree: FormTree) -> set[str]:
    """The top-level names the page's fields give as the server reads them (outside repeating
    lists; not uploads or dates, whose typed form the browser does not clean)."""
    names: set[str] = set()

    def visit(nodes: tuple[Component, ...]) -> None:
        for node in nodes:
            if isinstance(node, Group):
                visit(node.children)
            elif isinstance(node, Field) and node.kind not in ("file", "date"):
                names.add(node.path[0])

    visit(tree.nodes)
    return names


class Rules:
    """The client rules of one form: ``rule(component)`` is the ``data-mc-hide`` text or ""."""

    def __init__(self, tree: FormTree) -> None:
        self.names = field_names(tree)
        self.cache: dict[str, str | None] = {}

    def expression(self, hide: Expression) -> str | None:
        if hide.source not in self.cache:
            tree = tree_of(hide.tree) if hide.names() <= self.names else None
            self.cache[hide.source] = None if tree is None else json.dumps(tree, ensure_ascii=False,
                                                                          separators=(",", ":"))
        return self.cache[hide.source]

    def decidable(self, node: Component) -> bool:
        """Whether the browser can decide every rule in and under ``node`` (lists: none inside)."""
        if node.hide is not None and self.expression(node.hide) is None:
            return False
        if isinstance(node, DynamicList):
            return all(_no_rules(child) for child in node.children)
        if isinstance(node, Group):
            return all(self.decidable(child) for child in node.children)
        return True

    def rule(self, node: Component, rows: tuple[int, ...]) -> str:
        if rows or node.hide is None or not self.decidable(node):
            return ""
        return self.expression(node.hide) or ""

    def any(self, tree: FormTree) -> bool:
        return any(self.rule(node, ()) for node in tree.walk())


def _no_rules(node: Component) -> bool:
    if node.hide is not None:
        return False
    return all(_no_rules(c) for c in node.children) if isinstance(node, Group | DynamicList) else True


def field_data(f: Field) -> dict[str, str]:
    """What hide.js needs to read a field's value as the server does: key, kind, option values."""
    if f.kind in ("file", "date"):
        return {}  # never read by a client rule (field_names)
    attrs = {"data-mc-key": f.key, "data-mc-kind": f.kind}
    if f.kind in ("choice", "multi"):
        attrs["data-mc-options"] = json.dumps({o.token: o.value for o in f.options}, ensure_ascii=False,
                                              separators=(",", ":"))
    return attrs
