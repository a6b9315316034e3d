"""The staff pages and the API on a filled database (issue 11). Prints figures; it is not a test.

    python bench/search.py --url postgres://…/db [--repeat 25] [--requests 200]

Fill the database first with bench/generate.py (e.g. `--dossiers 1000000 --backlog 15000`). Through
the real ASGI app (httpx, in process: no network), a manager signs in through /login and an officer
of the one-stop role ("one_stop", the 15,000-task backlog) through /login and POST /api/v1/auth/token.
Then, `--requests` times each: the staff dossier page GET /can-bo/ho-so/{code} and GET
/api/v1/dossiers/{code} of random dossiers, the inbox page GET /can-bo and GET /api/v1/tasks (first
page, and every fifth time the page after it through the cursor), tracking (a citizen's POST
/tra-cuu with code and phone, each from its own address as the throttle counts per address, then
the status page it redirects to); and `--repeat` times GET /quan-ly/ho-so with each filter set below
(first page, and the page after it through the "Trang sau" cursor), then GET /quan-ly/ho-so.csv for
the late dossiers of one week. Prints p50 / p95 / max in ms per kind.

--staff-only times the staff dossier page, the API dossier, the inbox page and the API inbox only.
--count (PostgreSQL) wraps asyncpg's connection class and prints, per kind, the mean number of SQL
statements, of pool resets (asyncpg's reset query on each release) and of round trips (statements,
prepares of a statement not yet cached on its connection, resets, BEGIN/COMMIT) per request. Time
the pages without it (the wrapper costs a little), count with it in a short run.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import asyncio  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Awaitable, Callable  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from typing import Any  # noqa: E402

import asyncpg  # type: ignore[import-untyped]  # noqa: E402
import httpx  # noqa: E402
from starlette.applications import Starlette  # noqa: E402

from engine import accounts  # noqa: E402
from engine.db import close_database, open_database  # noqa: E402
from engine.models import Dossier, HumanTask, User  # noqa: E402
from engine.settings import Settings  # noqa: E402
from web.app import build_runtime, create_app  # noqa: E402

PASSWORD = "bench-search-password"
#: the role of bench/generate.py's backlog (--backlog)
BACKLOG_ROLE = "one_stop"
Timed = Callable[..., Awaitable[httpx.Response]]


def _filters(today: datetime) -> dict[str, dict[str, str]]:
    week = (today - timedelta(days=7)).strftime("%d/%m/%Y")
    return {"all": {}, "name": {"name": "nguyen van an"}, "code": {"code": "000.00.01.H26-26"},
            "status 5": {"status": "5"}, "overdue": {"overdue": "1"}, "procedure": {"procedure": "2.000720"},
            "received last week": {"received_from": week, "received_to": today.strftime("%d/%m/%Y")},
            "overdue in process": {"overdue": "1", "status": "4"}}


class Counter:
    """Statements, resets and round trips on every asyncpg connection of the process (--count)."""

    def __init__(self) -> None:
        self.statements = self.resets = self.round_trips = 0
        self.per_kind: dict[str, list[tuple[int, int, int]]] = {}

    def install(self) -> None:
        counter, cls = self, asyncpg.connection.Connection

        def wrap(name: str) -> None:
            original = getattr(cls, name)

            async def counted(con: Any, query: str, *args: Any, **kw: Any) -> Any:
                counter.round_trips += 1
                if name == "execute" and not args and ("RESET ALL" in query or "UNLISTEN" in query):
                    counter.resets += 1
                elif not (name == "execute" and not args and query.split(" ", 1)[0].upper() in (
                        "BEGIN", "BEGIN;", "COMMIT;", "COMMIT", "ROLLBACK", "ROLLBACK;")):
                    counter.statements += 1
                return await original(con, query, *args, **kw)

            setattr(cls, name, counted)

        for name in ("execute", "executemany", "fetch", "fetchrow", "fetchval"):
            wrap(name)
        get_statement = cls._get_statement

        async def prepared(con: Any, query: str, *args: Any, **kw: Any) -> Any:
            record = kw.get("record_class") or con._protocol.get_record_class()
            if con._stmt_cache.get((query, record, kw.get("ignore_custom_codec", False))) is None:
                counter.round_trips += 1  # Parse/Describe before the first execution on this connection
            return await get_statement(con, query, *args, **kw)

        cls._get_statement = prepared

    def snapshot(self) -> tuple[int, int, int]:
        return self.statements, self.resets, self.round_trips

    def record(self, kind: str, before: tuple[int, int, int]) -> None:
        now = self.snapshot()
        self.per_kind.setdefault(kind, []).append(tuple(a - b for a, b in zip(now, before, strict=True)))  # type: ignore[arg-type]

    def report(self) -> None:
        print("  per request (mean): statements / pool resets / round trips")
        for kind, counts in self.per_kind.items():
            means = [sum(c[i] for c in counts) / len(counts) for i in range(3)]
            print(f"  {kind:<30} {means[0]:5.1f} / {means[1]:5.1f} / {means[2]:5.1f}")


def _figures(name: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"  {name:<30} n={len(spent):>4}  p50 {statistics.median(spent):7.1f}  p95 {p95:7.1f}  "
            f"max {ordered[-1]:7.1f} ms")


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def _sign_in(app: Starlette, username: str, address: str = "127.0.0.1") -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1234)),
                               base_url="http://bench")
    csrf = _csrf((await client.get("/login")).text)
    r = await client.post("/login", data={"csrf_token": csrf, "username": username, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


async def _user(username: str, kind: str, roles: list[str]) -> None:
    if await User.get_or_none(username=username) is None:
        await accounts.create_user(username, PASSWORD, kind, roles=roles)


async def _random_dossiers(rng: random.Random, top: int, n: int) -> list[tuple[str, str]]:
    """(code, phone) of `n` random dossiers (ids are dense: bench/generate.py)."""
    picked: list[tuple[str, str]] = []
    while len(picked) < n:
        found = await Dossier.filter(id__in=[rng.randint(1, top) for _ in range(n - len(picked))]).values_list(
            "code", "applicant_phone")
        picked += [(str(c), str(p)) for c, p in found]
    return picked


async def _staff_pages(app: Starlette, timed: Timed, picked: list[tuple[str, str]]) -> None:
    officer = await _sign_in(app, "bench_inbox")
    token = (await officer.post("/api/v1/auth/token", json={"username": "bench_inbox", "password": PASSWORD})
             ).json()["access_token"]
    api = {"authorization": f"Bearer {token}"}
    for i, (code, _) in enumerate(picked):
        await timed(officer, "dossier page", f"/can-bo/ho-so/{code}")
        await timed(officer, "API dossier", f"/api/v1/dossiers/{code}", headers=api)
        r = await timed(officer, "inbox page", "/can-bo")
        if i % 5 == 0:
            nxt = re.search(r'href="(/can-bo\?[^"]*cursor=[^"]+)" id="next-page"', r.text)
            assert nxt, "the inbox has a single page: generate with --backlog"
            await timed(officer, "inbox page: next page", nxt.group(1).replace("&amp;", "&"))
        r = await timed(officer, "API inbox", "/api/v1/tasks", headers=api)
        if i % 5 == 0:
            await timed(officer, "API inbox: next page", "/api/v1/tasks",
                        params={"cursor": r.json()["next_cursor"]}, headers=api)
    await officer.aclose()


async def _tracking(app: Starlette, timed: Timed, picked: list[tuple[str, str]]) -> None:
    for i, (code, phone) in enumerate(picked):
        # a citizen per address: the throttle counts lookups per address (10 per 10 minutes)
        citizen = httpx.AsyncClient(transport=httpx.ASGITransport(
            app=app, client=(f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}", 1234)), base_url="http://bench")
        csrf = _csrf((await citizen.get("/tra-cuu")).text)
        r = await timed(citizen, "tracking: lookup", "/tra-cuu", method="POST", expect=303,
                        data={"csrf_token": csrf, "code": code, "factor": phone})
        assert r.headers["location"] == f"/tra-cuu/{code}", r.headers.get("location")
        await timed(citizen, "tracking: status page", f"/tra-cuu/{code}")
        await citizen.aclose()


async def _search(app: Starlette, timed: Timed, repeat: int, now: datetime) -> None:
    manager = await _sign_in(app, "bench_manager")
    for _ in range(repeat):
        for name, params in _filters(now).items():
            r = await timed(manager, f"search: {name}", "/quan-ly/ho-so", params=params)
            nxt = re.search(r'href="(/quan-ly/ho-so\?[^"]*cursor=[^"]+)" id="next-page"', r.text)
            if nxt:
                await timed(manager, "search: next page", nxt.group(1).replace("&amp;", "&"))
    await timed(manager, "csv: late, last week", "/quan-ly/ho-so.csv",
                params={"overdue": "1", **_filters(now)["received last week"]})
    await manager.aclose()


async def run(url: str, repeat: int, requests: int, count: bool = False, staff_only: bool = False) -> None:
    counter = Counter()
    if count:
        counter.install()
    settings = Settings(database_url=url, secret_key="bench", data_dir=Path(tempfile.mkdtemp(prefix="motcua-search-")))
    await open_database(settings)
    try:
        await _user("bench_manager", "manager", ["specialist"])
        await _user("bench_inbox", "staff", [BACKLOG_ROLE])
        total = await Dossier.all().count()
        backlog = await HumanTask.filter(state="ready", role=BACKLOG_ROLE).count()
        last = await Dossier.all().order_by("-id").only("id").first()
        rt = build_runtime(settings)
        await rt.start()
        app = create_app(settings, manage_database=False, runtime=rt)
        timings: dict[str, list[float]] = {}

        async def timed(client: httpx.AsyncClient, kind: str, path: str, *, method: str = "GET",
                        expect: int = 200, **kw: Any) -> httpx.Response:
            before = counter.snapshot()
            started = time.perf_counter()
            r = await client.request(method, path, **kw)
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            counter.record(kind, before)
            assert r.status_code == expect, (method, path, kw.get("params"), r.status_code)
            return r

        rng = random.Random(1)
        picked = await _random_dossiers(rng, last.id if last else 1, requests)
        await _staff_pages(app, timed, picked)
        if not staff_only:
            await _tracking(app, timed, picked)
            await _search(app, timed, repeat, datetime.now(UTC))
        print(f"pages bench: {total:,} dossiers, {backlog:,} ready tasks of role {BACKLOG_ROLE}, "
              f"{requests} requests per page, {repeat} search rounds, {url.rsplit('/', 1)[-1]}")
        searches = [v for k, vs in timings.items() if k.startswith("search: ") for v in vs]
        for kind, spent in [*timings.items(), *([("search: every filter", searches)] if searches else [])]:
            print(_figures(kind, spent))
        if count:
            counter.report()
    finally:
        await close_database()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="a database filled by bench/generate.py")
    ap.add_argument("--repeat", type=int, default=25, help="rounds of the search filters")
    ap.add_argument("--requests", type=int, default=200, help="requests per staff page, API call and tracking")
    ap.add_argument("--count", action="store_true", help="count statements, resets and round trips per request")
    ap.add_argument("--staff-only", action="store_true", help="the staff pages and API only (no tracking, search)")
    args = ap.parse_args(argv)
    asyncio.run(run(args.url, args.repeat, args.requests, args.count, args.staff_only))
    return 0


if __name__ == "__main__":
    sys.exit(main())
