"""Every shipped form schema builds, renders, and accepts valid data by JSON and by form post."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forms import build, check_schema, render, validate_data
from forms.validation import validate
from tests.factories import APPLICATIONS, HAPPY_PATH, PROCEDURES
from tests.forms.factories import TODAY
from tests.forms.samples import posted, valid_data

SCHEMAS = sorted(PROCEDURES.glob("*/forms/*.form.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_there_are_shipped_schemas_to_check() -> None:
    assert len(SCHEMAS) >= 10


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: f"{p.parts[-3]}/{p.name}")
def test_shipped_schema_passes_check_builds_renders_and_validates_a_generated_sample(path: Path) -> None:
    schema = _load(path)
    assert check_schema(schema) == []
    spec = build(schema)
    assert 'class="mc-form"' in render(spec.bind(None, {}, today=TODAY))
    sample = valid_data(spec.tree)
    clean, errors = validate_data(schema, sample, today=TODAY)
    assert errors == {}
    bound = spec.bind(posted(spec.tree, sample), sample, today=TODAY)  # files: already uploaded references
    assert bound.validate(), bound.errors
    assert bound.data == clean                     # a form post and JSON give the same clean data
    assert 'class="mc-form"' in render(bound)


@pytest.mark.parametrize("slug", sorted(APPLICATIONS))
def test_the_journey_applications_validate_against_the_shipped_application_forms(slug: str) -> None:
    schema = _load(PROCEDURES / slug / "forms" / "application.form.json")
    assert validate(schema, APPLICATIONS[slug], TODAY) == {}


@pytest.mark.parametrize(("slug", "task", "data"), [(slug, task, data) for slug in sorted(APPLICATIONS)
                                                    for task, _, data in HAPPY_PATH])
def test_the_happy_path_task_data_validates_against_the_shipped_task_forms(slug: str, task: str,
                                                                          data: dict[str, Any]) -> None:
    assert validate(_load(PROCEDURES / slug / "forms" / f"{task}.form.json"), data, TODAY) == {}


def test_an_empty_application_lists_every_required_field_in_vietnamese() -> None:
    schema = _load(PROCEDURES / "birth-registration" / "forms" / "application.form.json")
    _, errors = validate_data(schema, {}, today=TODAY)
    assert errors["child_full_name"] == ["Nhập họ, chữ đệm và tên"]
    assert errors["mother.full_name"] == ["Nhập họ, chữ đệm và tên"]
    assert errors["child_sex"] == ["Chọn giới tính"]
    assert "father.full_name" not in errors
