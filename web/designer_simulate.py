"""The designer's simulation page: placeholder until designer/simulate.py lands."""

from __future__ import annotations

from starlette.routing import BaseRoute


def routes() -> list[BaseRoute]:
    return []
