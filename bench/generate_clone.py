"""How bench/generate.py clones its seed dossiers: the templates, the spread, and the Python path (SQLite).

A template is a seed's row with what varies per clone marked: every instant (columns of type
timestamp, and ISO instants inside JSON values) is moved, the seed's task ids (@ID<k>@), its code
(@CODE@), the submitted event's channel and submitter kind (@CH@, @SK@) and a rating's score
("@SCORE@") are replaced. Times move with the clone's submit (`sub`): a deadline (`DEADLINE_COLUMNS`,
`DEADLINE_KEYS`) by the whole shift, an activity instant stretched (sub + (t - seed submit) × stretch,
to the second), so a stretch of 2.5 finishes late and 0.2 early. The reporting projections
(report_dossier, report_task) are cloned from the seeds' own (the reports subscriber made them), then
the calendar columns are judged again for each clone with `report_facts.judge` (what a rebuild does).
PostgreSQL runs the same templates on the server (bench/generate_sql.py); SQLite fills them here.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import asyncpg

from engine import report_facts, sql
from engine.catalogue import fold
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


class Target:
    """Raw access for the bulk phase: asyncpg (PostgreSQL) or sqlite3."""

    pg = False

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def execute(self, query: str, *params: Any) -> None:
        await self.fetch(query, *params)

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    async def kinds(self, table: str) -> dict[str, str]:
        raise NotImplementedError

    async def close(self) -> None: ...


class Postgres(Target):
    pg = True

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(query, *params)]

    async def execute(self, query: str, *params: Any) -> None:
        await self.conn.execute(query, *params)

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            await self.conn.copy_records_to_table(table, records=records, columns=list(columns))

    async def kinds(self, table: str) -> dict[str, str]:
        rows = await self.fetch(
            "SELECT column_name AS c, data_type AS t FROM information_schema.columns "
            "WHERE table_name = $1 AND table_schema = 'public' ORDER BY ordinal_position",
            table,
        )
        return {
            r["c"]: "ts"
            if r["t"].startswith("timestamp")
            else "json"
            if r["t"] == "jsonb"
            else "text"
            if r["t"] in ("text", "character varying")
            else "plain"
            for r in rows
        }

    async def close(self) -> None:
        await self.conn.close()


class Sqlite(Target):
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(re.sub(r"\$\d+", "?", query), params).fetchall()]

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)

    async def kinds(self, table: str) -> dict[str, str]:
        rows = self.conn.execute(f"PRAGMA table_info({table})").fetchall()
        return {
            r["name"]: "ts"
            if r["type"] == "TIMESTAMP"
            else "json"
            if r["type"] == "JSON"
            else "text"
            if r["type"].startswith(("VARCHAR", "TEXT"))
            else "plain"
            for r in rows
        }

    async def close(self) -> None:
        self.conn.close()


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


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


# ------------------------------------------------------------------ the Python path (SQLite)
def new_task_id(dossier_id: int, k: int) -> str:
    """The k-th task id of a clone: the same on both paths (md5 of "<dossier id>/<k>" as a UUID)."""
    import hashlib
    import uuid

    return str(uuid.UUID(hashlib.md5(f"{dossier_id}/{k}".encode()).hexdigest()))


def draw_plan(
    seeds: list[Seed],
    n: int,
    now: datetime,
    first_id: int,
    counters: dict[str, int],
    citizen_id: int | None,
    rng: random.Random,
) -> list[dict[str, Any]]:
    """Each clone's seed, times and own columns, in submit order (ids and codes ascend with it)."""
    plan = []
    for _ in range(n):
        seed = weighted(rng, [(s, s.weight) for s in seeds])
        stretch = 1.0 if seed.open else rng.choice(STRETCH)
        ago = (
            timedelta(seconds=rng.uniform(3600, OPEN_DAYS * 86400))
            if seed.open
            else timedelta(seconds=rng.uniform(30 * 86400, YEARS * 365 * 86400))
        )
        sub = (now - seed.span * stretch - ago).replace(microsecond=0)
        channel = weighted(rng, CHANNELS)
        name = rng.choice(NAMES)
        plan.append(
            {
                "seed": seed,
                "sub": sub,
                "stretch": stretch,
                "agency_code": weighted(rng, AGENCIES),
                "channel": channel,
                "submitter_kind": "citizen" if channel == "online" else weighted(rng, KINDS_OFFLINE),
                "reception_point": "" if channel == "online" else rng.choice(RECEPTION_POINTS),
                "applicant_name": name,
                "applicant_name_folded": fold(name),
                "applicant_phone": f"09{rng.randrange(10**8):08d}",
                "applicant_id_hash": f"{rng.getrandbits(256):064x}",
                "idempotency_key": None,
                "submitted_by_id": citizen_id if channel == "online" else None,
                "score": weighted(rng, SCORES),
                "attachments": weighted(rng, ATTACHMENTS),
            }
        )
    plan.sort(key=lambda p: p["sub"])
    for i, p in enumerate(plan):
        p["id"] = first_id + i
        key = f"{p['agency_code']}|{(p['sub'] + timedelta(hours=7)).strftime('%y%m%d')}"  # Asia/Ho_Chi_Minh: UTC+7
        counters[key] = counters.get(key, 0) + 1
        p["code"] = f"{p['agency_code']}-{key[-6:]}-{counters[key]:04d}"
    return plan


def _iso(at: datetime) -> str:
    return at.isoformat()


def clone_rows(t: Template, p: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """A template's rows for one clone `p`, with instants as datetimes (the caller stores them)."""
    seed: Seed = p["seed"]
    shift = p["sub"] - seed.at

    def move(at: datetime | None, is_deadline: bool) -> datetime | None:
        if at is None:
            return None
        moved = at + shift if is_deadline else p["sub"] + (at - seed.at) * p["stretch"]
        return moved.replace(microsecond=0)

    fixed = {"@CODE@": p["code"], "@CH@": p["channel"], "@SK@": p["submitter_kind"], '"@SCORE@"': str(p["score"])}
    fixed.update({f"@ID{k}@": new_task_id(p["id"], k) for k in range(len(seed.task_ids))})
    for row in t.rows:
        if row["seed_id"] != seed.dossier_id:
            continue
        values = dict(fixed)
        values.update(
            {f"@T{i}@": _iso(move(at, d)) for i, (at, d) in enumerate(zip(row["times"], row["deadline"], strict=True))}
        )  # type: ignore[arg-type]
        out = {}
        for column in t.columns:
            value, kind = row[column], t.kinds[column]
            if kind == "ts":
                value = move(value, column in DEADLINE_COLUMNS)
            elif kind == "tpl" and isinstance(value, str):
                for marker in t.markers[column]:
                    if marker in values:  # another seed's task number is absent from this one's text
                        value = value.replace(marker, values[marker])
            out[column] = value
        if t.table in ("dossier", "report_dossier", "report_task") or "dossier_id" in out:
            out["dossier_id" if t.table != "dossier" else "id"] = p["id"]
        if t.table == "dossier":
            out.update({c: p[c] for c in DOSSIER_OWN})
        elif t.table == "report_dossier":
            out.update({c: p[c] for c in ("code", "agency_code", "reception_point", "channel", "submitter_kind")})
            out["rating"] = None if out["rating"] is None else p["score"]
        elif t.table == "rating":
            out["score"] = p["score"]
        yield out


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


def judge(row: dict[str, Any], calendar: Calendar) -> tuple[Any, ...]:
    """(kpi_due_at, kpi_late, work_units, paused_hours) of a cloned facts row, as a rebuild folds them."""
    facts = {c: sql.instant(row[c]) for c in ("accepted_at", "ended_at")}
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
    return facts["kpi_due_at"], facts["kpi_late"], facts["work_units"], paused


async def clone_python(
    target: Sqlite, t: dict[str, Template], plan: list[dict[str, Any]], calendar: Calendar, batch: int = 2000
) -> int:
    """SQLite: the clones' rows built here and inserted in one transaction per batch; the rows written."""
    rows = 0
    for start in range(0, len(plan), batch):
        target.conn.execute("BEGIN")
        for table in TABLES:
            tpl, records = t[table], []
            columns = [c for c in tpl.columns if not (c == "id" and table not in OWN_IDS)]
            for p in plan[start : start + batch]:
                for out in clone_rows(tpl, p):
                    if table == "report_dossier":
                        out["kpi_due_at"], out["kpi_late"], out["work_units"], out["paused_hours"] = judge(
                            out, calendar
                        )
                        out["work_units"] = None if out["work_units"] is None else str(out["work_units"])
                        out["paused_hours"] = str(out["paused_hours"])
                    records.append(tuple(_sqlite(out[c]) for c in columns))
                if table == "attachment":
                    records += [_extra_attachment(p, k, columns) for k in range(p["attachments"])]
            await target.copy(table, columns, records)
            rows += len(records)
        target.conn.execute("COMMIT")
    return rows


def _sqlite(value: Any) -> Any:
    return value.isoformat(" ") if isinstance(value, datetime) else value


def _extra_attachment(p: dict[str, Any], k: int, columns: list[str]) -> tuple[Any, ...]:
    digest = new_task_id(p["id"], 100 + k).replace("-", "")
    row = {
        "component": "giay_to_kem_theo",
        "name": f"tai-lieu-{k + 1}.pdf",
        "sha256": digest * 2,
        "size": 20_000 + int(digest[:6], 16) % 4_000_000,
        "content_type": "application/pdf",
        "source": "counter_scan" if p["channel"] == "counter" else "upload",
        "at": p["sub"],
        "dossier_id": p["id"],
    }
    return tuple(_sqlite(row[c]) for c in columns)
