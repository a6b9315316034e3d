"""Forms for the steps a model gives none: built from what the model itself needs.

For a user task: the variables its outgoing gateways' conditions and its `motcua:lifecycle` rules
read (compared with two or more texts → a radio of those values; with one text → a text field,
since other answers take the default flow; with numbers → a number; alone → a checkbox)
plus the field holding refusal reasons; with nothing to ask, one "opinion" text area. For a start
event: the process's declared data inputs. The result is ordinary form-js JSON an admin can then
refine in the form editor.
"""

from __future__ import annotations

import ast
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from engine.workflow.extensions import ModelExtensions

AUTO_PREFIX = "auto-"


def _label(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _reads(expression: str) -> dict[str, list[Any]]:
    """name -> literal values it is compared with (empty list: used on its own)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return {}
    found: dict[str, list[Any]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            names = [o.id for o in operands if isinstance(o, ast.Name)]
            literals = [o.value for o in operands if isinstance(o, ast.Constant)]
            for name in names:
                found.setdefault(name, []).extend(v for v in literals if v not in found.get(name, []))
        elif isinstance(node, ast.Name) and node.id not in found:
            found[node.id] = []
    return found


def _field(name: str, values: list[Any]) -> dict[str, Any]:
    base = {"id": f"Field_{name}", "key": name, "label": _label(name), "validate": {"required": True}}
    texts = [v for v in values if isinstance(v, str)]
    if len(texts) >= 2:  # the branches name the answers: offer exactly those
        return {**base, "type": "radio", "values": [{"label": _label(v), "value": v} for v in texts]}
    if texts:  # one literal: other answers take the default flow, so any text is an answer
        return {**base, "type": "textfield", "description": f"Ví dụ: {texts[0]}"}
    if any(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return {**base, "type": "number"}
    return {**base, "type": "checkbox", "validate": {}}


def _downstream_conditions(task_spec: Any) -> list[str]:
    """Conditions of the gateways reached from the task without passing another user task."""
    seen, todo, conditions = set(), list(task_spec.outputs), []
    while todo:
        spec = todo.pop()
        if id(spec) in seen or isinstance(spec, UserTask):
            continue
        seen.add(id(spec))
        for cond, _target in getattr(spec, "cond_task_specs", None) or []:
            if cond is not None and getattr(cond, "args", None):
                conditions.append(cond.args[0])
        todo.extend(spec.outputs)
    return conditions


def generate(spec: Any, subprocess_specs: dict[str, Any], ext: ModelExtensions) -> dict[str, dict[str, Any]]:
    """{element id: form-js schema} for every user task and start event without a designed form."""
    forms: dict[str, dict[str, Any]] = {}
    for s in [spec, *subprocess_specs.values()]:
        for task_spec in s.task_specs.values() if s is not None else []:
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            info = ext.elements.get(bpmn_id or "", {})
            if not bpmn_id or info.get("form") or not isinstance(task_spec, UserTask):
                continue
            wanted: dict[str, list[Any]] = {}
            for expression in _downstream_conditions(task_spec) + [r["when"] for r in info.get("lifecycle", [])
                                                                   if r.get("when")]:
                for name, values in _reads(expression).items():
                    wanted.setdefault(name, []).extend(v for v in values if v not in wanted.get(name, []))
            components = [_field(name, values) for name, values in wanted.items()]
            for rule in info.get("lifecycle", []):
                if rule.get("reasons") and rule["reasons"] not in wanted:
                    components.append({"id": f"Field_{rule['reasons']}", "key": rule["reasons"], "type": "textarea",
                                       "label": "Lý do", "validate": {}})
            if not components:
                components = [{"id": "Field_opinion", "key": f"{bpmn_id}_opinion", "type": "textarea",
                               "label": "Ý kiến xử lý", "validate": {}}]
            forms[bpmn_id] = {"type": "default", "id": f"{AUTO_PREFIX}{bpmn_id}", "schemaVersion": 19,
                              "generated": True, "components": components}
    inputs = getattr(getattr(spec, "io_specification", None), "data_inputs", None) or []
    start = next((i for i, info in ext.elements.items() if info.get("tag") == "startEvent"), None)
    if start and inputs and not ext.elements[start].get("form"):
        forms[start] = {"type": "default", "id": f"{AUTO_PREFIX}{start}", "schemaVersion": 19, "generated": True,
                        "components": [{"id": f"Field_{d.bpmn_id}", "key": d.bpmn_id, "type": "textfield",
                                        "label": _label(d.bpmn_name or d.bpmn_id), "validate": {"required": True}}
                                       for d in inputs]}
    return forms
