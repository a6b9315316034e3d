"""Two procedure models compared the way an admin reads them: which steps, lanes and flows were
added, removed or changed (name, type, lane, form, step budget, role, condition, ...), and which
forms and form fields changed, and which of the procedure's facts (name, time limit, components,
fees). Diagram-only edits (moving a shape) are not changes.

The result is data (Change rows); web/templates/designer/_changes.html puts it into words.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.errors import ModelInvalid
from engine.workflow.extensions import BPMN_NS, NSMAP
from engine.workflow.parser import read_xml

CONTAINERS = frozenset({"process", "subProcess", "adHocSubProcess", "transaction", "collaboration", "laneSet",
                        "childLaneSet"})
SKIPPED = frozenset({"laneSet", "childLaneSet", "textAnnotation", "association", "documentation",
                     "extensionElements"})
TIMERS = ("timeDate", "timeDuration", "timeCycle")
#: the aspects compared, in the order they are reported
ASPECTS = ("type", "name", "lane", "role", "form", "budget", "flow", "condition", "default", "lifecycle", "script",
           "timer", "called")
FIELD_ASPECTS = ("type", "label", "key", "required", "options", "hide")


@dataclass(frozen=True)
class Element:
    id: str
    facts: dict[str, str]

    @property
    def type(self) -> str:
        return self.facts.get("type", "")

    @property
    def name(self) -> str:
        return self.facts.get("name", "")


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    what: str  # element | form | field
    id: str  # element id, form ref, or field key (else id)
    type: str  # element tag (userTask, lane, sequenceFlow, ...) or component type
    name: str  # element name or field label (the newer one)
    aspect: str = ""  # for "changed": one of ASPECTS / FIELD_ASPECTS
    before: str = ""
    after: str = ""
    form: str = ""  # for fields: their form ref
    lane: str = ""  # for added elements: their lane's name


def _local(node: etree._Element) -> str:
    return str(etree.QName(node).localname)


def _text(node: etree._Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


def _ext(node: etree._Element, name: str) -> etree._Element | None:
    return node.find(f"bpmn:extensionElements/motcua:{name}", NSMAP)


def _facts(node: etree._Element, lane_of: Mapping[str, str]) -> dict[str, str]:
    kinds = sorted(_local(c).removesuffix("EventDefinition") for c in node
                   if isinstance(c.tag, str) and _local(c).endswith("EventDefinition"))
    tag = _local(node)
    facts = {"type": f"{tag}[{','.join(kinds)}]" if kinds else tag, "name": " ".join((node.get("name") or "").split())}
    if node.get("id", "") in lane_of:
        facts["lane"] = lane_of[node.get("id", "")]
    role, form, budget = _ext(node, "role"), _ext(node, "form"), _ext(node, "budget")
    if role is not None:
        facts["role"] = role.get("code", "")
    if form is not None:
        facts["form"] = form.get("ref", "")
    if budget is not None:
        facts["budget"] = f"{budget.get('value', '')} {budget.get('unit', '')}".strip()
    rules = [" ".join(filter(None, (r.get("command"), r.get("when"), r.get("reasons"))))
             for r in node.iterfind("bpmn:extensionElements/motcua:lifecycle", NSMAP)]
    if rules:
        facts["lifecycle"] = "; ".join(rules)
    if tag in ("sequenceFlow", "messageFlow"):
        source, target = node.get("sourceRef", ""), node.get("targetRef", "")
        facts["flow"] = f"{source} → {target}"  # ids: renaming a step is not a change of its flows
    condition = node.find("bpmn:conditionExpression", NSMAP)
    if condition is not None:
        facts["condition"] = _text(condition)
    if node.get("default"):
        facts["default"] = node.get("default", "")
    script = node.find("bpmn:script", NSMAP)
    if script is not None:
        facts["script"] = _text(script)
    timers = [_text(t) for tag_name in TIMERS for t in node.iterfind(f"bpmn:timerEventDefinition/bpmn:{tag_name}",
                                                                      NSMAP)]
    if timers:
        facts["timer"] = "; ".join(timers)
    if node.get("calledElement"):
        facts["called"] = node.get("calledElement", "")
    return {k: v for k, v in facts.items() if v or k in ("type", "name")}


def elements(xml: str | bytes) -> dict[str, Element]:
    """Every modelled element (flow nodes, flows, lanes, pools, processes) with its facts."""
    root = read_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
    lane_of: dict[str, str] = {}
    for lane in root.iterfind(".//bpmn:lane", NSMAP):
        # the innermost lane wins: child lanes are visited after their parent
        for ref in lane.iterfind("bpmn:flowNodeRef", NSMAP):
            lane_of[_text(ref)] = lane.get("name") or lane.get("id") or ""
    found: dict[str, Element] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or not node.get("id"):
            continue
        parent = node.getparent()
        tag = _local(node)
        top_level = parent is not None and parent is root and tag in ("process", "collaboration")
        if tag in SKIPPED or not (top_level or (parent is not None and _local(parent) in CONTAINERS)):
            continue
        if tag == "collaboration":
            continue
        found[node.get("id", "")] = Element(node.get("id", ""), _facts(node, lane_of))
    return found


def element_names(xml: str | bytes) -> dict[str, str]:
    """id -> name (or "" when unnamed); {} when the XML cannot be read."""
    try:
        return {k: e.name for k, e in elements(xml).items()}
    except ModelInvalid:
        return {}


def _named(value: str, aspect: str, found: Mapping[str, Element]) -> str:
    """Flows and default flows are compared by ids but shown with the names of what they join."""
    if aspect == "flow":
        return " → ".join(found[i].name or i if i in found else i for i in value.split(" → "))
    if aspect == "default" and value in found:
        return found[value].name or value
    return value


def _element_changes(before: Mapping[str, Element], after: Mapping[str, Element]) -> list[Change]:
    changes = []
    for eid, new in after.items():
        if eid not in before:
            changes.append(Change("added", "element", eid, new.type, new.name, lane=new.facts.get("lane", "")))
    for eid, old in before.items():
        if eid not in after:
            changes.append(Change("removed", "element", eid, old.type, old.name))
    for eid, new in after.items():
        previous = before.get(eid)
        if previous is None:
            continue
        for aspect in ASPECTS:
            a, b = previous.facts.get(aspect, ""), new.facts.get(aspect, "")
            if a != b:
                changes.append(Change("changed", "element", eid, new.type, new.name or previous.name, aspect,
                                      _named(a, aspect, before), _named(b, aspect, after)))
    return changes


def _fields(schema: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}

    def walk(components: Iterable[Any]) -> None:
        for comp in components:
            if not isinstance(comp, dict):
                continue
            ident = str(comp.get("key") or comp.get("path") or comp.get("id") or "")
            if ident:
                values = comp.get("values") or []
                out[ident] = {
                    "type": str(comp.get("type", "")), "label": str(comp.get("label") or comp.get("text") or ""),
                    "key": str(comp.get("key") or ""),
                    "required": "yes" if (comp.get("validate") or {}).get("required") else "",
                    "options": ", ".join(str(v.get("value")) for v in values if isinstance(v, dict)),
                    "hide": str((comp.get("conditional") or {}).get("hide") or ""),
                }
            walk(comp.get("components") or [])

    walk(schema.get("components") or [] if isinstance(schema, dict) else [])
    return out


def _canonical(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, ensure_ascii=False)


def _form_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    changes = []
    for ref in sorted(set(before) | set(after)):
        if ref not in before:
            changes.append(Change("added", "form", ref, "form", ref))
        elif ref not in after:
            changes.append(Change("removed", "form", ref, "form", ref))
        elif _canonical(before[ref]) != _canonical(after[ref]):
            old, new = _fields(before[ref]), _fields(after[ref])
            field_changes = []
            for key, facts in new.items():
                if key not in old:
                    field_changes.append(Change("added", "field", key, facts["type"], facts["label"], form=ref))
            for key, facts in old.items():
                if key not in new:
                    field_changes.append(Change("removed", "field", key, facts["type"], facts["label"], form=ref))
            for key, facts in new.items():
                for aspect in FIELD_ASPECTS:
                    if key in old and old[key][aspect] != facts[aspect]:
                        field_changes.append(Change("changed", "field", key, facts["type"], facts["label"], aspect,
                                                    old[key][aspect], facts[aspect], form=ref))
            # a change the field facts do not show (layout, description, pattern, ...) still counts
            changes += field_changes or [Change("changed", "form", ref, "form", ref, "details")]
    return changes


#: the procedure's facts compared one by one (engine/metadata.py), in the order they are reported
META_ASPECTS = ("name", "name_en", "agency", "online_level", "time_limit")


def _limit(meta: Mapping[str, Any]) -> str:
    """ "15 working_days"; a whole number loses its ".0" (the draft keeps text, a version a float)."""
    raw = str(meta.get("time_limit") or "").strip().replace(",", ".")
    try:
        number = f"{float(raw):g}" if raw else ""
    except ValueError:
        number = raw
    return f"{number} {meta.get('time_unit') or ''}".strip() if number else ""


def _named_rows(rows: Any) -> dict[str, Mapping[str, Any]]:
    return {" ".join(str(r.get("name") or "").split()): r for r in rows or []
            if isinstance(r, Mapping) and str(r.get("name") or "").strip()}


def _fee(row: Mapping[str, Any]) -> str:
    """A fee's amount as digits (the template writes "50.000 đồng") or, without one, its note."""
    amount = row.get("amount")  # an int in a version, the typed text ("75.000") in a draft
    digits = "".join(str(amount).replace(".", "").split()) if isinstance(amount, int | str) else ""
    return str(int(digits)) if digits.isdigit() and not isinstance(amount, bool) else str(row.get("note") or "")


def _component(row: Mapping[str, Any]) -> dict[str, str]:
    return {"required": "yes" if row.get("required") else "", "quantity": str(row.get("quantity") or ""),
            "kind": str(row.get("kind") or "")}


def metadata_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """The procedure's facts that changed: name, agency, online level, time limit, dossier components
    and fees added, removed or changed (what="metadata"; `type` is procedure, component or fee)."""
    if before is None or after is None:
        return []
    changes = []
    for aspect in META_ASPECTS:
        a, b = (_limit(m) if aspect == "time_limit" else " ".join(str(m.get(aspect) or "").split())
                for m in (before, after))
        if a != b:
            changes.append(Change("changed", "metadata", aspect, "procedure", "", aspect, a, b))
    for kind, key in (("component", "components"), ("fee", "fees")):
        old, new = _named_rows(before.get(key)), _named_rows(after.get(key))
        changes += [Change("added", "metadata", key, kind, name) for name in new if name not in old]
        changes += [Change("removed", "metadata", key, kind, name) for name in old if name not in new]
        for name in (n for n in new if n in old):
            if kind == "fee" and _fee(old[name]) != _fee(new[name]):
                changes.append(Change("changed", "metadata", key, kind, name, "amount", _fee(old[name]),
                                      _fee(new[name])))
            if kind == "component":
                was, now = _component(old[name]), _component(new[name])
                changes += [Change("changed", "metadata", key, kind, name, aspect, was[aspect], now[aspect])
                            for aspect in was if was[aspect] != now[aspect]]
    return changes


def compare(xml_before: str, forms_before: Mapping[str, Any], xml_after: str,
            forms_after: Mapping[str, Any], meta_before: Mapping[str, Any] | None = None,
            meta_after: Mapping[str, Any] | None = None) -> list[Change]:
    """What changed from one model (its forms and, when given, its metadata) to another; [] when they
    are equivalent."""
    return (metadata_changes(meta_before, meta_after) + _element_changes(elements(xml_before), elements(xml_after))
            + _form_changes(forms_before, forms_after))
