"""The Python path of bench/generate.py (SQLite): each clone's plan drawn here and its rows built from
the seeds' templates (bench/generate_clone.py), executemany in one transaction per batch."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bench.generate_clone import (
    AGENCIES,
    ATTACHMENTS,
    CHANNELS,
    DEADLINE_COLUMNS,
    DOSSIER_OWN,
    KINDS_OFFLINE,
    NAMES,
    OPEN_DAYS,
    OWN_IDS,
    RECEPTION_POINTS,
    SCORES,
    STRETCH,
    TABLES,
    YEARS,
    Seed,
    Template,
    judge,
)
from bench.generate_db import Sqlite
from engine.catalogue import fold
from engine.workdays import Calendar


def weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def new_task_id(dossier_id: int, k: int) -> str:
    """The k-th task id of a clone: the same on both paths (md5 of "<dossier id>/<k>" as a UUID)."""
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


def _iso(at: datetime, shift: Any, is_deadline: bool, p: dict[str, Any]) -> str:
    """An instant inside a JSON value, moved like a column's (`clone_rows`)."""
    moved: datetime = at + shift if is_deadline else p["sub"] + (at - p["seed"].at) * p["stretch"]
    return moved.replace(microsecond=0).isoformat()


def clone_rows(t: Template, p: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """A template's rows for one clone `p`, with instants as datetimes (the caller stores them)."""
    seed: Seed = p["seed"]
    shift = p["sub"] - seed.at

    def move(at: datetime | None, is_deadline: bool) -> datetime | None:
        if at is None:
            return None
        moved: datetime = at + shift if is_deadline else p["sub"] + (at - seed.at) * p["stretch"]
        return moved.replace(microsecond=0)

    fixed = {"@CODE@": p["code"], "@CH@": p["channel"], "@SK@": p["submitter_kind"], '"@SCORE@"': str(p["score"])}
    fixed.update({f"@ID{k}@": new_task_id(p["id"], k) for k in range(len(seed.task_ids))})
    for row in t.rows:
        if row["seed_id"] != seed.dossier_id:
            continue
        values = dict(fixed)
        pairs = enumerate(zip(row["times"], row["deadline"], strict=True))
        values.update({f"@T{i}@": _iso(at, shift, d, p) for i, (at, d) in pairs})
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
                        out.update(judge(out, calendar))
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
