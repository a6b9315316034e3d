"""The `motcua:` BPMN extension: the namespace (defined once here) and readers for its elements.

    <bpmn:lane name="Bộ phận một cửa"><bpmn:extensionElements><motcua:role code="one_stop"/>…
    <bpmn:userTask id="intake"><bpmn:extensionElements>
        <motcua:form ref="intake"/> <motcua:budget value="4" unit="working_hours"/>

Documented with an example in bpmn/README.md; bpmn/motcua.xsd validates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

MOTCUA_NS = "https://motcua.vn/schema/bpmn/1.0"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NSMAP = {"bpmn": BPMN_NS, "motcua": MOTCUA_NS}
MOTCUA_XSD = Path(__file__).resolve().parents[2] / "bpmn" / "motcua.xsd"
BUDGET_UNITS = ("working_days", "working_hours")
KNOWN_ELEMENTS = ("role", "form", "budget", "lifecycle")


@dataclass
class LaneInfo:
    lane_id: str
    name: str | None
    role: str | None
    flow_nodes: list[str] = field(default_factory=list)


@dataclass
class ModelExtensions:
    """What the motcua: elements of one process say."""

    lanes: list[LaneInfo]
    elements: dict[str, dict[str, Any]]  # bpmn id -> {"tag", "name", "form", "budget"}
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (element id, motcua:<name>) misspellings

    def lane_roles(self) -> dict[str, str]:
        return {lane.name: lane.role for lane in self.lanes if lane.name and lane.role}


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def read_extensions(process: etree._Element) -> ModelExtensions:
    lanes = []
    for lane in process.iterfind(".//bpmn:lane", NSMAP):
        role = lane.find("bpmn:extensionElements/motcua:role", NSMAP)
        lanes.append(
            LaneInfo(
                lane_id=lane.get("id", ""),
                name=(lane.get("name") or "").strip() or None,
                role=role.get("code") if role is not None else None,
                flow_nodes=[(n.text or "").strip() for n in lane.iterfind("bpmn:flowNodeRef", NSMAP)],
            )
        )
    elements: dict[str, dict[str, Any]] = {}
    unknown = []
    # The BPMN XSD validates extensionElements laxly: a misspelt motcua:* element would pass silently.
    for node in process.iterfind(".//motcua:*", NSMAP):
        if _local(node) not in KNOWN_ELEMENTS:
            parent = node.getparent()
            owner = parent.getparent() if parent is not None else None
            unknown.append((owner.get("id", "") if owner is not None else "", f"motcua:{_local(node)}"))
    for node in process.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace != BPMN_NS or not node.get("id"):
            continue
        info: dict[str, Any] = {"tag": _local(node), "name": node.get("name") or ""}
        form = node.find("bpmn:extensionElements/motcua:form", NSMAP)
        if form is not None:
            info["form"] = form.get("ref")
        budget = node.find("bpmn:extensionElements/motcua:budget", NSMAP)
        if budget is not None:
            info["budget"] = _read_budget(budget)
        rules = [{"command": r.get("command", ""), "when": r.get("when"), "reasons": r.get("reasons"),
                  **({"channel": r.get("channel")} if r.get("channel") else {})}
                 for r in node.iterfind("bpmn:extensionElements/motcua:lifecycle", NSMAP)]
        if rules:
            info["lifecycle"] = rules
        if info["tag"] in ("userTask", "startEvent", "manualTask", "task") or len(info) > 2:
            elements[node.get("id", "")] = info
    return ModelExtensions(lanes=lanes, elements=elements, unknown=unknown)


def _read_budget(node: etree._Element) -> dict[str, Any]:
    unit = node.get("unit", "")
    try:
        value = Decimal(node.get("value", ""))
    except InvalidOperation:
        value = Decimal(0)
    return {"value": str(value), "unit": unit, "valid": unit in BUDGET_UNITS and value > 0}
