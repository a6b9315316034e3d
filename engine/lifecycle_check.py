"""Check-time legal analysis of a model: does every dossier it runs take a Decree 118 lifecycle?

`walk()` follows the process graph from its start with a symbolic dossier (status 1, no data). At a
user task it tries each answer the task can give to the fields its `motcua:lifecycle` rules and
the gateways just after it read (the options of the task's radio / select, else the literals the
expressions compare with plus "another answer"), applies the rules that hold through
`engine.lifecycle.apply`, and takes the gateway branches those answers take (restricted evaluator;
an expression that cannot be decided takes every branch). A supplement request waits for the
citizen's answer before the next task, as dossiers do. It reports, each with the element's id:

* `lifecycle_never_accepts`: no path accepts the dossier (no receipt, no legal clock);
* `lifecycle_end_status`: an end event reachable while the dossier is not in a legal end status
  (3 not accepted, 7 withdrawn, 8 stopped, 9 finished, 10 returned);
* `lifecycle_step_refused`: a rule whose step the status it meets does not allow (e.g. finish before accept);
* `lifecycle_accept_not_one_stop`: acceptance taken by a task outside the one-stop lane (ND118 art. 17);
* `parallel_write`: two branches of a parallel split write the same field before they join.

Run by the designer's check and publish (engine/design.py) after the parser's rules; the API's
publish and the conformance suite do not run it. Parallel branches are walked one at a time (an
approximation: a branch does not see the steps its sibling takes). `analyse()` gives the same walk
to the designer, which shows each element's legal steps in words (designer/legal.py).
"""

from __future__ import annotations

import ast
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.errors import Conflict, InvalidData, ModelInvalid, Problem
from engine.lifecycle import Command, LifecycleState, Status, apply
from engine.workflow import scripting
from engine.workflow.autoforms import AUTO_PREFIX, _reads
from engine.workflow.extensions import BPMN_NS, NSMAP, ModelExtensions, read_extensions
from engine.workflow.parser import read_xml

LEGAL_END = frozenset({Status.NOT_ACCEPTED, Status.WITHDRAWN, Status.STOPPED, Status.FINISHED, Status.RETURNED})
ONE_STOP_ROLE = "one_stop"
OTHER = "\u2026khác"  # "another answer" than every literal an expression names
MAX_STATES = 20_000
MAX_SCENARIOS = 64
_ENV = scripting.SafeEnvironment()
_NODE_SUFFIXES = ("Event", "Task", "Gateway")
_CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")


def reads(expression: str) -> dict[str, list[Any]]:
    """name -> the literal values an expression compares it with (engine/workflow/autoforms)."""
    return _reads(expression)


class _Unknown(Exception):
    """An expression the walk cannot decide (unbound name, type error…): every branch is possible."""


@dataclass
class Graph:
    """The process's flow nodes and sequence flows, read from the XML (names for the messages)."""

    nodes: dict[str, tuple[str, str, str]]  # id -> (tag, name, parent id)
    outgoing: dict[str, list[tuple[str, str, str | None]]]  # id -> [(flow id, target, condition)]
    defaults: dict[str, str]
    boundaries: dict[str, list[str]]  # task id -> boundary event ids
    process_id: str

    def name(self, element_id: str) -> str:
        return self.nodes.get(element_id, ("", "", ""))[1] or element_id


def graph(process: etree._Element) -> Graph:
    nodes: dict[str, tuple[str, str, str]] = {}
    outgoing: dict[str, list[tuple[str, str, str | None]]] = {}
    defaults: dict[str, str] = {}
    boundaries: dict[str, list[str]] = {}
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or not node.get("id"):
            continue
        tag, nid = etree.QName(node).localname, node.get("id", "")
        parent = node.getparent()
        if tag == "sequenceFlow":
            cond = node.find("bpmn:conditionExpression", NSMAP)
            text = (cond.text or "").strip() if cond is not None else ""
            outgoing.setdefault(node.get("sourceRef", ""), []).append((nid, node.get("targetRef", ""), text or None))
        elif tag.endswith(_NODE_SUFFIXES) or tag in (*_CONTAINERS, "callActivity"):
            nodes[nid] = (tag, (node.get("name") or "").strip(), parent.get("id", "") if parent is not None else "")
            if node.get("default"):
                defaults[nid] = node.get("default", "")
            if tag == "boundaryEvent":
                boundaries.setdefault(node.get("attachedToRef", ""), []).append(nid)
    return Graph(nodes, outgoing, defaults, boundaries, process.get("id", ""))


# ------------------------------------------------------------------ what elements read and write
def _components(components: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for comp in components:
        if isinstance(comp, dict):
            yield comp
            yield from _components(comp.get("components") or [])


INPUT_TYPES = frozenset({"textfield", "textarea", "number", "checkbox", "checklist", "radio", "select", "taglist",
                         "datetime", "filepicker"})


def form_fields(schema: Any) -> dict[str, dict[str, Any]]:
    """key -> component of every input of a form-js schema."""
    if not isinstance(schema, dict):
        return {}
    return {str(c["key"]): c for c in _components(schema.get("components") or [])
            if c.get("key") and c.get("type") in INPUT_TYPES}


def script_writes(script: str) -> set[str]:
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AugAssign | ast.AnnAssign) else []
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _form_ref(element_id: str, info: Mapping[str, Any]) -> str:
    """The step's form, or the one publish generates for a step without (engine/workflow/autoforms)."""
    return str(info.get("form") or f"{AUTO_PREFIX}{element_id}")


def _script_of(process: etree._Element, element_id: str) -> str:
    node = process.find(f".//*[@id='{element_id}']/bpmn:script", NSMAP)
    return (node.text or "") if node is not None else ""


# ------------------------------------------------------------------ the walk
@dataclass(frozen=True)
class Step:
    """A lifecycle step an element takes on some path: (command, status before, status after)."""

    element_id: str
    command: str
    when: str | None
    before: int
    after: int


@dataclass
class Walk:
    problems: list[Problem] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    end_statuses: dict[str, set[int]] = field(default_factory=dict)  # end event -> statuses reached with
    accepted: bool = False


def _evaluate(expression: str, data: Mapping[str, Any]) -> bool:
    try:
        return bool(_ENV.evaluate(expression, dict(data)))
    except Exception as exc:
        raise _Unknown from exc


def downstream_conditions(g: Graph, start: str) -> list[str]:
    """The conditions on the flows leaving `start` and the gateways right after it: what it decides."""
    seen, todo, found = set(), [t for _f, t, _c in g.outgoing.get(start, [])], []
    found += [c for _f, _t, c in g.outgoing.get(start, []) if c]
    while todo:
        nid = todo.pop()
        if nid in seen or not g.nodes.get(nid, ("",))[0].endswith("Gateway"):
            continue
        seen.add(nid)
        for _f, target, cond in g.outgoing.get(nid, []):
            if cond:
                found.append(cond)
            todo.append(target)
    return found


def _candidates(name: str, literals: list[Any], form: Mapping[str, dict[str, Any]]) -> list[Any]:
    comp = form.get(name)
    if comp is not None and comp.get("type") in ("radio", "select") and comp.get("values"):
        return [v.get("value") for v in comp["values"] if isinstance(v, dict)]
    if comp is not None and comp.get("type") == "checkbox":
        return [True, False]
    if literals:  # a free field may hold any other answer; an unknown one is taken as the answers named
        return [*literals, OTHER] if comp is not None else list(literals)
    return [True, False]


def _scenarios(g: Graph, element_id: str, rules: list[dict[str, Any]], form: Mapping[str, dict[str, Any]],
               data: dict[str, Any]) -> list[dict[str, Any]]:
    wanted: dict[str, list[Any]] = {}
    for expression in [r["when"] for r in rules if r.get("when")] + downstream_conditions(g, element_id):
        for name, values in reads(expression).items():
            wanted.setdefault(name, []).extend(v for v in values if v not in wanted.get(name, []))
    decided = {n: v for n, v in wanted.items() if n in form or n not in data}
    names = list(decided)
    choices = [_candidates(n, decided[n], form) for n in names]
    out = []
    for combo in itertools.islice(itertools.product(*choices), MAX_SCENARIOS):
        out.append({**data, **dict(zip(names, combo, strict=True))})
    return out or [dict(data)]


def _next_flows(g: Graph, nid: str, data: Mapping[str, Any]) -> list[str]:
    tag = g.nodes[nid][0]
    flows = g.outgoing.get(nid, [])
    default = g.defaults.get(nid)
    if tag in ("parallelGateway", "eventBasedGateway", "complexGateway"):
        return [t for _f, t, _c in flows]
    taken, sure = [], False
    for flow_id, target, cond in flows:
        if flow_id == default:
            continue
        if cond is None:
            taken.append(target)
            continue
        try:
            holds = _evaluate(cond, data)
        except _Unknown:
            taken.append(target)
            continue
        if holds:
            taken.append(target)
            sure = True
            if tag == "exclusiveGateway":
                break
    if default and not sure:
        taken += [t for f, t, _c in flows if f == default]
    return taken


def _after_supplement(state: LifecycleState) -> LifecycleState:
    """Before the next task a dossier waiting for the citizen gets its answer (or is stopped)."""
    if state.status is Status.SUPPLEMENT_REQUESTED:
        return apply(state, Command.RECEIVE_SUPPLEMENT)
    if state.status is Status.AWAITING_FINANCIAL_OBLIGATION:
        return apply(state, Command.FULFIL_FINANCIAL_OBLIGATION)
    return state


def walk(process: etree._Element, ext: ModelExtensions, forms: Mapping[str, Any]) -> Walk:
    g = graph(process)
    out = Walk()
    seen: set[tuple[str, int, bool, str]] = set()
    refused: set[tuple[str, str, int]] = set()
    steps: set[Step] = set()
    starts = [nid for nid, (tag, _n, parent) in g.nodes.items() if tag == "startEvent" and parent == g.process_id]
    todo: list[tuple[str, LifecycleState, dict[str, Any]]] = [(s, LifecycleState(), {}) for s in starts]
    while todo and len(seen) < MAX_STATES:
        nid, state, data = todo.pop()
        key = (nid, int(state.status), state.supplement_at_intake, json.dumps(data, sort_keys=True, default=str))
        if key in seen or nid not in g.nodes:
            continue
        seen.add(key)
        tag, _name, parent = g.nodes[nid]
        info = ext.elements.get(nid) or {}
        if tag in _CONTAINERS:
            inner = [i for i, (t, _n, p) in g.nodes.items() if t == "startEvent" and p == nid]
            todo += [(i, state, data) for i in inner]
            continue
        if tag == "endEvent":
            if parent == g.process_id:
                out.end_statuses.setdefault(nid, set()).add(int(state.status))
            elif parent in g.nodes:
                todo += [(t, state, data) for t in _next_flows(g, parent, data)]
            continue
        results: list[tuple[LifecycleState, dict[str, Any]]] = [(state, data)]
        if tag in ("userTask", "manualTask"):
            todo += [(b, state, data) for b in g.boundaries.get(nid, [])]
            rules = info.get("lifecycle") or []
            form = form_fields(forms.get(_form_ref(nid, info)))
            results = []
            for scenario in _scenarios(g, nid, rules, form, data):
                current = _after_supplement(state)
                for rule in rules:
                    try:
                        if rule.get("when") and not _evaluate(rule["when"], scenario):
                            continue
                    except _Unknown:
                        continue
                    before = current
                    try:
                        current = apply(current, rule["command"], reasons=("…",))
                    except (Conflict, InvalidData, ValueError):
                        refused.add((nid, rule["command"], int(before.status)))
                        continue
                    if current.status is Status.ACCEPTED:
                        out.accepted = True
                        current = apply(current, Command.ROUTE)  # electronic routing at once (art. 18)
                    steps.add(Step(nid, rule["command"], rule.get("when"), int(before.status), int(current.status)))
                results.append((current, scenario))
        elif tag == "scriptTask":
            script = _script_of(process, nid)
            scope = dict(data)
            try:
                _ENV.execute(script, scope)
                data = {k: v for k, v in scope.items() if isinstance(v, str | int | float | bool | type(None))}
            except Exception:
                data = {k: v for k, v in data.items() if k not in script_writes(script)}
            results = [(state, data)]
        for after, values in results:
            todo += [(t, after, values) for t in _next_flows(g, nid, values)]
    for nid, command, status in sorted(refused):
        out.problems.append(Problem(
            f"Lifecycle step {command} is not allowed in status {status} at {g.name(nid)}", element_id=nid,
            code="lifecycle_step_refused", params={"command": command, "status": status}))
    for nid, statuses in out.end_statuses.items():
        bad = sorted(s for s in statuses if Status(s) not in LEGAL_END)
        if bad:
            out.problems.append(Problem(
                f"End event {g.name(nid)} is reachable in status {bad[0]}, not a legal end status",
                element_id=nid, code="lifecycle_end_status", params={"status": bad[0]}))
    if starts and not out.accepted:
        first = _first_one_stop_task(ext) or starts[0]
        out.problems.append(Problem("No path accepts the dossier (no receipt, no legal clock)", element_id=first,
                                    code="lifecycle_never_accepts"))
    roles = {n: lane.role for lane in ext.lanes for n in lane.flow_nodes}
    for nid, info in ext.elements.items():
        if any(r.get("command") == "accept" for r in info.get("lifecycle") or []) and roles.get(nid) != ONE_STOP_ROLE:
            out.problems.append(Problem(f"{g.name(nid)} accepts dossiers but is not in the one-stop lane",
                                        element_id=nid, code="lifecycle_accept_not_one_stop"))
    out.steps = sorted(steps, key=lambda s: (s.element_id, s.command, s.before))
    return out


def _first_one_stop_task(ext: ModelExtensions) -> str | None:
    roles = {n: lane.role for lane in ext.lanes for n in lane.flow_nodes}
    return next((nid for nid, info in ext.elements.items()
                 if info.get("tag") == "userTask" and roles.get(nid) == ONE_STOP_ROLE), None)


# ------------------------------------------------------------------ parallel branches
def _closure(g: Graph, start: str, stop: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        nid = todo.pop()
        if nid in seen or nid == stop:
            continue
        seen.add(nid)
        todo += [t for _f, t, _c in g.outgoing.get(nid, [])] + g.boundaries.get(nid, [])
    return seen


def parallel_writes(process: etree._Element, ext: ModelExtensions, forms: Mapping[str, Any]) -> list[Problem]:
    """Two branches of a parallel split whose elements write the same field before the branches join."""
    g = graph(process)

    def writes(nid: str) -> set[str]:
        tag = g.nodes[nid][0]
        if tag == "scriptTask":
            return script_writes(_script_of(process, nid))
        info = ext.elements.get(nid) or {}
        return set(form_fields(forms.get(_form_ref(nid, info)))) if tag in ("userTask", "manualTask") else set()

    def label(nid: str, key: str) -> str:
        comp = form_fields(forms.get(_form_ref(nid, ext.elements.get(nid) or {}))).get(key) or {}
        return str(comp.get("label") or "")

    problems: list[Problem] = []
    reported: set[tuple[str, str, str]] = set()
    for split, (tag, _name, _parent) in g.nodes.items():
        targets = [t for _f, t, _c in g.outgoing.get(split, [])]
        if tag != "parallelGateway" or len(targets) < 2:
            continue
        closures = [_closure(g, t, split) for t in targets]
        own = [c - set().union(*(o for j, o in enumerate(closures) if j != i)) for i, c in enumerate(closures)]
        for i, j in itertools.combinations(range(len(own)), 2):
            for a in sorted(own[i]):
                for b in sorted(own[j]):
                    if a not in g.nodes or b not in g.nodes:
                        continue
                    for key in sorted(writes(a) & writes(b)):
                        first, second = sorted((a, b))
                        if (first, second, key) in reported:
                            continue
                        reported.add((first, second, key))
                        problems.append(Problem(
                            f"Parallel branches both write '{key}': {g.name(first)} and {g.name(second)}",
                            element_id=first, code="parallel_write",
                            params={"other": second, "field": key, "label": label(first, key) or label(second, key)}))
    return problems


def problems(process: etree._Element, ext: ModelExtensions, forms: Mapping[str, Any]) -> list[Problem]:
    """Every lifecycle and parallel-write problem of a process, each with its element id."""
    return walk(process, ext, forms).problems + parallel_writes(process, ext, forms)


@dataclass
class Analysis:
    graph: Graph
    extensions: ModelExtensions
    walk: Walk
    process: etree._Element


def executable_process(xml: bytes | str) -> etree._Element | None:
    """The model's executable process (the first one), or None when the XML is not a BPMN model."""
    try:
        root = read_xml(xml.encode("utf-8") if isinstance(xml, str) else xml)
    except ModelInvalid:
        return None
    processes = root.findall("bpmn:process", NSMAP)
    return next((p for p in processes if p.get("isExecutable") == "true"), processes[0] if processes else None)


def analyse(xml: bytes | str, forms: Mapping[str, Any]) -> Analysis | None:
    """The walk of a draft's executable process (None when it has none), for the designer's words."""
    process = executable_process(xml)
    if process is None:
        return None
    ext = read_extensions(process)
    return Analysis(graph(process), ext, walk(process, ext, forms), process)


def check(xml: bytes | str, forms: Mapping[str, Any]) -> list[Problem]:
    """What the designer's check and publish add to the parser's rules (engine/design.py)."""
    process = executable_process(xml)
    if process is None:
        return []
    return problems(process, read_extensions(process), forms)
