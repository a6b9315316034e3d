"""The model a new procedure starts from: start → one user task in the lane "Bộ phận một cửa"
(role one_stop) → end, with the citizen's application form and the intake form. It publishes
as it is (tests/designer/test_drafts.py)."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import quoteattr

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:motcua="https://motcua.vn/schema/bpmn/1.0" \
id="Definitions_{pid}" targetNamespace="http://bpmn.io/schema/bpmn" exporter="motcua" exporterVersion="0.1.0">
  <bpmn:collaboration id="Collaboration_{pid}">
    <bpmn:participant id="Participant_{pid}" name={name} processRef="{pid}" />
  </bpmn:collaboration>
  <bpmn:process id="{pid}" name={name} isExecutable="true">
    <bpmn:laneSet id="LaneSet_{pid}">
      <bpmn:lane id="Lane_one_stop" name="Bộ phận một cửa">
        <bpmn:extensionElements>
          <motcua:role code="one_stop" />
        </bpmn:extensionElements>
        <bpmn:flowNodeRef>StartEvent_submitted</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>intake</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_done</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_submitted" name="Nộp hồ sơ">
      <bpmn:extensionElements>
        <motcua:form ref="application" />
      </bpmn:extensionElements>
      <bpmn:outgoing>Flow_start_to_intake</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="intake" name="Tiếp nhận hồ sơ">
      <bpmn:extensionElements>
        <motcua:form ref="intake" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_start_to_intake</bpmn:incoming>
      <bpmn:outgoing>Flow_intake_to_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_done" name="Hoàn thành">
      <bpmn:incoming>Flow_intake_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_start_to_intake" sourceRef="StartEvent_submitted" targetRef="intake" />
    <bpmn:sequenceFlow id="Flow_intake_to_end" sourceRef="intake" targetRef="EndEvent_done" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{pid}">
    <bpmndi:BPMNPlane id="BPMNPlane_{pid}" bpmnElement="Collaboration_{pid}">
      <bpmndi:BPMNShape id="Participant_{pid}_di" bpmnElement="Participant_{pid}" isHorizontal="true">
        <dc:Bounds x="160" y="80" width="760" height="250" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Lane_one_stop_di" bpmnElement="Lane_one_stop" isHorizontal="true">
        <dc:Bounds x="190" y="80" width="730" height="250" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="StartEvent_submitted_di" bpmnElement="StartEvent_submitted">
        <dc:Bounds x="252" y="187" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="243" y="230" width="54" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="intake_di" bpmnElement="intake">
        <dc:Bounds x="360" y="165" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_done_di" bpmnElement="EndEvent_done">
        <dc:Bounds x="782" y="187" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="771" y="230" width="58" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_start_to_intake_di" bpmnElement="Flow_start_to_intake">
        <di:waypoint x="288" y="205" />
        <di:waypoint x="360" y="205" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_intake_to_end_di" bpmnElement="Flow_intake_to_end">
        <di:waypoint x="460" y="205" />
        <di:waypoint x="782" y="205" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

APPLICATION_FORM: dict[str, Any] = {
    "type": "default", "id": "application", "schemaVersion": 19,
    "components": [
        {"id": "Field_applicant_name", "type": "textfield", "key": "applicant_name",
         "label": "Họ và tên người nộp hồ sơ", "validate": {"required": True}},
        {"id": "Field_applicant_phone", "type": "textfield", "key": "applicant_phone",
         "label": "Số điện thoại", "properties": {"motcua:type": "phone"}},
    ],
}

INTAKE_FORM: dict[str, Any] = {
    "type": "default", "id": "intake", "schemaVersion": 19,
    "components": [
        {"id": "Field_intake_note", "type": "textarea", "key": "intake_note", "label": "Ghi chú tiếp nhận"},
    ],
}


def process_id(code: str) -> str:
    """An XML NCName from a national code: "1.001193" → "Process_1_001193"."""
    return "Process_" + re.sub(r"[^A-Za-z0-9_]", "_", code)


def model(code: str, name: str) -> str:
    return TEMPLATE.format(pid=process_id(code), name=quoteattr(name or code))


def forms() -> dict[str, Any]:
    return {"application": dict(APPLICATION_FORM), "intake": dict(INTAKE_FORM)}


def starter(code: str, name: str) -> tuple[str, dict[str, Any]]:
    return model(code, name), forms()


def empty_form(ref: str) -> dict[str, Any]:
    return {"type": "default", "id": ref, "schemaVersion": 19, "components": []}
