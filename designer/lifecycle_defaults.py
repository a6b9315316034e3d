"""One click to a sensible Decree 118 lifecycle: rewrite a draft's XML (and forms) with default rules.

* The first one-stop user task on the way from the start (else the first user task) decides at
  intake: `accept`, `refuse` (reasons in a note field) and `request_supplement` on its decision
  field (the field its gateway already reads, else `intake_decision`); its own rules are replaced.
* Every end event a dossier can still reach outside a legal end status gets a mapping on the last
  user task before it, guarded by the conditions of the flows that lead there: `refuse` (from
  intake, or an end named as a refusal), else `finish` + `return_result` with the channel field
  `returned_via`, or only `return_result` when processing already finished.
* A designed form of those tasks gets the decision, note and channel fields it lacks.

Everything else in the draft stays as it was. `propose()` returns the new XML and forms; the page
shows them as a diff before the admin applies them (web/designer/lifecycle.py).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine import lifecycle_check
from engine.lifecycle import Status
from engine.workflow.extensions import BPMN_NS, MOTCUA_NS, NSMAP, read_extensions

DECISION = "intake_decision"
NOTE = "intake_note"
CHANNEL = "returned_via"
DECISIONS = (("accept", "Tiếp nhận hồ sơ"), ("supplement", "Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
             ("refuse", "Từ chối tiếp nhận (Mẫu 03)"))
CHANNELS = (("paper", "Bản giấy"), ("electronic", "Bản điện tử"), ("both", "Cả bản giấy và bản điện tử"))
REFUSAL_WORDS = ("từ chối", "không duyệt", "không được", "refus", "reject")
ROUNDS = 3


@dataclass
class Proposal:
    xml: str
    forms: dict[str, Any]
    intake: str | None  # the task that decides at intake (None: the model has no user task)
    touched: list[str] = field(default_factory=list)  # element ids given rules


def _parser() -> etree.XMLParser:
    # as engine.workflow.parser.hardened_xml_parser, but comments are the admin's content: keep them
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _extension_elements(node: etree._Element) -> etree._Element:
    found = node.find("bpmn:extensionElements", NSMAP)
    if found is None:
        found = etree.Element(f"{{{BPMN_NS}}}extensionElements")
        documentation = node.findall("bpmn:documentation", NSMAP)
        node.insert(len(documentation), found)  # BPMN order: documentation, extensionElements, the rest
    return found


def _add_rule(node: etree._Element, command: str, when: str | None = None, **attributes: str) -> None:
    rule = etree.SubElement(_extension_elements(node), f"{{{MOTCUA_NS}}}lifecycle", nsmap={"motcua": MOTCUA_NS})
    rule.set("command", command)
    if when:
        rule.set("when", when)
    for key, value in attributes.items():
        rule.set(key, value)


def _rules(node: etree._Element) -> list[etree._Element]:
    return node.findall("bpmn:extensionElements/motcua:lifecycle", NSMAP)


def _ensure_field(schema: dict[str, Any], key: str, label: str, kind: str,
                  options: tuple[tuple[str, str], ...] = (), *, extend: bool = False) -> None:
    """Add the field when the form lacks it; `extend` adds the options an existing choice lacks (the
    intake decision: a rule whose answer cannot be picked would never hold)."""
    components = schema.setdefault("components", [])
    existing = lifecycle_check.form_fields(schema).get(key)
    if existing is None:
        comp: dict[str, Any] = {"id": f"Field_{key}", "type": kind, "key": key, "label": label}
        if options:
            comp["values"] = [{"label": text, "value": value} for value, text in options]
            comp["validate"] = {"required": True}
        components.append(comp)
    elif extend and options and existing.get("type") in ("radio", "select"):
        values = existing.setdefault("values", [])
        have = {v.get("value") for v in values if isinstance(v, dict)}
        values += [{"label": text, "value": value} for value, text in options if value not in have]


def _note_field(task: str, ref: str, forms: dict[str, Any], default: str) -> str:
    """The field holding a refusal's reasons: the task form's first text area, else one added to it
    (a step without a designed form gets it in its generated form, from the rule itself)."""
    schema = forms.get(ref)
    if not isinstance(schema, dict):
        return default
    key = next((k for k, c in lifecycle_check.form_fields(schema).items() if c.get("type") == "textarea"), default)
    _ensure_field(schema, key, "Ghi chú, lý do", "textarea")
    return key


def _first_task(g: lifecycle_check.Graph, roles: Mapping[str, str | None]) -> str | None:
    starts = [nid for nid, (tag, _n, parent) in g.nodes.items() if tag == "startEvent" and parent == g.process_id]
    order, seen, todo = [], set(), list(starts)
    while todo:  # breadth first: the task nearest the start
        nid = todo.pop(0)
        if nid in seen:
            continue
        seen.add(nid)
        if g.nodes.get(nid, ("",))[0] == "userTask":
            order.append(nid)
        todo += [t for _f, t, _c in g.outgoing.get(nid, [])]
    return next((t for t in order if roles.get(t) == lifecycle_check.ONE_STOP_ROLE), order[0] if order else None)


def _paths_back(g: lifecycle_check.Graph, end: str) -> dict[str, list[str]]:
    """Last user task(s) before `end` -> the conditions of the flows from it to `end`."""
    incoming: dict[str, list[tuple[str, str]]] = {}
    for source, flows in g.outgoing.items():
        for flow_id, target, _c in flows:
            incoming.setdefault(target, []).append((flow_id, source))
    found: dict[str, list[str]] = {}
    todo: list[tuple[str, list[str]]] = [(end, [])]
    seen: set[str] = set()
    while todo:
        nid, conditions = todo.pop(0)
        if nid in seen:
            continue
        seen.add(nid)
        for flow_id, source in incoming.get(nid, []):
            guard = _guard(g, source, flow_id)
            path = ([guard] if guard else []) + conditions
            if g.nodes.get(source, ("",))[0] == "userTask":
                found.setdefault(source, path)
            else:
                todo.append((source, path))
    return found


def _guard(g: lifecycle_check.Graph, source: str, flow_id: str) -> str | None:
    flows = g.outgoing.get(source, [])
    own = next((c for f, _t, c in flows if f == flow_id), None)
    if own:
        return own
    if g.defaults.get(source) == flow_id:
        others = [c for f, _t, c in flows if f != flow_id and c]
        return " and ".join(f"not ({c})" for c in others) or None
    return None


def propose(xml: str, forms: Mapping[str, Any]) -> Proposal | None:
    """The draft with the default lifecycle; None when the XML has no executable process."""
    if lifecycle_check.executable_process(xml) is None:
        return None
    root = etree.fromstring(xml.encode("utf-8"), parser=_parser())
    processes = root.findall("bpmn:process", NSMAP)
    process = next((p for p in processes if p.get("isExecutable") == "true"), processes[0])
    new_forms = copy.deepcopy(dict(forms))
    g = lifecycle_check.graph(process)
    ext = read_extensions(process)
    roles = {n: lane.role for lane in ext.lanes for n in lane.flow_nodes}
    nodes = {n.get("id"): n for n in process.iter() if isinstance(n.tag, str) and n.get("id")}
    intake = _first_task(g, roles)
    proposal = Proposal("", new_forms, intake)
    if intake is None:
        return None
    decision = next((name for c in lifecycle_check.downstream_conditions(g, intake)
                     for name, values in lifecycle_check.reads(c).items() if values), DECISION)
    node = nodes[intake]
    for rule in _rules(node):
        parent = rule.getparent()
        if parent is not None:
            parent.remove(rule)
    ref = str((ext.elements.get(intake) or {}).get("form") or "")
    note = _note_field(intake, ref, new_forms, NOTE)
    _add_rule(node, "accept", f'{decision} == "accept"')
    _add_rule(node, "refuse", f'{decision} == "refuse"', reasons=note)
    _add_rule(node, "request_supplement", f'{decision} == "supplement"', reasons=note)
    proposal.touched.append(intake)
    if ref in new_forms and isinstance(new_forms[ref], dict):
        _ensure_field(new_forms[ref], decision, "Kết quả kiểm tra hồ sơ", "radio", DECISIONS, extend=True)
    for _round in range(ROUNDS):
        ext = read_extensions(process)
        walk = lifecycle_check.walk(process, ext, new_forms)
        bad = {e: s for e, s in walk.end_statuses.items() if any(Status(x) not in lifecycle_check.LEGAL_END
                                                                 for x in s)}
        if not bad:
            break
        for end, statuses in bad.items():
            refusal = any(word in g.name(end).lower() for word in REFUSAL_WORDS)
            for task, conditions in _paths_back(g, end).items():
                when = " and ".join(f"({c})" for c in conditions) or None
                if _map_end(nodes[task], task, intake, statuses, refusal, when, ext, new_forms):
                    proposal.touched.append(task)
    proposal.xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode")
    return proposal


def _map_end(node: etree._Element, task: str, intake: str, statuses: set[int], refusal: bool, when: str | None,
             ext: Any, forms: dict[str, Any]) -> bool:
    commands = {r.get("command") for r in _rules(node)}
    ref = str((ext.elements.get(task) or {}).get("form") or "")
    if Status.SUBMITTED in statuses and task == intake:
        return False  # the intake's own rules decide; a path around them is for the admin to see
    if statuses & {Status.ACCEPTED, Status.IN_PROCESS} and refusal and "refuse" not in commands:
        _add_rule(node, "refuse", when, reasons=_note_field(task, ref, forms, f"{task}_note"))
        return True
    changed = False
    if statuses & {Status.ACCEPTED, Status.IN_PROCESS} and not commands & {"finish", "refuse"}:
        _add_rule(node, "finish", when)
        changed = True
    if statuses & {Status.ACCEPTED, Status.IN_PROCESS, Status.FINISHED} and "return_result" not in commands:
        _add_rule(node, "return_result", when, channel=CHANNEL)
        if ref in forms and isinstance(forms[ref], dict):
            _ensure_field(forms[ref], CHANNEL, "Hình thức trả kết quả", "radio", CHANNELS)
        changed = True
    return changed
