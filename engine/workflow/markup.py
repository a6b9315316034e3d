"""Markup a model must not carry: it is served back to staff browsers and to bpmn-js.

- elements of another namespace inside `bpmn:documentation` (an XHTML `<script>` there is stored XSS
  the day a browser renders the file); documentation is plain text;
- XInclude elements anywhere (they would pull other files into the model when processed);
- processing instructions anywhere (`<?xml-stylesheet ...?>` makes a browser run a stylesheet).
"""

from __future__ import annotations

from lxml import etree

from engine.errors import Problem
from engine.workflow.extensions import NSMAP

XINCLUDE_NS = "http://www.w3.org/2001/XInclude"


def _owner_id(node: etree._Element) -> str | None:
    for each in (node, *node.iterancestors()):
        if isinstance(each.tag, str) and each.get("id"):
            return each.get("id")
    return None


def markup_problems(root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    for doc in root.iterfind(".//bpmn:documentation", NSMAP):
        for child in doc.iterchildren():
            if isinstance(child.tag, str):
                problems.append(Problem(
                    f"Documentation must be plain text: element <{etree.QName(child).localname}> is not allowed",
                    element_id=_owner_id(doc), line=child.sourceline, code="markup_in_documentation"))
    for node in root.iter():
        if isinstance(node.tag, str) and etree.QName(node).namespace == XINCLUDE_NS:
            problems.append(Problem("XInclude is not allowed in a model", element_id=_owner_id(node),
                                    line=node.sourceline, code="xinclude"))
    siblings = [*root.itersiblings(preceding=True), *root.itersiblings()]
    for pi in [*siblings, *root.iter(etree.PI)]:
        if isinstance(pi, etree._ProcessingInstruction):
            problems.append(Problem(f"Processing instructions are not allowed in a model (<?{pi.target} ...?>)",
                                    line=pi.sourceline, code="processing_instruction"))
    return problems
