"""Dossiers that need an administrator ("cần xử lý"): a rule of the published model failed at run time.

A `motcua:lifecycle` `when` rule that raises (a division by zero, a type error, a limit of the
restricted evaluator) must not answer 500 and must not let the task complete without the legal step
it decides: the completion is refused (WorkflowFailed, 422, nothing of the step is written), and the
dossier is flagged in its own one-transaction command with the element id and the error kind only
(no values: they may be personal data). The flag shows on the staff dossier page and in the admins'
list (/quan-tri/can-xu-ly); the next successful completion on the dossier clears it. A workflow that
stopped on an error (status "failed", `dossier.error` = element id + kind) is listed there too, and so
is a task whose stored form the server cannot evaluate (e.g. a FEEL rule over the limits, in a version
published before them): that completion is refused as before (422 naming the form) and flagged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine import events as ev
from engine import sql
from engine.dossiers.store import Change, Loaded, commit
from engine.errors import WorkflowFailed
from engine.workflow import runner

if TYPE_CHECKING:
    from engine.runtime import Runtime

MAX_LISTED = 500


class RuleFailed(Exception):
    """A model rule could not be evaluated: where, and the kind of error (its class name)."""

    def __init__(self, element_id: str, kind: str, source: str = "lifecycle_rule") -> None:
        super().__init__(f"rule of {element_id} failed: {kind}")
        self.element_id, self.kind, self.source = element_id, kind, source


def error_kind(exc: BaseException) -> str:
    return type(exc).__name__[:60]


def holding_rules(rt: Runtime, info: dict[str, Any], element_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The element's motcua:lifecycle rules whose `when` holds; a rule that raises → RuleFailed (kind only)."""
    out = []
    for rule in info.get("lifecycle", []):
        try:
            if not rule.get("when") or runner.holds(rule["when"], data, engine=rt.script_engine):
                out.append(rule)
        except Exception as exc:  # whatever an admin's rule raises: the kind is kept, the values stay out
            raise RuleFailed(element_id, error_kind(exc)) from None
    return out


async def flag_and_refuse(rt: Runtime, loaded: Loaded, failed: RuleFailed, actor: str, now: datetime) -> None:
    """Record the flag (one transaction), then refuse the command that hit the failing rule."""
    await flag(rt, loaded, failed, actor, now)
    raise WorkflowFailed("A rule of this step cannot be evaluated; an administrator must correct the procedure",
                         element_id=failed.element_id, kind=failed.kind, rule="rule_failed")


async def flag(rt: Runtime, loaded: Loaded, failed: RuleFailed, actor: str, now: datetime) -> None:
    """Set the dossier's attention flag in its own transaction (not again when it already says the same)."""
    d = loaded.dossier
    flag = {"element_id": failed.element_id, "kind": failed.kind, "at": now.astimezone(UTC).isoformat(),
            "source": failed.source}
    if (d.attention or {}).get("element_id") != failed.element_id or (d.attention or {}).get("kind") != failed.kind:
        change = Change(columns={"attention": flag})
        change.event(ev.AttentionNeeded, d, d.revision + 1, now, actor, element_id=failed.element_id,
                     error_kind=failed.kind)
        await commit(rt, loaded, change, now)


def cleared(columns: dict[str, Any], loaded: Loaded) -> None:
    """A command that went through clears the flag (the rule evaluated this time)."""
    if loaded.dossier.attention is not None:
        columns["attention"] = None


async def listing(agency_codes: list[str] | None = None) -> list[dict[str, Any]]:
    """Dossiers flagged or stopped on an engine error, newest first: code, procedure, element id, kind."""
    rows = await sql.fetch(sql.db(), (
        "SELECT d.code, d.status, d.attention, d.error, d.updated_at, d.agency_code, p.code AS procedure_code, "
        "p.name AS procedure_name FROM dossier d JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        "JOIN procedure p ON p.id = pv.procedure_id WHERE d.attention IS NOT NULL OR d.status = 'failed' "
        "ORDER BY d.updated_at DESC, d.id DESC LIMIT ?"), [MAX_LISTED])
    out = []
    for row in rows:
        if agency_codes is not None and row["agency_code"] not in agency_codes:
            continue
        attention, error = sql.unjson(row["attention"]), sql.unjson(row["error"])
        where = attention or error or {}
        out.append({"code": row["code"], "procedure_code": row["procedure_code"],
                    "procedure_name": row["procedure_name"], "updated_at": sql.instant(row["updated_at"]),
                    "element_id": str(where.get("element_id") or ""),
                    "kind": str(where.get("kind") or where.get("type") or where.get("code") or "error"),
                    "source": str(attention.get("source") or "lifecycle_rule") if attention else "workflow"})
    return out
