"""The managers' dossier search: every dossier by code prefix, applicant name (accents and case
ignored), procedure, status, dates and lateness, newest first, 50 at a time with a keyset cursor.

    search(filters, now, agencies=…, cursor=…)  one page (SearchPage.next_cursor: the following one)
    export(filters, now, agencies=…)            every matching row, page after page (the CSV)

`agencies` scopes the caller: None = every agency, else only dossiers placed in one of them
(`dossier.agency_code`, engine/agencies.visible_agencies). Index-backed: the order is the
`dossier(created_at, id)` index, a status, procedure or acceptance filter has its own index; on
PostgreSQL the code prefix uses a `text_pattern_ops` index and the name a trigram index
(migration 0013_search). The cursor is the last row's (created_at, id), so pages never skip or repeat a
row when new dossiers arrive.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine import sql
from engine.catalogue import fold
from engine.errors import InvalidData
from engine.lifecycle import Status
from engine.workdays import LOCAL_TZ

PAGE = 50
ZONE = ZoneInfo(LOCAL_TZ)
#: the clock runs (accepted, in process): past the due = overdue now
RUNNING = (Status.ACCEPTED.value, Status.IN_PROCESS.value)


@dataclass(frozen=True)
class SearchFilters:
    code: str = ""  # prefix of the dossier code
    name: str = ""  # part of the applicant's name, with or without diacritics
    procedure: str = ""  # procedure code
    status: int | None = None  # national status code 1-10
    received_from: date | None = None  # local dates (Asia/Ho_Chi_Minh), both ends included
    received_to: date | None = None
    accepted_from: date | None = None
    accepted_to: date | None = None
    overdue: bool = False  # due passed and not finished, or finished late


@dataclass(frozen=True)
class SearchRow:
    id: int
    code: str
    procedure_code: str
    procedure_name: str
    agency: str
    applicant_name: str
    lifecycle_status: int
    channel: str
    received_at: datetime
    accepted_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None  # the result issued (status 9, 10), else the end of a closed dossier
    overdue: bool


@dataclass(frozen=True)
class SearchPage:
    rows: list[SearchRow]
    next_cursor: str | None


def _cursor(at: datetime, dossier_id: int) -> str:
    return base64.urlsafe_b64encode(f"k{at.isoformat()}|{dossier_id}".encode()).decode().rstrip("=")


def _key(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("k"):
            raise ValueError(text)
        at, dossier_id = text[1:].rsplit("|", 1)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None:
            raise ValueError(at)
        return sql.utc(moment) or moment, int(dossier_id)
    except (ValueError, UnicodeDecodeError):
        raise InvalidData("Invalid cursor", fields={"cursor": ["as returned by the previous page"]}) from None


def _start(day: date) -> datetime:
    """The first instant of a local day, in UTC."""
    return datetime.combine(day, time(0), ZONE).astimezone(UTC)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(f: SearchFilters, now: datetime, agencies: Collection[str] | None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if f.code.strip():
        where.append("d.code LIKE ? ESCAPE '\\'")
        params.append(_like(f.code.strip().upper()) + "%")
    name = fold(f.name)
    if name:
        where.append("d.applicant_name_folded LIKE ? ESCAPE '\\'")
        params.append("%" + _like(name) + "%")
    if f.procedure:
        where.append("p.code = ?")
        params.append(f.procedure)
    if f.status is not None:
        where.append("d.lifecycle_status = ?")
        params.append(f.status)
    for column, start, end in (("d.created_at", f.received_from, f.received_to),
                               ("d.accepted_at", f.accepted_from, f.accepted_to)):
        if start is not None:
            where.append(f"{column} >= ?")
            params.append(_start(start))
        if end is not None:
            where.append(f"{column} < ?")
            params.append(_start(end + timedelta(days=1)))
    if f.overdue:
        where.append("(d.late_flag OR d.result_at > d.due_adjusted_at "
                     f"OR (d.lifecycle_status IN ({', '.join(map(str, RUNNING))}) AND d.due_adjusted_at < ?))")
        params.append(sql.utc(now))
    if agencies is not None:
        where.append("d.agency_code IN (" + ", ".join("?" for _ in agencies) + ")")
        params.extend(agencies)
    return where, params


def _row(r: dict[str, Any], now: datetime) -> SearchRow:
    due = sql.instant(r["due_adjusted_at"])
    result = sql.instant(r["result_at"])
    finished = result or (sql.instant(r["completed_at"]) if r["lifecycle_status"] in (3, 7, 8) else None)
    late = bool(r["late_flag"]) or (due is not None and (
        (result is not None and result > due) or (r["lifecycle_status"] in RUNNING and due < now)))
    received = sql.instant(r["created_at"])
    assert received is not None
    return SearchRow(r["id"], r["code"], r["procedure_code"], r["procedure_name"], r["agency"], r["applicant_name"],
                     r["lifecycle_status"], r["channel"], received, sql.instant(r["accepted_at"]), due, finished, late)


async def search(filters: SearchFilters, now: datetime, *, agencies: Collection[str] | None = None,
                 limit: int = PAGE, cursor: str | None = None) -> SearchPage:
    """One page of the dossiers matching every filter, newest received first."""
    if not 1 <= limit <= 1000:
        raise InvalidData("Invalid limit", fields={"limit": ["1 to 1000"]})
    if agencies is not None and not agencies:
        return SearchPage([], None)
    where, params = _where(filters, now, agencies)
    if cursor:
        at, dossier_id = _key(cursor)
        where.append("(d.created_at, d.id) < (?, ?)")
        params += [at, dossier_id]
    found = await sql.fetch(sql.db(), (
        "SELECT d.id, d.code, d.applicant_name, d.lifecycle_status, d.channel, d.created_at, d.accepted_at, "
        "d.due_adjusted_at, d.result_at, d.completed_at, d.late_flag, p.code AS procedure_code, "
        "p.name AS procedure_name, p.agency FROM dossier d "
        "JOIN procedure_version pv ON pv.id = d.procedure_version_id JOIN procedure p ON p.id = pv.procedure_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY d.created_at DESC, d.id DESC LIMIT ?"), [*params, limit + 1])
    rows = [_row(r, now) for r in found[:limit]]
    more = len(found) > limit
    return SearchPage(rows, _cursor(rows[-1].received_at, rows[-1].id) if more and rows else None)


async def export(filters: SearchFilters, now: datetime, *, agencies: Collection[str] | None = None,
                 batch: int = 500) -> AsyncIterator[SearchRow]:
    """Every matching row, newest first, fetched `batch` at a time (the same keyset as the pages)."""
    cursor: str | None = None
    while True:
        page = await search(filters, now, agencies=agencies, limit=batch, cursor=cursor)
        for row in page.rows:
            yield row
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
