"""The citizen form funnel of a procedure (issue 12): applications started, submitted, abandoned, the
rules that fail most, and the time from start to submission. Counts only, no personal data.

An attempt (`FormAttempt`) starts at a citizen's first post of the procedure's online form (saving a
draft, a refused submission, or a submission at once) and is resumed by their later posts while its
draft may still be resumed (`drafts.KEEP_FOR`); the submission closes it. A closed or stale attempt
drops its link to the citizen (``user_id`` NULL): only open attempts know whose they are. Every server-side validation
failure of a submission records, in the same transaction as the attempt's activity, one `FormFailure`
row per failed (field key, rule): the key without row indexes, the rule's code, never the value.

The funnel counts the attempts STARTED in the period (a cohort): submitted (at any time since),
abandoned (not submitted, no activity for ``abandon_after``), still in progress (the rest); the
median is the wall-clock time from start to submission (citizens apply at any hour). The failures
are those that happened in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine import sql
from engine.drafts import KEEP_FOR
from engine.reports import Period
from engine.step_insight import median

ABANDON_AFTER = timedelta(days=7)
TOP_FAILURES = 20


async def record(user_id: int, procedure_code: str, now: datetime, *,
                 failures: Iterable[tuple[str, str]] = (), submitted: bool = False) -> int:
    """One post of the form: start or resume the citizen's attempt, note the activity (and the
    submission), and keep each failed (field key, rule) of a refused post. One transaction; the id."""
    at = sql.utc(now)
    kept = sorted({(key[:200], rule[:40]) for key, rule in failures})

    async def body(tx: sql.Tx) -> int:
        stale = sql.utc(now - KEEP_FOR)
        # an attempt no draft can resume any more keeps its counts, not its link to the citizen
        await tx.execute("UPDATE form_attempt SET user_id = NULL WHERE user_id = ? AND procedure_code = ? "
                         "AND last_activity_at < ?", [user_id, procedure_code, stale])
        found = await tx.fetch_one(
            "SELECT id FROM form_attempt WHERE user_id = ? AND procedure_code = ? AND submitted_at IS NULL "
            "ORDER BY id DESC LIMIT 1", [user_id, procedure_code])
        if found is None:
            await tx.execute("INSERT INTO form_attempt (user_id, procedure_code, started_at, last_activity_at) "
                             "VALUES (?, ?, ?, ?)", [user_id, procedure_code, at, at])
            found = await tx.fetch_one("SELECT MAX(id) AS id FROM form_attempt WHERE user_id = ? AND "
                                       "procedure_code = ?", [user_id, procedure_code])
            assert found is not None
        attempt = int(found["id"])
        # a submitted attempt is closed: it keeps its counts, not its link to the citizen
        await tx.execute("UPDATE form_attempt SET last_activity_at = ?, submitted_at = ?, user_id = ? WHERE id = ?",
                         [at, at if submitted else None, None if submitted else user_id, attempt])
        await tx.insert_many("form_failure", [{"attempt_id": attempt, "procedure_code": procedure_code,
                                               "field_key": key, "rule": rule, "at": at} for key, rule in kept])
        return attempt

    return await sql.transaction(body)


@dataclass(frozen=True)
class FailureCount:
    field_key: str
    rule: str
    count: int  # refused posts where this rule of this field failed
    attempts: int  # distinct applications it happened to


@dataclass(frozen=True)
class Funnel:
    started: int
    submitted: int
    abandoned: int
    in_progress: int
    median_to_submit: timedelta | None
    failures: tuple[FailureCount, ...]


def compute(attempts: Iterable[dict[str, Any]], failures: Iterable[dict[str, Any]], now: datetime,
            abandon_after: timedelta = ABANDON_AFTER) -> Funnel:
    started = submitted = abandoned = 0
    to_submit: list[timedelta] = []
    for a in attempts:
        started += 1
        start, done = sql.instant(a["started_at"]), sql.instant(a["submitted_at"])
        last = sql.instant(a["last_activity_at"])
        assert start is not None and last is not None
        if done is not None:
            submitted += 1
            to_submit.append(done - start)
        elif now - last >= abandon_after:
            abandoned += 1
    return Funnel(started, submitted, abandoned, started - submitted - abandoned, median(to_submit),
                  tuple(FailureCount(f["field_key"], f["rule"], int(f["n"]), int(f["attempts"])) for f in failures))


async def funnel(procedure_code: str, period: Period, now: datetime, *, timezone: str,
                 abandon_after: timedelta = ABANDON_AFTER) -> Funnel:
    lower, upper = period.bounds(timezone)
    attempts = await sql.fetch(sql.db(), (
        "SELECT started_at, last_activity_at, submitted_at FROM form_attempt WHERE procedure_code = ? "
        "AND started_at >= ? AND started_at < ?"), [procedure_code, lower, upper])
    failures = await sql.fetch(sql.db(), (
        "SELECT field_key, rule, COUNT(*) AS n, COUNT(DISTINCT attempt_id) AS attempts FROM form_failure "
        "WHERE procedure_code = ? AND at >= ? AND at < ? GROUP BY field_key, rule "
        f"ORDER BY n DESC, field_key, rule LIMIT {TOP_FAILURES}"), [procedure_code, lower, upper])
    return compute(attempts, failures, now, abandon_after)
