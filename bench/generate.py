"""Fill a database with N realistic dossiers of the shipped procedures. Prints rows/s; it is not a test.

    python bench/generate.py --database postgres|sqlite --dossiers 1000000 [--url URL] [--backlog 15000]

1. Seeds, through the engine's own commands (submit, complete_task with a Runtime from
   web.app.build_runtime and a no-op outbox subscriber): for each shipped procedure, one dossier
   stopped after each step of the happy path (0 to 4 steps done), so the state JSON, the task,
   timer, audit_event, outbox and attachment rows are the engine's, not invented.
2. Bulk: each generated dossier copies the rows of a seed (state with fresh task ids, tasks, events,
   timers, outbox rows, attachments) and is spread out: lifecycle statuses 1–10 (3 % open),
   channels, submitter kinds, supplements and financial-obligation pauses (dossier_pause rows),
   early and late finishes, ratings, results, extra attachments, dates over four years, five agency
   prefixes in the code. PostgreSQL: COPY (asyncpg copy_records_to_table); SQLite: executemany in
   one transaction per batch.

--backlog N then adds received dossiers (status 1, intake task ready) until the one-stop role has N
ready tasks: the inbox's load of issue 11 (15,000 for one role).

Without --url: PostgreSQL gets a fresh database on MOTCUA_BENCH_PG (default the local server), kept
(its name is printed); SQLite a file in a temporary folder. With --url the database is migrated and
filled in place (rows are added to what is there; dossier codes go on from its per-day counters).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sqlite3  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import asyncpg  # noqa: E402

from engine import accounts, dossiers, procedures  # noqa: E402
from engine.catalogue import fold  # noqa: E402
from engine.db import close_database, is_sqlite, migrate, open_database  # noqa: E402
from engine.models import User  # noqa: E402
from engine.outbox import Delivery  # noqa: E402
from engine.settings import Settings  # noqa: E402
from engine.workdays import LOCAL_TZ  # noqa: E402
from web.app import build_runtime  # noqa: E402

PG_DSN = os.environ.get("MOTCUA_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
SHIPPED = ROOT / "bpmn" / "procedures"
PASSWORD = "bench-generate-password"
#: the seeds' data and steps are the tests' (tests/factories.py), copied: bench/ does not import tests/
APPLICATIONS: dict[str, dict[str, Any]] = {
    "birth-registration": {
        "child_full_name": "Nguyễn Văn Bình", "child_date_of_birth": "2026-11-01", "child_sex": "male",
        "child_ethnicity": "kinh", "child_nationality": "VN", "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội",
        "child_home_town": "Xã Đông Anh, Hà Nội",
        "mother": {"full_name": "Trần Thị Hoa", "birth_year": 1995, "ethnicity": "kinh", "nationality": "VN",
                   "residence": "Phường Ba Đình, Hà Nội", "id_number": "001195012345"},
        "requester_full_name": "Trần Thị Hoa", "requester_id_number": "001195012345",
        "requester_relationship": "mother", "requester_phone": "0912345678", "delivery_method": "electronic",
        "birth_certificate": [{"name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 1024,
                               "sha256": "0" * 64}],
    },
    "household-business": {
        "registration_required_confirmed": True, "business_name": "Hộ kinh doanh Bình An",
        "business_province": "Hà Nội", "business_commune": "Phường Cầu Giấy", "business_street": "12 Trần Thái Tông",
        "business_lines": ["5610"], "capital_vnd": 100000000, "workers": 3,
        "owner_full_name": "Lê Văn Nam", "owner_date_of_birth": "1988-04-02", "owner_sex": "male",
        "owner_id_number": "001088004567", "owner_residence": "Phường Cầu Giấy, Hà Nội",
        "members": [{"full_name": "Lê Thị Mai", "id_number": "001190007654"}],
    },
}
HAPPY_PATH = [
    ("officer", {"intake_decision": "accept", "intake_note": "Đủ thành phần hồ sơ"}),
    ("specialist", {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}),
    ("leader", {"approval_decision": "sign"}),
    ("officer", {"returned_via": "electronic", "result_handed_over": True}),
]
STAFF = {"officer": ["one_stop"], "specialist": ["specialist"], "leader": ["leader"]}
#: hours after the submit at which the seed's steps are done (stretched per generated dossier)
STEP_HOURS = (2, 26, 50, 54)
AGENCIES = ("000.00.00.H26", "000.00.01.H26", "000.00.02.H26", "000.00.10.H29", "000.00.31.H29")
RECEPTION_POINTS = ("", "Bộ phận một cửa UBND phường Ba Đình", "Bộ phận một cửa UBND phường Cầu Giấy",
                    "Trung tâm phục vụ hành chính công tỉnh")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Thị Lan", "Văn Nam", "Ngọc Mai")
YEARS = 4
ZONE = ZoneInfo(LOCAL_TZ)
OPEN_SHARE = 0.03
#: lifecycle statuses of the open 3 % and of the closed rest (weights)
OPEN_STATUSES = ((1, 25), (2, 10), (4, 50), (5, 10), (6, 5))
CLOSED_STATUSES = ((3, 2), (7, 2), (8, 1), (9, 5), (10, 90))
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TABLES = ("dossier", "human_task", "audit_event", "timer", "outbox", "attachment", "dossier_pause",
          "dossier_result", "rating")
#: columns that move with the dossier's activity (stretched) rather than its deadlines (shifted only)
DEADLINES = {"due_original_at", "due_adjusted_at", "due_at", "next_timer_at", "next_at"}
#: --backlog: the role whose inbox is filled, with dossiers in this status (received: its intake task ready)
BACKLOG_ROLE = STAFF["officer"][0]
RECEIVED = 1


class NoOp:
    """The seeds' outbox subscriber: the rows are what matters, delivery is not measured."""

    name = "noop"
    kinds: frozenset[str] | None = None

    async def deliver(self, delivery: Delivery) -> None:
        return None


@dataclass
class Seed:
    procedure: str
    steps: int  # happy-path steps done (4 = returned)
    rows: dict[str, list[dict[str, Any]]]  # table -> the seed dossier's rows (driver values)
    submitted_at: datetime
    task_ids: list[str] = field(default_factory=list)


@dataclass
class Stats:
    dossiers: int
    rows: int
    seconds: float
    seeds: int
    url: str

    @property
    def rate(self) -> float:
        return self.rows / max(self.seconds, 1e-9)


# ------------------------------------------------------------------ drivers
class Target:
    """Raw access to the database for the bulk phase (what the engine writes, in its types)."""

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        raise NotImplementedError

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    async def begin(self) -> None: ...

    async def commit(self) -> None: ...

    async def close(self) -> None: ...

    def time(self, value: Any) -> datetime | None:
        return value if value is None or isinstance(value, datetime) else datetime.fromisoformat(value)

    def db_time(self, value: datetime | None) -> Any:
        return value


class Postgres(Target):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.tx: Any = None

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(query, *params)]

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            await self.conn.copy_records_to_table(table, records=records, columns=list(columns))

    async def begin(self) -> None:
        self.tx = self.conn.transaction()
        await self.tx.start()

    async def commit(self) -> None:
        await self.tx.commit()

    async def close(self) -> None:
        await self.conn.close()


class Sqlite(Target):
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")

    async def fetch(self, query: str, *params: Any) -> list[dict[str, Any]]:
        query = re.sub(r"\$\d+", "?", query)
        return [dict(r) for r in self.conn.execute(query, params).fetchall()]

    async def copy(self, table: str, columns: Sequence[str], records: list[tuple[Any, ...]]) -> None:
        if records:
            marks = ", ".join("?" for _ in columns)
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)

    async def begin(self) -> None:
        self.conn.execute("BEGIN")

    async def commit(self) -> None:
        self.conn.execute("COMMIT")

    async def close(self) -> None:
        self.conn.close()

    def db_time(self, value: datetime | None) -> Any:
        return None if value is None else value.isoformat(" ")  # as Tortoise/sqlite3 store it


# ------------------------------------------------------------------ 1. seeds through the engine
async def make_seeds(settings: Settings, now: datetime) -> list[tuple[str, int, int, datetime]]:
    """One dossier per shipped procedure and happy-path stage; (procedure, steps, dossier id, submitted at)."""
    from engine.models import HumanTask
    from forms import check_schema

    await migrate(settings)
    await open_database(settings)
    try:
        rt = build_runtime(settings)
        rt.subscribe(NoOp())
        await rt.start()
        await accounts.ensure_roles()
        users: dict[str, User] = {}
        for name, roles in {**STAFF, "citizen": []}.items():
            username = f"bench_{name}"
            users[name] = (await User.get_or_none(username=username)
                           or await accounts.create_user(username, PASSWORD, "citizen" if not roles else "staff",
                                                         roles=roles))
        made = []
        for slug in APPLICATIONS:
            version = await procedures.load_from_folder(SHIPPED / slug, check_form=check_schema)
            code = (await version.procedure).code  # type: ignore[attr-defined]
            for steps in range(len(HAPPY_PATH) + 1):
                dossier = await dossiers.submit(rt, code, APPLICATIONS[slug], now=now, user=users["citizen"])
                for k, (who, data) in enumerate(HAPPY_PATH[:steps]):
                    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
                    await dossiers.complete_task(rt, task.id, data, users[who], now + timedelta(hours=STEP_HOURS[k]))
                made.append((slug, steps, dossier.id, now))
        return made
    finally:
        await close_database()


async def read_seeds(target: Target, made: list[tuple[str, int, int, datetime]]) -> list[Seed]:
    seeds = []
    for slug, steps, dossier_id, at in made:
        rows = {"dossier": await target.fetch("SELECT * FROM dossier WHERE id = $1", dossier_id)}
        for table in TABLES[1:-3]:
            rows[table] = await target.fetch(f"SELECT * FROM {table} WHERE dossier_id = $1 ORDER BY id", dossier_id)
        for table in TABLES[-3:]:
            rows[table] = []
        seeds.append(Seed(slug, steps, rows, at, [t["id"] for t in rows["human_task"]]))
    return seeds


# ------------------------------------------------------------------ 2. the bulk copy
def weighted(rng: random.Random, choices: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class Bulk:
    """Builds the rows of generated dossiers from the seeds; ids continue each table's."""

    def __init__(self, target: Target, seeds: list[Seed], start_ids: dict[str, int], now: datetime,
                 citizen_id: int | None, rng: random.Random) -> None:
        self.t, self.seeds, self.ids, self.now, self.citizen_id, self.rng = (target, seeds, start_ids, now,
                                                                             citizen_id, rng)
        self.by_stage = {(s.procedure, s.steps): s for s in seeds}
        self.columns = {table: list(seeds[0].rows[table][0]) for table in TABLES[:-3] if seeds[0].rows[table]}
        for s in seeds:
            for table, found in s.rows.items():
                if found and table not in self.columns:
                    self.columns[table] = list(found[0])
        self.columns["dossier_pause"] = ["id", "dossier_id", "reason", "start_at", "end_at"]
        self.columns["dossier_result"] = ["id", "dossier_id", "outcome", "document", "channel", "issued_at",
                                          "returned_at"]
        self.columns["rating"] = ["id", "dossier_id", "score", "comment", "at"]
        self.counters: dict[str, int] = {}  # codes drawn by this load, per agency and day
        self.already: dict[str, int] = {}  # the database's dossier_counter before it (a refill goes on from it)
        self.span = YEARS * 365 * 86400
        self.only_status: int | None = None  # every dossier in this lifecycle status (open): --backlog

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def code(self, agency: str, at: datetime) -> str:
        key = f"{agency}|{at.astimezone(ZONE).strftime('%y%m%d')}"
        n = self.counters[key] = self.counters.get(key, 0) + 1
        return f"{agency}-{key[-6:]}-{self.already.get(key, 0) + n:04d}"

    def batch(self, count: int) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {table: [] for table in TABLES}
        for _ in range(count):
            self.one(out)
        return out

    def one(self, out: dict[str, list[tuple[Any, ...]]]) -> None:
        rng, t = self.rng, self.t
        is_open = rng.random() < OPEN_SHARE or self.only_status is not None
        status = self.only_status or weighted(rng, OPEN_STATUSES if is_open else CLOSED_STATUSES)
        slug = "birth-registration" if rng.random() < 0.6 else "household-business"
        steps = {1: 0, 2: rng.choice((1, 1, 2)), 4: rng.choice((1, 2, 3)), 5: 1, 6: 2, 3: 0, 7: 1, 8: 1,
                 9: 3, 10: 4}[status]
        if status == 9 and rng.random() < 0.5:
            steps = 4
        seed = self.by_stage[(slug, steps)]
        ago = rng.uniform(0, 30 * 86400) if is_open else rng.uniform(30 * 86400, self.span)
        submitted = self.now - timedelta(seconds=ago)
        shift = submitted - seed.submitted_at
        # stretch of the activity: most finish early, some late (the budget is a few working days)
        stretch = rng.choice((0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.2, 2.5)) if not is_open else 1.0
        base = seed.submitted_at

        def act(value: Any) -> Any:
            moment = t.time(value)
            if moment is None:
                return None
            return t.db_time(submitted + (moment - base) * stretch)

        def due(value: Any) -> Any:
            moment = t.time(value)
            return None if moment is None else t.db_time(moment + shift)

        def moved(row: dict[str, Any], name: str) -> Any:
            value = row[name]
            if name in DEADLINES:
                return due(value)
            if name.endswith("_at") or name == "at":
                return act(value)
            return value

        dossier_id = self.next_id("dossier")
        agency = AGENCIES[int(rng.random() ** 2 * len(AGENCIES))]
        code = self.code(agency, submitted)
        old_code = seed.rows["dossier"][0]["code"]
        task_map = {old: str(uuid.uuid4()) for old in seed.task_ids}

        def remap(text: str) -> str:
            for old, new in task_map.items():
                text = text.replace(old, new)
            return text.replace(old_code, code)

        channel = weighted(rng, (("online", 55), ("counter", 40), ("post", 5)))
        kind = "citizen" if channel == "online" else weighted(rng, (("citizen", 50), ("proxy", 30),
                                                                     ("officer_assisted", 20)))
        closed_early = status in (3, 7, 8)
        row = {c: moved(seed.rows["dossier"][0], c) for c in self.columns["dossier"]}
        row.update(id=dossier_id, code=code, idempotency_key=None, state=remap(row["state"]),
                   channel=channel, submitter_kind=kind, lifecycle_status=status,
                   submitted_by_id=self.citizen_id if channel == "online" else None,
                   reception_point="" if channel == "online" else rng.choice(RECEPTION_POINTS[1:]),
                   applicant_name=f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}",
                   applicant_phone=f"09{rng.randrange(10**8):08d}",
                   applicant_id_hash=f"{rng.getrandbits(256):064x}", created_at=t.db_time(submitted))
        if "applicant_name_folded" in row:
            row["applicant_name_folded"] = fold(row["applicant_name"])
        if "agency_code" in row:  # where the dossier was placed: what staff scoping filters on
            row["agency_code"] = agency
        if status == 1:
            row["accepted_at"] = row["due_original_at"] = row["due_adjusted_at"] = None
        pauses: list[dict[str, Any]] = []
        accepted = t.time(row["accepted_at"]) or submitted
        if status in (5, 6) or (not is_open and not closed_early and rng.random() < 0.1):
            reason = "financial_obligation" if status == 6 or (status != 5 and rng.random() < 0.25) else "supplement"
            start = accepted + timedelta(hours=rng.uniform(4, 40))
            end = None if status in (5, 6) else start + timedelta(days=rng.uniform(1, 10))
            pauses.append({"start_at": start.isoformat(), "end_at": end and end.isoformat(), "reason": reason})
            out["dossier_pause"].append((self.next_id("dossier_pause"), dossier_id, reason, t.db_time(start),
                                         t.db_time(end)))
            if reason == "supplement":
                row["supplement_requests"] = 1
            if end is not None and row["due_adjusted_at"] is not None:
                row["due_adjusted_at"] = t.db_time(t.time(row["due_adjusted_at"]) + (end - start))
        row["pauses"] = json.dumps(pauses)
        finished = None
        if not is_open:
            last = max((t.time(e["at"]) for e in seed.rows["audit_event"]), default=seed.submitted_at)
            finished = submitted + (last - base) * stretch + timedelta(hours=rng.uniform(0, 6))
            row["status"] = "cancelled" if closed_early else "completed"
            row["completed_at"] = t.db_time(finished)
            row["updated_at"] = t.db_time(finished)
            row["next_timer_at"] = None
            if status in (9, 10):
                row["result_at"] = t.db_time(finished)
                row["returned_at"] = t.db_time(finished + timedelta(hours=rng.uniform(1, 72))) if status == 10 else None
                due_at = t.time(row["due_adjusted_at"])
                if rng.random() < 0.01:
                    row["late_flag"], row["late_reason"] = True, "second_supplement_request"
                outcome = "refused" if rng.random() < 0.04 else "granted"
                out["dossier_result"].append((
                    self.next_id("dossier_result"), dossier_id, outcome,
                    json.dumps({"name": f"ket-qua-{code}.pdf", "sha256": f"{rng.getrandbits(256):064x}"}),
                    rng.choice(("paper", "electronic", "both")) if status == 10 else None,
                    t.db_time(finished), row["returned_at"]))
                if status == 10 and rng.random() < 0.25:
                    score = weighted(rng, ((5, 50), (4, 30), (3, 12), (2, 5), (1, 3)))
                    out["rating"].append((self.next_id("rating"), dossier_id, score,
                                          "" if score > 3 or rng.random() < 0.5 else "Xử lý chậm",
                                          t.db_time(finished + timedelta(days=1))))
                if due_at is not None and finished > due_at and rng.random() < 0.1:
                    row["extension"] = json.dumps({"reason": "Cần xác minh thêm", "new_due_at": finished.isoformat()})
            elif status == 3:
                row["refusal"] = json.dumps({"reasons": ["Không thuộc thẩm quyền"], "at": finished.isoformat(),
                                             "by": "bench_officer", "stage": "intake"})
        out["dossier"].append(tuple(row[c] for c in self.columns["dossier"]))

        for task in seed.rows["human_task"]:
            r = {c: moved(task, c) for c in self.columns["human_task"]}
            r["id"], r["dossier_id"] = task_map[task["id"]], dossier_id
            if r["state"] == "ready" and not is_open:
                r["state"], r["completed_at"] = "cancelled", t.db_time(finished)
            if r["state"] == "completed" and r["due_at"] is not None and r["completed_at"] is not None:
                late = t.time(r["completed_at"]) - t.time(r["due_at"])  # type: ignore[operator]
                r["verdict"] = "late" if late > timedelta(0) else ("on_time" if late > -timedelta(hours=4)
                                                                   else "early")
            out["human_task"].append(tuple(r[c] for c in self.columns["human_task"]))
        for event in seed.rows["audit_event"]:
            r = {c: moved(event, c) for c in self.columns["audit_event"]}
            r["id"], r["dossier_id"] = self.next_id("audit_event"), dossier_id
            if r["task_id"]:
                r["task_id"] = task_map.get(r["task_id"], r["task_id"])
            r["details"] = remap(r["details"]) if isinstance(r["details"], str) else r["details"]
            out["audit_event"].append(tuple(r[c] for c in self.columns["audit_event"]))
        for timer in seed.rows["timer"]:
            r = {c: moved(timer, c) for c in self.columns["timer"]}
            r["id"], r["dossier_id"] = self.next_id("timer"), dossier_id
            if r["state"] == "pending" and not is_open:
                r["state"] = "cancelled"
            out["timer"].append(tuple(r[c] for c in self.columns["timer"]))
        pending_tail = is_open and rng.random() < 0.1
        rows_out = seed.rows["outbox"]
        for i, o in enumerate(rows_out):
            r = {c: moved(o, c) for c in self.columns["outbox"]}
            r["id"], r["dossier_id"] = self.next_id("outbox"), dossier_id
            r["key"], r["payload"] = remap(r["key"]), remap(r["payload"])
            if pending_tail and i == len(rows_out) - 1:
                r["state"], r["delivered_at"], r["attempts"] = "pending", None, 0
            else:
                r["state"], r["attempts"] = "done", 1
                r["delivered_at"] = t.db_time(t.time(r["at"]) + timedelta(seconds=rng.uniform(0.05, 3)))
            out["outbox"].append(tuple(r[c] for c in self.columns["outbox"]))
        attachments = [dict(a) for a in seed.rows["attachment"]]
        for _ in range(weighted(rng, ((0, 40), (1, 30), (2, 20), (3, 10)))):
            source = ("counter_scan" if channel == "counter" else
                      weighted(rng, (("upload", 70), ("reused", 25), ("supplement", 5))))
            attachments.append({"component": "giay_to_kem_theo", "name": f"tai-lieu-{rng.randrange(1000)}.pdf",
                                "sha256": f"{rng.getrandbits(256):064x}", "size": rng.randrange(20_000, 4_000_000),
                                "content_type": "application/pdf", "source": source, "at": seed.submitted_at})
        for a in attachments:
            a = {**a, "id": self.next_id("attachment"), "dossier_id": dossier_id, "at": act(a["at"])}
            out["attachment"].append(tuple(a[c] for c in self.columns["attachment"]))


async def bulk_load(target: Target, seeds: list[Seed], dossiers_wanted: int, now: datetime, *,
                    batch: int = 2000, seed: int = 1, progress: Callable[[str], None] | None = print,
                    only_status: int | None = None) -> int:
    """Add `dossiers_wanted` generated dossiers (all open in `only_status` if given); returns the rows written."""
    ids = {}
    for table in TABLES:
        if table == "human_task":  # ids are SpiffWorkflow task UUIDs
            continue
        found = await target.fetch(f"SELECT COALESCE(MAX(id), 0) AS m FROM {table}")
        ids[table] = int(found[0]["m"])
    citizen = await target.fetch("SELECT id FROM user_account WHERE username = 'bench_citizen'")
    bulk = Bulk(target, seeds, ids, now, citizen[0]["id"] if citizen else None, random.Random(seed))
    bulk.only_status = only_status
    bulk.already = {r["key"]: int(r["value"]) for r in await target.fetch("SELECT key, value FROM dossier_counter")}
    rows = done = 0
    started = time.perf_counter()

    async def write(out: dict[str, list[tuple[Any, ...]]]) -> int:
        await target.begin()
        for table in TABLES:
            await target.copy(table, bulk.columns[table], out[table])
        await target.commit()
        return sum(len(v) for v in out.values())

    # PostgreSQL: the next batch is built (a thread) while the previous one is copied
    writing: asyncio.Task[int] | None = None
    while done < dossiers_wanted:
        n = min(batch, dossiers_wanted - done)
        out = await asyncio.to_thread(bulk.batch, n) if isinstance(target, Postgres) else bulk.batch(n)
        if writing is not None:
            rows += await writing
        writing = asyncio.create_task(write(out))
        done += n
        if progress and (done // batch) % 25 == 0:
            spent = time.perf_counter() - started
            progress(f"  {done:>9,} dossiers built, {rows:>11,} rows written, {rows / spent:,.0f} rows/s")
    if writing is not None:
        rows += await writing
    # the codes' counters, so that a submit after the load draws a fresh number
    await target.begin()
    for key, value in bulk.counters.items():
        found = await target.fetch("SELECT value FROM dossier_counter WHERE key = $1", key)
        if found:
            await target.fetch("UPDATE dossier_counter SET value = value + $1 WHERE key = $2", value, key)
        else:
            await target.copy("dossier_counter", ["key", "value"], [(key, value)])
    await target.commit()
    if isinstance(target, Postgres):
        for table in TABLES[:1] + TABLES[2:]:
            await target.fetch(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        await target.fetch("VACUUM ANALYZE")  # what autovacuum does after a bulk insert
    return rows


async def generate(url: str, dossiers_wanted: int, *, batch: int = 2000, seed: int = 1,
                   progress: Callable[[str], None] | None = print, backlog: int = 0) -> Stats:
    """Migrate the database at `url`, make the seeds through the engine, then add the generated dossiers;
    `backlog`: then received ones until the role BACKLOG_ROLE has that many ready tasks (the inbox's load)."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-generate-"))
    settings = Settings(database_url=url, secret_key="bench", data_dir=folder)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    made = await make_seeds(settings, now - timedelta(days=7))
    seeded = time.perf_counter() - started
    if progress:
        progress(f"  {len(made)} seed dossiers through the engine in {seeded:.1f} s")
    target: Target
    if is_sqlite(url):
        target = Sqlite(url.split("://", 1)[1].split("?", 1)[0])
    else:
        target = Postgres(await asyncpg.connect(url))
        await target.fetch("SET synchronous_commit = off")  # a bulk load: a crash means starting over
    try:
        seeds = await read_seeds(target, made)
        started = time.perf_counter()
        rows = await bulk_load(target, seeds, dossiers_wanted, now, batch=batch, seed=seed, progress=progress)
        if backlog:  # received dossiers until the one-stop role has `backlog` ready tasks (one each)
            found = await target.fetch("SELECT COUNT(*) AS n FROM human_task WHERE state = 'ready' AND role = $1",
                                       BACKLOG_ROLE)
            missing = backlog - int(found[0]["n"])
            if missing > 0:
                rows += await bulk_load(target, seeds, missing, now, batch=batch, seed=seed + 1, progress=progress,
                                        only_status=RECEIVED)
        spent = time.perf_counter() - started
    finally:
        await target.close()
    return Stats(dossiers_wanted, rows, spent, len(made), url)


async def run(database: str, dossiers_wanted: int, url: str | None, batch: int, backlog: int = 0) -> Stats:
    if url is None and database == "sqlite":
        url = f"sqlite://{Path(tempfile.mkdtemp(prefix='motcua-generate-')) / 'bench.sqlite3'}"
    elif url is None:
        name = f"motcua_generate_{uuid.uuid4().hex[:10]}"
        admin = await asyncpg.connect(PG_DSN, timeout=5)
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = PG_DSN.rsplit("/", 1)[0] + f"/{name}"
    print(f"generate: {dossiers_wanted:,} dossiers into {url}", flush=True)
    return await generate(url, dossiers_wanted, batch=batch, progress=lambda s: print(s, flush=True),
                          backlog=backlog)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    ap.add_argument("--dossiers", type=int, default=100_000)
    ap.add_argument("--url", help="an existing database to fill (default: a fresh one)")
    ap.add_argument("--batch", type=int, default=2000, help="dossiers per COPY / transaction")
    ap.add_argument("--backlog", type=int, default=0,
                    help=f"then add received dossiers until role {BACKLOG_ROLE} has this many ready tasks")
    args = ap.parse_args(argv)
    stats = asyncio.run(run(args.database, args.dossiers, args.url, args.batch, args.backlog))
    print(f"{stats.dossiers:,} dossiers, {stats.rows:,} rows in {stats.seconds:.1f} s: "
          f"{stats.rate:,.0f} rows/s, {stats.dossiers / max(stats.seconds, 1e-9):,.0f} dossiers/s "
          f"(+ {stats.seeds} seeds through the engine)\n{stats.url}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
