"""Stored XSS through the model (issue 10, high): a model is served as a sandboxed download, and
publish refuses markup in documentation, XInclude and processing instructions."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from engine.errors import ModelInvalid
from engine.workflow.parser import parse_model
from tests.factories import PROCEDURES, accepted_household, page_login

XHTML_DOC = """<bpmn:documentation><html:script xmlns:html="http://www.w3.org/1999/xhtml">
alert(document.cookie)</html:script></bpmn:documentation>"""


def _model(inject_in_task: str = "", before_root: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{before_root}
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="t" name="T">{inject_in_task}<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def _codes(xml: bytes) -> dict[str, str | None]:
    with pytest.raises(ModelInvalid) as info:
        parse_model(xml)
    return {p.code: p.element_id for p in info.value.problems}


def test_script_in_documentation_is_refused_naming_the_element() -> None:
    assert _codes(_model(XHTML_DOC)).get("markup_in_documentation") == "t"


def test_xinclude_and_processing_instructions_are_refused() -> None:
    xinclude = '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'
    assert "xinclude" in _codes(_model(f"<bpmn:documentation>{xinclude}</bpmn:documentation>"))
    assert "processing_instruction" in _codes(_model(before_root='<?xml-stylesheet href="x.xsl"?>'))
    assert "processing_instruction" in _codes(_model("<?php echo 1 ?>"))


def test_plain_documentation_still_publishes() -> None:
    text = "<bpmn:documentation>Kiểm tra &lt;đủ&gt; thành phần hồ sơ</bpmn:documentation>"
    from engine.workflow.parser import DEFAULT_POLICY, PublishPolicy

    relaxed = PublishPolicy(**{**DEFAULT_POLICY.__dict__, "require_lanes": False})
    assert parse_model(_model(text), policy=relaxed).process_id == "p"


def test_shipped_models_have_no_forbidden_markup() -> None:
    from engine.workflow.markup import markup_problems
    from engine.workflow.parser import read_xml

    for path in PROCEDURES.glob("*/*.bpmn"):
        assert markup_problems(read_xml(path.read_bytes())) == [], path


async def test_staff_diagram_is_a_sandboxed_download(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    await page_login(client, "officer")
    r = await client.get(f"/can-bo/ho-so/{dossier.code}/so-do.bpmn")
    assert r.status_code == 200 and r.text.lstrip().startswith("<?xml")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].startswith("sandbox")  # the route's own CSP is kept
    assert "xml" not in r.headers["content-type"] and "html" not in r.headers["content-type"]
