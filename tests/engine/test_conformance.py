"""BPMN conformance: every case of ../shared/conformance/expectations.json through Motcua's engine.

Each case publishes a third-party model (PublishPolicy(require_lanes=False): no lanes/roles),
submits a dossier with the case's initial data, applies its steps through engine.dossiers and
checks the outcome against what Motcua stored (tests/engine/conformance_runner.py).

A case Motcua cannot run yet is listed in KNOWN_GAPS with the reason and marked
xfail(strict=True): the suite fails as soon as it starts passing, so the list stays honest.

    cd /work/main && /work/venv/bin/python -m pytest tests/engine/test_conformance.py -q
    MOTCUA_CONFORMANCE=/path/to/expectations.json  # another copy of the corpus
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine import procedures
from engine.errors import ModelInvalid
from engine.settings import Settings
from tests.conftest import SHARED, shared_path
from tests.engine.conformance_runner import POLICY, load_cases, run_case

ENV = "MOTCUA_CONFORMANCE"
DEFAULT = ("conformance", "expectations.json")

#: case id -> why Motcua cannot run it yet (each is an xfail(strict=True))
KNOWN_GAPS: dict[str, str] = {}


def _configured_path() -> Path:
    return Path(os.environ[ENV]) if os.environ.get(ENV) else SHARED.joinpath(*DEFAULT)


def expectations_path() -> Path:
    """The expectations file: $MOTCUA_CONFORMANCE must exist; the default skips (fails under CI) when absent."""
    if os.environ.get(ENV):
        path = Path(os.environ[ENV])
        if not path.is_file():
            pytest.fail(f"{ENV}={path} does not exist")
        return path
    return shared_path(*DEFAULT)


def _params() -> list[Any]:
    path = _configured_path()
    if not path.is_file():  # collected anyway, so that the run skips or fails visibly
        return [pytest.param(None, id="expectations-missing")]
    params = []
    for case in load_cases(path):
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[case["id"]])] if case["id"] in KNOWN_GAPS else []
        params.append(pytest.param(case["id"], id=case["id"], marks=marks))
    return params


@pytest.mark.parametrize("case_id", _params())
async def test_case(case_id: str | None, sqlite_db: Settings) -> None:
    path = expectations_path()
    cases = {c["id"]: c for c in load_cases(path)}
    if case_id is None:
        pytest.fail(f"{path} appeared after collection; run again")
    await run_case(cases[case_id], path.parent)


def test_known_gaps_name_real_cases() -> None:
    ids = {c["id"] for c in load_cases(expectations_path())}
    assert set(KNOWN_GAPS) <= ids, f"KNOWN_GAPS names unknown cases: {set(KNOWN_GAPS) - ids}"


# ---------------------------------------------------------------- models that must be refused
def _arena(pattern: str) -> Path:
    root = expectations_path().parent / "spiff-arena"
    found = sorted(root.glob(f"**/{pattern}"))
    assert len(found) == 1, f"expected one {pattern} under {root}, found {found}"
    return found[0]


async def _refusal(xml: bytes, code: str = "conf-refused") -> ModelInvalid:
    await procedures.create_or_update(code, name="Refused model")
    with pytest.raises(ModelInvalid) as info:
        await procedures.publish(code, xml, policy=POLICY)
    return info.value


def _text(exc: ModelInvalid) -> str:
    return json.dumps([p.as_dict() for p in exc.problems], ensure_ascii=False) + str(exc)


@pytest.mark.parametrize("name, element_id", [("read_env.bpmn", "import_os"),
                                              ("read_etc_passwd.bpmn", "read_etc_passwd")])
async def test_dangerous_scripts_are_refused_at_publish(sqlite_db: Settings, name: str, element_id: str) -> None:
    exc = await _refusal(_arena(f"dangerous-scripts/{name}").read_bytes())
    refused = [p for p in exc.problems if p.code == "expression_refused"]
    assert refused, exc.problems
    assert {p.element_id for p in refused} == {element_id}


async def test_xml_external_entity_is_refused_without_being_resolved(sqlite_db: Settings, tmp_path: Path) -> None:
    original = _arena("xml_with_entity/invoice.bpmn").read_text(encoding="utf-8")
    secret = tmp_path / "secret.txt"
    marker = "MOTCUA-XXE-MARKER-7f3a"
    secret.write_text(marker, encoding="utf-8")
    # the corpus file carries a {{FULL_PATH_TO_FILE}} placeholder, as spiff-arena's own test fills it in
    pointed = original.replace("{{FULL_PATH_TO_FILE}}", str(secret))
    assert pointed != original
    for xml in (original, pointed):
        exc = await _refusal(xml.encode())
        assert exc.problems and marker not in _text(exc)
    # the same entity inside a real BPMN document: refused for its DTD, never expanded
    bpmn = pointed.replace("<userInfo>", '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
                                         ' id="d"><bpmn:process id="p" isExecutable="true"><bpmn:documentation>'
                           ).replace("</userInfo>", "</bpmn:documentation></bpmn:process></bpmn:definitions>")
    exc = await _refusal(bpmn.encode(), code="conf-refused-2")
    assert [p.code for p in exc.problems] == ["xml_dtd"]
    assert marker not in _text(exc)


async def test_non_executable_process_is_refused_with_a_clear_message(sqlite_db: Settings) -> None:
    exc = await _refusal(_arena("non_executable/non_executable.bpmn").read_bytes())
    assert [p.code for p in exc.problems] == ["executable_count"]
    assert "executable process" in exc.problems[0].message and "none" in exc.problems[0].message
