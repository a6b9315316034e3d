"""Compatibility wrapper: ``validate(schema, data) -> {key path: [error codes]}`` (empty: valid).

web/api/dossiers.py uses it. New code calls ``forms.validate_data`` (clean data and messages) or
``forms.check_data`` (codes and params). Raises ``forms.SchemaInvalid`` for a schema that
``forms.check_schema`` refuses: such a schema must not have been published.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from forms.wtf import check_data


def validate(schema: dict[str, Any], data: dict[str, Any], today: date | None = None) -> dict[str, list[str]]:
    outcome = check_data(schema, data, today)
    return {key: [code for code, _params in problems] for key, problems in outcome.errors.items()}
