"""Parse and check an uploaded BPMN model: every problem at once, each with its element id or line.

Order: size → hardened XML parse → XSD (BPMN + spiffworkflow + motcua) → SpiffWorkflow parser →
Motcua's rules (lanes and roles, forms, no untyped tasks, restricted expressions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import NoneTask
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask, StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SPIFF_XSD, SpiffBpmnParser

from engine.errors import ModelInvalid, Problem
from engine.workflow import autoforms, scripting
from engine.workflow.extensions import MOTCUA_NS, MOTCUA_XSD, NSMAP, ModelExtensions, read_extensions

TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")
RESERVED_KEYS = frozenset({"typename"})  # breaks SpiffWorkflow's serializer (SPIFFWORKFLOW.md P5)


@dataclass(frozen=True)
class PublishPolicy:
    """Which Motcua rules apply. Procedures use the defaults; the conformance suite relaxes
    the assignment rules because its third-party models carry no lanes or forms."""

    require_lanes: bool = True
    require_forms: bool = False


DEFAULT_POLICY = PublishPolicy()


@dataclass
class ParsedModel:
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    extensions: ModelExtensions
    warnings: list[Problem] = field(default_factory=list)
    generated_forms: dict[str, Any] = field(default_factory=dict)  # ref -> form-js JSON (engine/workflow/autoforms)


def hardened_xml_parser() -> etree.XMLParser:
    # No DTD, no entities, no network: an uploaded model can never read a file or a URL.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True,  # SpiffBpmnParser crashes on a comment inside a task
    )


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    imports = {"spiffworkflow": SPIFF_XSD}
    if MOTCUA_XSD.exists():
        imports[MOTCUA_NS] = str(MOTCUA_XSD)
    validator: etree.XMLSchema = BpmnValidator(imports=imports).validator
    return validator


def read_xml(xml: bytes) -> etree._Element:
    try:
        root = etree.fromstring(xml, parser=hardened_xml_parser())
    except etree.XMLSyntaxError as exc:
        problem = Problem(f"XML is not well-formed: {exc.msg}", line=exc.lineno, code="xml_syntax")
        raise ModelInvalid([problem]) from None
    if root.tag != f"{{{NSMAP['bpmn']}}}definitions":
        raise ModelInvalid([Problem("The document is not a BPMN 2.0 model (no bpmn:definitions root)",
                                    code="not_bpmn")])
    # A DTD may have been declared even if not loaded; refuse it: models have no use for one.
    if root.getroottree().docinfo.internalDTD is not None or root.getroottree().docinfo.system_url:
        raise ModelInvalid([Problem("DTDs and entity declarations are not allowed in a model", code="xml_dtd")])
    return root


def xsd_problems(root: etree._Element) -> list[Problem]:
    schema = _schema()
    BpmnValidator.preprocess(None, root)  # bpmn-js correlation quirk, as Spiff does
    if schema.validate(root):
        return []
    return [Problem(f"BPMN schema: {e.message}", line=e.line, code="xsd") for e in schema.error_log]


MAX_TIMER_MONTHS = 12 * 20
_YEARS_MONTHS = re.compile(r"P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?")


def quote_timer_literals(root: etree._Element) -> list[Problem]:
    """Camunda Modeler and bpmn-js write `PT5M`; SpiffWorkflow evaluates timers as expressions.

    Also refuses literal durations over 20 years: SpiffWorkflow adds a duration month by month,
    so `P999999999Y` would hang the process that arms it."""
    problems = []
    for tag in TIMER_TAGS:
        for node in root.iterfind(f".//bpmn:{tag}", NSMAP):
            text = (node.text or "").strip()
            if not scripting.ISO_TIMER_LITERAL.fullmatch(text):
                continue
            node.text = json.dumps(text)
            duration = text.rsplit("/", 1)[-1]
            match = _YEARS_MONTHS.match(duration)
            if match and duration.startswith("P"):
                years, months = (float((g or "0").replace(",", ".")) for g in match.groups())
                if years * 12 + months > MAX_TIMER_MONTHS:
                    owner = next((a for a in node.iterancestors() if a.get("id") and
                                  etree.QName(a).localname.endswith("Event")), None)
                    problems.append(Problem(f"Timer duration {text} is longer than 20 years",
                                            element_id=owner.get("id") if owner is not None else None,
                                            code="timer_too_long"))
    return problems


def parse_model(
    xml: bytes,
    forms: Mapping[str, Any] | None = None,
    known_roles: Iterable[str] | None = None,
    policy: PublishPolicy = DEFAULT_POLICY,
    extra_files: Iterable[bytes] = (),
    process_id: str | None = None,
) -> ParsedModel:
    """Parse and check a model; raise ModelInvalid with every problem found."""
    forms = forms or {}
    roots = [read_xml(xml), *(read_xml(extra) for extra in extra_files)]
    root = roots[0]
    problems: list[Problem] = []
    for each in roots:
        problems += xsd_problems(each) + quote_timer_literals(each)
    if any(p.code == "timer_too_long" for p in problems):
        raise ModelInvalid(problems)  # never hand such a model to SpiffWorkflow
    parser = SpiffBpmnParser()
    try:
        for i, each in enumerate(roots):
            parser.add_bpmn_xml(each, filename="model.bpmn" if i == 0 else f"extra{i}.bpmn")
    except ValidationException as exc:
        raise ModelInvalid(problems + [_from_validation(exc)]) from None
    executable = parser.get_process_ids()
    if process_id is None:
        if len(executable) != 1:
            found = ", ".join(executable) or "none"
            problems.append(Problem(f"A model must have exactly one executable process (found: {found})",
                                    code="executable_count"))
            raise ModelInvalid(problems)
        process_id = executable[0]
    try:
        if process_id in parser.collaborations:  # several pools run as one instance, messages between them
            spec, subprocess_specs = parser.get_collaboration(process_id)
        else:
            spec = parser.get_spec(process_id)
            subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise ModelInvalid(problems + [_from_validation(exc)]) from None
    except SpiffWorkflowException as exc:
        raise ModelInvalid(problems + [Problem(str(exc), code="bpmn")]) from None
    process_node = root.find(f".//bpmn:process[@id='{process_id}']", NSMAP)
    ext = read_extensions(process_node if process_node is not None else root)
    problems += _rule_problems(spec, subprocess_specs, ext, forms, set(known_roles or ()), policy)
    if problems:
        raise ModelInvalid(problems)
    generated = autoforms.generate(spec, subprocess_specs, ext)
    for element_id, schema in generated.items():  # every step gets a working form without hand work
        ext.elements.setdefault(element_id, {"tag": "userTask", "name": ""})["form"] = schema["id"]
    return ParsedModel(process_id, spec, subprocess_specs, ext,
                       generated_forms={s["id"]: s for s in generated.values()})


def _from_validation(exc: ValidationException) -> Problem:
    line = exc.line_number if isinstance(exc.line_number, int) else None
    return Problem(str(getattr(exc, "message", None) or exc).split("\n")[0], element_id=exc.id or None,
                   line=line, code="bpmn")


def all_task_specs(spec: Any, subprocess_specs: Mapping[str, Any]) -> Iterable[Any]:
    for s in [spec, *subprocess_specs.values()]:
        if s is not None:
            yield from s.task_specs.values()


def _rule_problems(spec: Any, subprocess_specs: Mapping[str, Any], ext: ModelExtensions,
                   forms: Mapping[str, Any], known_roles: set[str], policy: PublishPolicy) -> list[Problem]:
    problems = [Problem(f"Unknown extension element {name}", element_id=owner or None, code="unknown_extension")
                for owner, name in ext.unknown]
    for lane in ext.lanes:
        if policy.require_lanes and not lane.name:
            problems.append(Problem("Lane has no name", element_id=lane.lane_id, code="lane_unnamed"))
        elif policy.require_lanes and not lane.role:
            problems.append(Problem(f"Lane '{lane.name}' has no <motcua:role code=…/>", element_id=lane.lane_id,
                                    code="lane_without_role"))
        elif policy.require_lanes and lane.role not in known_roles:
            problems.append(Problem(f"Lane '{lane.name}' names an unknown role '{lane.role}'",
                                    element_id=lane.lane_id, code="unknown_role"))
    for task_spec in all_task_specs(spec, subprocess_specs):
        bpmn_id = getattr(task_spec, "bpmn_id", None)
        if bpmn_id is None:
            continue
        if isinstance(task_spec, NoneTask):
            problems.append(Problem("A plain task has no type: make it a user, script or service task",
                                    element_id=bpmn_id, code="untyped_task"))
        if isinstance(task_spec, UserTask) and policy.require_lanes and not task_spec.lane:
            problems.append(Problem("User task is not in any lane, so nobody would be assigned to it",
                                    element_id=bpmn_id, code="task_without_lane"))
        for kind, text in expressions_of(task_spec):
            check = scripting.check_script if kind == "script" else scripting.check_expression
            for reason in check(text):
                problems.append(Problem(f"Refused {kind} expression: {reason}", element_id=bpmn_id,
                                        code="expression_refused"))
    for element_id, info in ext.elements.items():
        ref = info.get("form")
        if ref is not None and ref not in forms:
            problems.append(Problem(f"Form '{ref}' is referenced but was not supplied", element_id=element_id,
                                    code="form_missing", form=ref))
        elif policy.require_forms and info["tag"] == "userTask" and ref is None:
            problems.append(Problem("User task has no form", element_id=element_id, code="form_required"))
        for rule in info.get("lifecycle", []):
            for reason in scripting.check_expression(rule["when"]) if rule.get("when") else []:
                problems.append(Problem(f"Refused lifecycle condition: {reason}", element_id=element_id,
                                        code="expression_refused"))
        budget = info.get("budget")
        if budget is not None and not budget["valid"]:
            problems.append(Problem("Step budget needs value > 0 and unit working_days or working_hours",
                                    element_id=element_id, code="budget_invalid"))
    problems += form_problems(forms)
    return problems


def form_problems(forms: Mapping[str, Any]) -> list[Problem]:
    """Structural checks of the form-js schemas; the renderer's own checks come with forms/."""
    problems = []
    for ref, schema in forms.items():
        if not isinstance(schema, dict) or not isinstance(schema.get("components"), list):
            problems.append(Problem("Form is not a form-js schema (no components list)", form=ref,
                                    code="form_invalid"))
            continue
        for comp in _components(schema["components"]):
            if comp.get("key") in RESERVED_KEYS:
                problems.append(Problem(f"Field key '{comp['key']}' is reserved", form=ref,
                                        component=comp.get("id"), code="form_reserved_key"))
    return problems


def _components(components: list[Any]) -> Iterable[dict[str, Any]]:
    for comp in components:
        if isinstance(comp, dict):
            yield comp
            yield from _components(comp.get("components") or [])


def expressions_of(task_spec: Any) -> Iterable[tuple[str, str]]:
    """Every admin-authored expression a task spec will hand to the script engine."""
    for cond, _target in getattr(task_spec, "cond_task_specs", None) or []:
        text = getattr(cond, "args", [None])[0] if cond is not None else None
        if isinstance(text, str):
            yield "condition", text
    if isinstance(task_spec, ScriptTask) and task_spec.script:
        yield "script", task_spec.script
    for attr in ("prescript", "postscript"):
        if getattr(task_spec, attr, None):
            yield "script", getattr(task_spec, attr)
    if isinstance(task_spec, MultiInstanceTask | StandardLoopTask):
        for attr in ("cardinality", "condition"):
            if isinstance(getattr(task_spec, attr, None), str):
                yield "loop", getattr(task_spec, attr)
    definition = getattr(task_spec, "event_definition", None)
    definitions = definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]
    for d in definitions:
        if d is None:
            continue
        if isinstance(getattr(d, "expression", None), str):
            yield "event", d.expression
        for prop in getattr(d, "correlation_properties", None) or []:
            if isinstance(getattr(prop, "retrieval_expression", None), str):
                yield "event", prop.retrieval_expression
