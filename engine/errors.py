"""The engine's one exception tree. Each error has a stable ``code`` and ``params``; text is
translated by the web layer, which maps the tree to HTTP once (web/errors.py)::

    MotcuaError
    ├── NotFound            (not_found)
    ├── PermissionDenied    (forbidden)
    ├── AuthenticationFailed(unauthenticated)
    ├── Conflict            (conflict)          someone else changed the dossier first
    ├── InvalidData         (invalid_data)      form data refused; params["fields"] = {key: [messages]}
    ├── ModelInvalid        (model_invalid)     publish refused; .problems = [Problem, ...]
    └── WorkflowFailed      (workflow_error)    the BPMN engine raised while running a step
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded model: where (element id / line / form component) and what."""

    message: str
    element_id: str | None = None
    line: int | None = None
    code: str = "invalid"
    form: str | None = None
    component: str | None = None
    params: dict[str, Any] | None = None  # what the words need besides the element (status, other element, field)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


class MotcuaError(Exception):
    code = "error"

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class NotFound(MotcuaError):
    code = "not_found"


class PermissionDenied(MotcuaError):
    code = "forbidden"


class AuthenticationFailed(MotcuaError):
    code = "unauthenticated"


class Conflict(MotcuaError):
    code = "conflict"


class TooManyAttempts(MotcuaError):
    """Throttled (sign-in, tracking): `retry_after` seconds until the caller may try again."""

    code = "too_many_attempts"


class InvalidData(MotcuaError):
    code = "invalid_data"


class StorageFull(MotcuaError):
    """The attachment store has no space left (ENOSPC/EDQUOT): nothing was kept, the caller may retry later."""

    code = "storage_full"


class WorkflowFailed(MotcuaError):
    code = "workflow_error"


class ModelInvalid(MotcuaError):
    code = "model_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the model", count=len(problems))
        self.problems = problems
