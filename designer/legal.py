"""The legal layer of a draft in words: which Decree 118 step each element takes, and when.

`lines()` reads the same walk the check runs (engine/lifecycle_check.py): for each task, the
lifecycle steps it takes (command, its condition told with the form's labels, the statuses it moves
from and to); for each end event, the statuses a dossier can end in and whether they are legal.
The page (web/designer/pages.py) puts them in sentences in the admin's language.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine import lifecycle_check
from engine.lifecycle import Status

OPERATORS = {ast.Eq: "=", ast.NotEq: "≠", ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥", ast.In: "∈"}


@dataclass(frozen=True)
class StepLine:
    element_id: str
    name: str
    command: str
    condition: str  # "" when the step is taken whenever the task completes
    before: tuple[int, ...]
    after: tuple[int, ...]


@dataclass(frozen=True)
class EndLine:
    element_id: str
    name: str
    statuses: tuple[int, ...]
    legal: bool


@dataclass(frozen=True)
class Legal:
    steps: list[StepLine]
    ends: list[EndLine]
    accepted: bool


def _value_label(comp: Mapping[str, Any], value: Any) -> str:
    for option in comp.get("values") or []:
        if isinstance(option, dict) and option.get("value") == value:
            return str(option.get("label") or value)
    return str(value)


def condition_words(expression: str | None, fields: Mapping[str, dict[str, Any]]) -> str:
    """`intake_decision == "accept"` → “Kết quả kiểm tra hồ sơ” = “Tiếp nhận hồ sơ” (the form's labels);
    anything more complex is shown as written."""
    if not expression:
        return ""
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return expression
    if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.left, ast.Name)
            and isinstance(node.comparators[0], ast.Constant) and type(node.ops[0]) in OPERATORS):
        comp = fields.get(node.left.id) or {}
        label = str(comp.get("label") or node.left.id)
        value = node.comparators[0].value
        return f"“{label}” {OPERATORS[type(node.ops[0])]} “{_value_label(comp, value)}”"
    if isinstance(node, ast.Name):
        return f"“{(fields.get(node.id) or {}).get('label') or node.id}”"
    return expression


def lines(xml: str, forms: Mapping[str, Any]) -> Legal | None:
    """The draft's legal steps and ends; None when the draft has no executable process."""
    analysis = lifecycle_check.analyse(xml, forms)
    if analysis is None:
        return None
    g, ext = analysis.graph, analysis.extensions
    grouped: dict[tuple[str, str, str], tuple[set[int], set[int]]] = {}
    for step in analysis.walk.steps:
        before, after = grouped.setdefault((step.element_id, step.command, step.when or ""), (set(), set()))
        before.add(step.before)
        after.add(step.after)
    order = {nid: i for i, nid in enumerate(g.nodes)}
    steps = []
    for (nid, command, when), (before, after) in sorted(grouped.items(), key=lambda kv: order.get(kv[0][0], 0)):
        info = ext.elements.get(nid) or {}
        fields = lifecycle_check.form_fields(forms.get(str(info.get("form") or "")))
        steps.append(StepLine(nid, g.name(nid), command, condition_words(when, fields), tuple(sorted(before)),
                              tuple(sorted(after))))
    ends = [EndLine(nid, g.name(nid), tuple(sorted(statuses)),
                    all(Status(s) in lifecycle_check.LEGAL_END for s in statuses))
            for nid, statuses in sorted(analysis.walk.end_statuses.items(), key=lambda kv: order.get(kv[0], 0))]
    return Legal(steps, ends, analysis.walk.accepted)
