"""web/designer/ has no import circle: the shared modules import none of the route modules."""

from __future__ import annotations

import ast
from pathlib import Path

WEB_DESIGNER = Path(__file__).resolve().parents[2] / "web" / "designer"
ROUTE_MODULES = {"pages", "forms", "simulate", "migrate", "lifecycle", "routes"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return found


def test_shared_designer_modules_import_no_route_module() -> None:
    for shared in ("common", "problems"):
        assert not {f"web.designer.{m}" for m in ROUTE_MODULES} & _imports(WEB_DESIGNER / f"{shared}.py"), shared


def test_only_routes_imports_the_route_modules() -> None:
    for name in ROUTE_MODULES - {"routes"}:
        imported = _imports(WEB_DESIGNER / f"{name}.py")
        assert not {f"web.designer.{m}" for m in ROUTE_MODULES - {name}} & imported, name


def test_modules_stay_small_and_say_their_job() -> None:
    for path in WEB_DESIGNER.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 400, path.name
        assert ast.get_docstring(ast.parse(text)), path.name
