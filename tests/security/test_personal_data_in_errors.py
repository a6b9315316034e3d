"""Personal data never reaches logs or stored errors (issue 10): a failing expression's error keeps
the element id and the error kind, not the values it read; and every log record has ID numbers,
phone numbers and e-mail addresses masked as a second line of defence."""

from __future__ import annotations

import json
import logging

import pytest

from engine import redaction
from engine.workflow import runner
from engine.workflow.parser import DEFAULT_POLICY, PublishPolicy, parse_model
from tests.factories import rt

NAME, ID_NUMBER, PHONE, EMAIL = "Trần Thị Hoa", "001195012345", "0912345678", "hoa.tran@example.vn"
CANARIES = (NAME, ID_NUMBER, PHONE, EMAIL, "Trần")


def _script_model(script: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="work" name="Tính"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


@pytest.mark.parametrize("script", ["n = int(full_name + id_number)", "n = id_number + 1",
                                    "n = parse_date(full_name + phone)", "n = email[100]"])
async def test_failing_expression_stores_element_and_kind_only(sqlite_db: object, script: str,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    relaxed = PublishPolicy(**{**DEFAULT_POLICY.__dict__, "require_lanes": False})
    model = parse_model(_script_model(script), policy=relaxed)
    data = {"full_name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "email": EMAIL}
    with caplog.at_level(logging.DEBUG):
        result = runner.start(model.spec, model.subprocess_specs, data, engine=rt().script_engine)
    assert result.status == "error" and result.error is not None
    stored = json.dumps(result.error, ensure_ascii=False)
    assert result.error["element_id"] == "work" and result.error["kind"], stored
    assert not [c for c in CANARIES if c in stored], stored
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert not [c for c in CANARIES[1:] if c in logged], logged


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redaction.install()
    log = logging.getLogger("motcua.canary")
    with caplog.at_level(logging.INFO):
        log.warning("dossier of %s, id %s, phone %s, mail %s", NAME, ID_NUMBER, "+84 912 345 678", EMAIL)
        try:
            raise ValueError(f"bad value {ID_NUMBER} / {PHONE}")
        except ValueError:
            log.exception("failed")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "[id-number]" in text and "[phone]" in text and "[email]" in text
    assert not [c for c in (ID_NUMBER, PHONE, EMAIL, "912 345 678") if c in text], text
    assert "dossier 2026-0001 took 12 ms" == redaction.redact("dossier 2026-0001 took 12 ms")  # codes, counts stay
