"""The forms package's one exception tree. Codes are stable; text stays out of them::

    FormsError            (forms_error)
    ├── FeelUnsupported   (feel_unsupported)   FEEL outside the subset, or a syntax error
    └── SchemaInvalid     (schema_invalid)     build() refused a schema; .problems as check_schema gives
"""

from __future__ import annotations

from typing import Any


class FormsError(Exception):
    code = "forms_error"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class FeelUnsupported(FormsError):
    """The expression is not FEEL we can evaluate exactly like form-js (or not FEEL at all)."""

    code = "feel_unsupported"


class SchemaInvalid(FormsError):
    """The schema has problems the renderer cannot honour; ``problems`` lists them."""

    code = "schema_invalid"

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the form schema", count=len(problems))
        self.problems = problems
