"""The designer's routes, relative to its /designer mount."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.designer import forms, lifecycle, metadata, migrate, pages, simulate


def routes() -> list[BaseRoute]:
    return [
        Route("/", pages.index),
        Route("/", pages.create, methods=["POST"]),
        Route("/{code}", pages.procedure_page),
        Route("/{code}/duplicate", pages.duplicate, methods=["POST"]),
        Route("/{code}/draft", pages.save_draft, methods=["POST"]),
        Route("/{code}/check", pages.check, methods=["POST"]),
        Route("/{code}/publish", pages.publish, methods=["POST"]),
        Route("/{code}/export.bpmn", pages.export),
        Route("/{code}/import", pages.import_model, methods=["POST"]),
        Route("/{code}/diff", pages.diff_page),
        Route("/{code}/metadata", metadata.page),
        Route("/{code}/metadata", metadata.save, methods=["POST"]),
        Route("/{code}/forms", forms.add, methods=["POST"]),
        Route("/{code}/forms/{ref}", forms.editor),
        Route("/{code}/forms/{ref}", forms.save, methods=["POST"]),
        Route("/{code}/forms/{ref}/delete", forms.delete, methods=["POST"]),
        Route("/{code}/forms/{ref}/preview", forms.preview, methods=["GET", "POST"]),
        Route("/{code}/simulate", simulate.page, methods=["GET", "POST"]),
        Route("/{code}/lifecycle", lifecycle.page, methods=["GET", "POST"]),
        Route("/{code}/migrate", migrate.migrate, methods=["POST"]),
    ]
