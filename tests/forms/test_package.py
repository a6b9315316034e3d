"""forms/ is a leaf package: schema -> WTForms -> Jinja2 macros, no engine, web or designer."""

from __future__ import annotations

import ast
from pathlib import Path

FORMS = Path(__file__).resolve().parents[2] / "forms"


def test_forms_imports_nothing_from_engine_web_or_designer() -> None:
    offenders = []
    for path in FORMS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("engine", "web", "designer")]
    assert offenders == []


def test_modules_stay_small_and_say_their_job() -> None:
    for path in FORMS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 400, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
        assert "from __future__ import annotations" in text, path.name


def test_the_stylesheet_is_small_and_ships_with_the_templates() -> None:
    assert (FORMS / "static" / "forms" / "forms.css").stat().st_size < 8_000
    assert (FORMS / "templates" / "forms" / "_macros.html").exists()
