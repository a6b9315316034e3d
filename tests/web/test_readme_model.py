"""README's "Writing a model by hand" is true: its model and forms, exactly as printed, publish with
zero problems and carry a dossier from submission to the returned result."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine import dossiers, procedures
from engine.lifecycle import Status
from engine.models import Dossier, HumanTask
from forms import check_schema
from tests.factories import rt

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def readme_model() -> tuple[str, dict[str, Any]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Writing a model by hand", 1)[1].split("\n## ", 1)[0]
    (xml,) = re.findall(r"```xml\n(.*?)```", section, re.S)
    forms = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    return xml, {form["id"]: form for form in forms}


def test_readme_names_the_motcua_namespace() -> None:
    xml, forms = readme_model()
    assert 'xmlns:motcua="https://motcua.vn/schema/bpmn/1.0"' in xml
    assert set(forms) == {"application", "intake", "return_result"}


async def test_readme_model_publishes_and_runs_a_dossier_to_the_returned_result(users: dict) -> None:
    xml, forms = readme_model()
    await procedures.create_or_update("9.999001", name="Chứng thực bản sao từ bản chính", time_limit=1,
                                      time_unit="working_days")
    version = await procedures.publish("9.999001", xml.encode(), forms, check_form=check_schema)
    assert version.number == 1 and version.lanes  # published, no ModelInvalid
    dossier = await dossiers.submit(rt(), "9.999001", {"full_name": "Nguyễn Văn An", "phone": "0912345678"},
                                    now=NOW, user=users["citizen"])
    for element_id, data in [("intake", {"decision": "accept"}),
                             ("return_result", {"returned_via": "counter"})]:
        task = await HumanTask.get(dossier_id=dossier.id, state="ready")
        assert task.element_id == element_id and task.role == "one_stop"
        await dossiers.complete_task(rt(), task.id, data, users["officer"], NOW)
    done = await Dossier.get(id=dossier.id)
    assert done.lifecycle_status == Status.RETURNED
    assert not await HumanTask.filter(dossier_id=dossier.id, state="ready").exists()
