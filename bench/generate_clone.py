"""How bench/generate.py clones its seed dossiers: the templates, the spread, and the Python path (SQLite).

A template is a seed's row with what varies per clone marked: every instant (columns of type
timestamp, and ISO instants inside JSON values) is moved, the seed's task ids (@ID<k>@), its code
(@CODE@), the submitted event's channel and submitter kind (@CH@, @SK@) and a rating's score
("@SCORE@") are replaced. Times move with the clone's submit (`sub`): a deadline (`DEADLINE_COLUMNS`,
`DEADLINE_KEYS`) by the whole shift, an activity instant stretched (sub + (t - seed submit) × stretch,
to the second), so a stretch of 2.5 finishes late and 0.2 early. The reporting projections
(report_dossier, report_task) are cloned from the seeds' own (the reports subscriber made them), then
the calendar columns are judged again for each clone with `report_facts.judge` (what a rebuild does).
PostgreSQL runs the same templates on the server (bench/generate_sql.py); SQLite fills them in Python
(bench/generate_sqlite.py).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from bench.generate_db import Target
from engine import report_facts, sql
from engine.workdays import Calendar

#: tables cloned per dossier, parents first; report_dossier is written after its calendar pass
TABLES = (
    "dossier",
    "human_task",
    "audit_event",
    "timer",
    "outbox",
    "attachment",
    "dossier_pause",
    "dossier_result",
    "rating",
    "report_task",
    "report_dossier",
)
OWN_IDS = ("dossier", "human_task")  # tables whose id is not a sequence's (the clone's id, a task id)
DEADLINE_COLUMNS = frozenset({"due_original_at", "due_adjusted_at", "due_at", "next_timer_at", "kpi_due_at"})
DEADLINE_KEYS = frozenset({"due_at", "new_due_at", "due_original_at", "due_adjusted_at"})
MARKER = re.compile(r'"@SCORE@"|@[A-Z]+\d*@')  # the score is a number: its quotes go too
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)")
#: clone-specific columns of the dossier (the rest comes from the seed)
DOSSIER_OWN = (
    "code",
    "idempotency_key",
    "channel",
    "submitter_kind",
    "submitted_by_id",
    "reception_point",
    "applicant_name",
    "applicant_name_folded",
    "applicant_phone",
    "applicant_id_hash",
    "agency_code",
)
# ---- the spread
YEARS = 4
AGENCIES = (
    ("000.00.00.H26", 36),
    ("000.00.01.H26", 28),
    ("000.00.02.H26", 18),
    ("000.00.10.H29", 11),
    ("000.00.31.H29", 7),
)
PROCEDURE_SHARE = {"birth-registration": 0.6, "household-business": 0.4}
CHANNELS = (("online", 55), ("counter", 40), ("post", 5))
KINDS_OFFLINE = (("citizen", 50), ("proxy", 30), ("officer_assisted", 20))  # online: always the citizen
RECEPTION_POINTS = (
    "Bộ phận một cửa UBND phường Ba Đình",
    "Bộ phận một cửa UBND phường Cầu Giấy",
    "Trung tâm phục vụ hành chính công tỉnh",
)
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Thị Lan", "Văn Nam", "Ngọc Mai")
NAMES = tuple(f"{f} {g}" for f in FAMILY for g in GIVEN)
SCORES = ((5, 50), (4, 30), (3, 12), (2, 5), (1, 3))
STRETCH = (0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.2, 2.5)  # closed dossiers; open ones keep the seed's pace
ATTACHMENTS = ((0, 40), (1, 30), (2, 20), (3, 10))  # extra files per dossier (rows only: no event)
OPEN_DAYS = 20  # open dossiers were submitted in the last OPEN_DAYS days; closed ones 30 days to YEARS ago


@dataclass
class Template:
    """The rows of one table for every seed, marked; `kinds`: column -> ts | tpl | plain."""

    table: str
    columns: list[str]
    kinds: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)  # + seed_id, times, deadline
    markers: dict[str, set[str]] = field(default_factory=dict)  # templated column -> markers used


@dataclass
class Seed:
    dossier_id: int
    procedure: str
    scenario: str
    weight: float  # share of the clones, all seeds summing to 1
    open: bool
    at: datetime  # submitted
    span: timedelta  # submit to its last event
    task_ids: list[str]
    code: str


# ------------------------------------------------------------------ templates
def _walk(value: Any, key: str, mark: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _walk(v, k, mark) for k, v in value.items()}
        if "channel" in out and "submitter_kind" in out:  # the submitted event
            out.update(channel="@CH@", submitter_kind="@SK@")
        if "score" in out and out.get("kind", "rated") == "rated":
            out["score"] = "@SCORE@"
        return out
    if isinstance(value, list):
        return [_walk(v, key, mark) for v in value]
    if isinstance(value, str) and ISO.fullmatch(value):
        return mark(value, key in DEADLINE_KEYS)
    return value


def template_row(seed: Seed, raw: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """`raw` with its varying parts marked; + seed_id, times (the instants) and deadline (flags)."""
    times: list[datetime] = []
    deadline: list[bool] = []
    index: dict[tuple[str, bool], int] = {}

    def mark(text: str, is_deadline: bool) -> str:
        if (text, is_deadline) not in index:
            index[text, is_deadline] = len(times)
            times.append(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC))
            deadline.append(is_deadline)
        return f"@T{index[text, is_deadline]}@"

    row: dict[str, Any] = {}
    for column, kind in kinds.items():
        value = raw[column]
        if kind == "ts":
            value = sql.instant(value)
        elif kind == "json" and value is not None and column != "data_diff":
            value = json.dumps(
                _walk(json.loads(value) if isinstance(value, str) else value, "", mark),
                ensure_ascii=False,
                separators=(",", ":"),
            )  # as sql.jsonb writes it
        if isinstance(value, str) and kind in ("json", "text"):
            for k, old in enumerate(seed.task_ids):
                value = value.replace(old, f"@ID{k}@")
            value = value.replace(seed.code, "@CODE@")
        row[column] = value
    return {**row, "seed_id": seed.dossier_id, "times": times, "deadline": deadline}


async def templates(target: Target, seeds: list[Seed]) -> dict[str, Template]:
    out: dict[str, Template] = {}
    ids = [s.dossier_id for s in seeds]
    marks = ", ".join(f"${i + 1}" for i in range(len(ids)))
    for table in TABLES:
        kinds = await target.kinds(table)
        key = "id" if table == "dossier" else "dossier_id"
        order = "task_id" if table == "report_task" else "dossier_id" if table == "report_dossier" else "id"
        found = await target.fetch(f"SELECT * FROM {table} WHERE {key} IN ({marks}) ORDER BY {order}", *ids)
        by_id = {s.dossier_id: s for s in seeds}
        t = Template(table, list(kinds), kinds)
        t.rows = [template_row(by_id[r[key]], r, kinds) for r in found]
        for column, kind in kinds.items():
            if kind in ("json", "text"):
                used = {m for r in t.rows if isinstance(r[column], str) for m in MARKER.findall(r[column])}
                if used:
                    t.markers[column] = used
                    t.kinds[column] = "tpl"
        out[table] = t
    return out


# ------------------------------------------------------------------ the calendar columns
class CachedCalendar(Calendar):
    """The runtime's calendar with its per-day answers memoised (a bulk judges a million dossiers)."""

    @cache  # noqa: B019 - one instance per load, kept on purpose
    def sessions_on(self, day: Any) -> list[tuple[datetime, datetime]]:
        return Calendar.sessions_on(self, day)

    @cache  # noqa: B019
    def is_working_day(self, day: Any) -> bool:
        return Calendar.is_working_day(self, day)


def cached(calendar: Calendar) -> Calendar:
    return CachedCalendar(**{f.name: getattr(calendar, f.name) for f in dataclasses.fields(calendar) if f.init})


#: the facts columns judged per clone with the calendar (the rest is the seed's, moved in time)
JUDGED = ("kpi_due_at", "kpi_late", "work_units", "paused_hours", "first_due_at", "late_anyway", "paused_from",
          "paused_until", "span_s")


def judge(row: dict[str, Any], calendar: Calendar) -> dict[str, Any]:
    """The calendar columns (`JUDGED`) of a cloned facts row, as a rebuild folds them."""
    facts: dict[str, Any] = {c: sql.instant(row[c]) for c in ("accepted_at", "ended_at")}
    facts.update(
        pauses=sql.unjson(row["pauses"]) or [],
        time_limit=Decimal(str(row["time_limit"])),
        time_unit=row["time_unit"],
        late_flag=bool(row["late_flag"]),
        supplement_requests=int(row["supplement_requests"]),
    )
    report_facts.judge(facts, calendar)
    paused = Decimal(0)
    for pause in facts["pauses"]:
        start, end = sql.instant(pause.get("start_at")), sql.instant(pause.get("end_at"))
        if start is not None and end is not None and end > start:
            worked = calendar.working_time_between(start, end)
            paused += (Decimal(worked // timedelta(seconds=1)) / 3600).quantize(Decimal("0.01"))
    return {c: paused if c == "paused_hours" else facts[c] for c in JUDGED}
