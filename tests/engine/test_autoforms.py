"""Automatic forms: a step without a designed form gets one built from what the model reads."""

from __future__ import annotations

from engine import procedures
from engine.workflow.extensions import MOTCUA_NS

MODEL = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="{MOTCUA_NS}"
    id="defs" targetNamespace="http://motcua.vn/test">
  <bpmn:process id="auto" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l1" name="Một cửa">
      <bpmn:extensionElements><motcua:role code="one_stop"/></bpmn:extensionElements>
      <bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>note</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Kiểm tra">
      <bpmn:extensionElements>
        <motcua:lifecycle command="refuse" when='decision == "refuse"' reasons="refusal_reasons"/>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:exclusiveGateway id="gw" default="f4"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing><bpmn:outgoing>f4</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:userTask id="note" name="Ghi chú">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f4</bpmn:incoming><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="gw"/>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="note">
      <bpmn:conditionExpression>decision == "accept" and amount &gt; 100 and urgent</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="end"/>
    <bpmn:sequenceFlow id="f5" sourceRef="note" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


async def test_tasks_without_forms_get_generated_ones(users: dict) -> None:
    await procedures.create_or_update("A.1", name="Auto forms")
    version = await procedures.publish("A.1", MODEL)
    assert version.elements["check"]["form"] == "auto-check"
    check = {c["key"]: c for c in version.forms["auto-check"]["components"]}
    assert check["decision"]["type"] == "radio"
    assert sorted(v["value"] for v in check["decision"]["values"]) == ["accept", "refuse"]
    assert check["amount"]["type"] == "number" and check["urgent"]["type"] == "checkbox"
    assert check["refusal_reasons"]["type"] == "textarea"
    note = version.forms["auto-note"]["components"]
    assert [c["key"] for c in note] == ["note_opinion"]
    import forms

    for schema in version.forms.values():  # the generated forms are ones the renderer accepts
        assert forms.check_schema(schema) == []


def test_a_variable_compared_with_one_text_becomes_a_free_text_field() -> None:
    from engine.workflow.autoforms import _field

    assert _field("categorie", ["simple"])["type"] == "textfield"
    assert _field("decision", ["accept", "refuse"])["type"] == "radio"
