"""Publish-time rules of the engine: timer literals, durations, spec cache, immutable versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import dossiers, procedures
from engine.errors import ModelInvalid
from engine.models import Dossier, Timer
from engine.workflow.extensions import MOTCUA_NS
from tests.factories import rt

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:motcua="{ns}"
    id="defs" targetNamespace="http://motcua.vn/test">
  <bpmn:process id="timed" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_one_stop" name="Một cửa">
        <bpmn:extensionElements><motcua:role code="one_stop"/></bpmn:extensionElements>
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>check</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end_late</bpmn:flowNodeRef><bpmn:flowNodeRef>reminder</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check" name="Kiểm tra">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="reminder" attachedToRef="check">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="td"><bpmn:timeDuration>{duration}</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="late" name="Xử lý trễ">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_late"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="reminder" targetRef="late"/>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="end_late"/>
  </bpmn:process>
</bpmn:definitions>
"""


def model(duration: str) -> bytes:
    return MODEL.format(ns=MOTCUA_NS, duration=duration).encode()


async def test_unquoted_iso_timer_literal_from_other_modelers_is_armed(users: dict) -> None:
    await procedures.create_or_update("T.1", name="Timer test")
    await procedures.publish("T.1", model("PT5M"))
    before = datetime.now(UTC)
    dossier = await dossiers.submit(rt(), "T.1", {}, now=before, user=users["citizen"])
    timer = await Timer.get(dossier_id=dossier.id, state="pending")
    assert timer.element_id == "reminder"
    assert before + timedelta(minutes=4) < timer.due_at < before + timedelta(minutes=6)
    assert dossier.next_timer_at == timer.due_at


async def test_an_absurd_timer_duration_is_refused_at_publish(users: dict) -> None:
    await procedures.create_or_update("T.2", name="Timer test")
    with pytest.raises(ModelInvalid) as err:
        await procedures.publish("T.2", model("P999999999Y"))
    assert [(p.code, p.element_id) for p in err.value.problems] == [("timer_too_long", "reminder")]


async def test_timer_fires_through_the_engine_command_and_opens_the_escalation_task(users: dict) -> None:
    await procedures.create_or_update("T.3", name="Timer test")
    await procedures.publish("T.3", model("PT0.2S"))
    dossier = await dossiers.submit(rt(), "T.3", {}, now=datetime.now(UTC), user=users["citizen"])
    import asyncio

    await asyncio.sleep(0.4)
    from engine import timers

    assert await timers.fire_due(rt(), datetime.now(UTC)) == 1
    dossier = await Dossier.get(id=dossier.id)
    projected = await dossiers.stored_projections(rt(), dossier.code)
    assert [t["element_id"] for t in projected["tasks"]] == ["late"]
    assert projected == await dossiers.rebuild_projections(rt(), dossier.code)
    assert await timers.fire_due(rt(), datetime.now(UTC)) == 0  # fired exactly once
