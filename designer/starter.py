"""The model a new procedure starts from, with its Decree 118 lifecycle (RULES §2.2): in the lane
"Bộ phận một cửa" (role one_stop), start → "Tiếp nhận hồ sơ" (accepts, refuses or asks for a
supplement on `intake_decision`) → gateway (refuse → end "Từ chối tiếp nhận"; supplement → back to
intake; otherwise) → "Trả kết quả" (finishes and returns the result, channel `returned_via`) →
end. With the application, intake and return forms it publishes as it is (tests/designer)."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import quoteattr

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:motcua="https://motcua.vn/schema/bpmn/1.0" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
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
        <bpmn:flowNodeRef>Gateway_intake</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>return_result</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_done</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>EndEvent_refused</bpmn:flowNodeRef>
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
        <motcua:lifecycle command="accept" when="intake_decision == &quot;accept&quot;" />
        <motcua:lifecycle command="refuse" when="intake_decision == &quot;refuse&quot;" reasons="intake_note" />
        <motcua:lifecycle command="request_supplement" when="intake_decision == &quot;supplement&quot;" \
reasons="intake_note" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_start_to_intake</bpmn:incoming>
      <bpmn:incoming>Flow_gateway_supplement</bpmn:incoming>
      <bpmn:outgoing>Flow_intake_to_gateway</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="Gateway_intake" name="Hồ sơ đầy đủ, hợp lệ?" default="Flow_gateway_accept">
      <bpmn:incoming>Flow_intake_to_gateway</bpmn:incoming>
      <bpmn:outgoing>Flow_gateway_accept</bpmn:outgoing>
      <bpmn:outgoing>Flow_gateway_refuse</bpmn:outgoing>
      <bpmn:outgoing>Flow_gateway_supplement</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="return_result" name="Trả kết quả">
      <bpmn:extensionElements>
        <motcua:form ref="return_result" />
        <motcua:lifecycle command="finish" />
        <motcua:lifecycle command="return_result" channel="returned_via" />
      </bpmn:extensionElements>
      <bpmn:incoming>Flow_gateway_accept</bpmn:incoming>
      <bpmn:outgoing>Flow_result_to_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="EndEvent_done" name="Hoàn thành">
      <bpmn:incoming>Flow_result_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:endEvent id="EndEvent_refused" name="Từ chối tiếp nhận">
      <bpmn:incoming>Flow_gateway_refuse</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_start_to_intake" sourceRef="StartEvent_submitted" targetRef="intake" />
    <bpmn:sequenceFlow id="Flow_intake_to_gateway" sourceRef="intake" targetRef="Gateway_intake" />
    <bpmn:sequenceFlow id="Flow_gateway_accept" name="Tiếp nhận" sourceRef="Gateway_intake" targetRef="return_result" />
    <bpmn:sequenceFlow id="Flow_gateway_refuse" name="Từ chối" sourceRef="Gateway_intake" \
targetRef="EndEvent_refused">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">intake_decision == "refuse"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_gateway_supplement" name="Yêu cầu bổ sung" sourceRef="Gateway_intake" \
targetRef="intake">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">intake_decision == "supplement"\
</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_result_to_end" sourceRef="return_result" targetRef="EndEvent_done" />
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
        <dc:Bounds x="222" y="167" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="213" y="210" width="54" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="intake_di" bpmnElement="intake">
        <dc:Bounds x="290" y="145" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Gateway_intake_di" bpmnElement="Gateway_intake" isMarkerVisible="true">
        <dc:Bounds x="430" y="160" width="50" height="50" />
        <bpmndi:BPMNLabel><dc:Bounds x="480" y="130" width="80" height="27" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="return_result_di" bpmnElement="return_result">
        <dc:Bounds x="660" y="145" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_done_di" bpmnElement="EndEvent_done">
        <dc:Bounds x="842" y="167" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="831" y="210" width="58" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="EndEvent_refused_di" bpmnElement="EndEvent_refused">
        <dc:Bounds x="437" y="262" width="36" height="36" />
        <bpmndi:BPMNLabel><dc:Bounds x="485" y="273" width="90" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="Flow_start_to_intake_di" bpmnElement="Flow_start_to_intake">
        <di:waypoint x="258" y="185" />
        <di:waypoint x="290" y="185" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_intake_to_gateway_di" bpmnElement="Flow_intake_to_gateway">
        <di:waypoint x="390" y="185" />
        <di:waypoint x="430" y="185" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_gateway_accept_di" bpmnElement="Flow_gateway_accept">
        <di:waypoint x="480" y="185" />
        <di:waypoint x="660" y="185" />
        <bpmndi:BPMNLabel><dc:Bounds x="486" y="166" width="46" height="14" /></bpmndi:BPMNLabel>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_gateway_refuse_di" bpmnElement="Flow_gateway_refuse">
        <di:waypoint x="455" y="210" />
        <di:waypoint x="455" y="262" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_gateway_supplement_di" bpmnElement="Flow_gateway_supplement">
        <di:waypoint x="455" y="160" />
        <di:waypoint x="455" y="105" />
        <di:waypoint x="340" y="105" />
        <di:waypoint x="340" y="145" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="Flow_result_to_end_di" bpmnElement="Flow_result_to_end">
        <di:waypoint x="760" y="185" />
        <di:waypoint x="842" y="185" />
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

#: who applies, for the receipt, Forms 02/03, search and tracking by phone (the metadata editor changes it)
APPLICANT: dict[str, str] = {"name": "applicant_name", "phone": "applicant_phone"}

INTAKE_FORM: dict[str, Any] = {
    "type": "default", "id": "intake", "schemaVersion": 19,
    "components": [
        {"id": "Field_intake_note", "type": "textarea", "key": "intake_note", "label": "Ghi chú tiếp nhận"},
        {"id": "Field_intake_decision", "type": "radio", "key": "intake_decision", "label": "Kết quả kiểm tra hồ sơ",
         "validate": {"required": True},
         "values": [{"label": "Tiếp nhận hồ sơ", "value": "accept"},
                    {"label": "Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)", "value": "supplement"},
                    {"label": "Từ chối tiếp nhận (Mẫu 03)", "value": "refuse"}]},
    ],
}

RETURN_FORM: dict[str, Any] = {
    "type": "default", "id": "return_result", "schemaVersion": 19,
    "components": [
        {"id": "Field_returned_via", "type": "radio", "key": "returned_via", "label": "Hình thức trả kết quả",
         "validate": {"required": True},
         "values": [{"label": "Bản giấy", "value": "paper"}, {"label": "Bản điện tử", "value": "electronic"},
                    {"label": "Cả bản giấy và bản điện tử", "value": "both"}]},
    ],
}


def process_id(code: str) -> str:
    """An XML NCName from a national code: "1.001193" → "Process_1_001193"."""
    return "Process_" + re.sub(r"[^A-Za-z0-9_]", "_", code)


def model(code: str, name: str) -> str:
    return TEMPLATE.format(pid=process_id(code), name=quoteattr(name or code))


def forms() -> dict[str, Any]:
    return {"application": dict(APPLICATION_FORM), "intake": dict(INTAKE_FORM), "return_result": dict(RETURN_FORM)}


def starter(code: str, name: str) -> tuple[str, dict[str, Any]]:
    return model(code, name), forms()


def empty_form(ref: str) -> dict[str, Any]:
    return {"type": "default", "id": ref, "schemaVersion": 19, "components": []}
