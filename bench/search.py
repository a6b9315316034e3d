"""The managers' search page and the staff dossier page on a filled database. Prints figures; it is
not a test.

    python bench/search.py --url postgres://…/db [--repeat 20]

Fill the database first with bench/generate.py (e.g. `--dossiers 100000`). A manager signs in
through /login of the real ASGI app (httpx, in process: no network); then, `--repeat` times each,
GET /quan-ly/ho-so with each filter set below (first page, and the page after it through the
"Trang sau" cursor), GET /quan-ly/ho-so.csv for the late dossiers of one week, and GET
/can-bo/ho-so/{code} of random dossiers. Prints p50 / p95 / max in ms per kind.
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
from datetime import UTC, datetime, timedelta  # noqa: E402

import httpx  # noqa: E402

from engine import accounts  # noqa: E402
from engine.db import close_database, open_database  # noqa: E402
from engine.models import Dossier, User  # noqa: E402
from engine.settings import Settings  # noqa: E402
from web.app import build_runtime, create_app  # noqa: E402

PASSWORD = "bench-search-password"


def _filters(today: datetime) -> dict[str, dict[str, str]]:
    week = (today - timedelta(days=7)).strftime("%d/%m/%Y")
    return {"all": {}, "name": {"name": "nguyen van an"}, "code": {"code": "000.00.01.H26-26"},
            "status 5": {"status": "5"}, "overdue": {"overdue": "1"}, "procedure": {"procedure": "2.000720"},
            "received last week": {"received_from": week, "received_to": today.strftime("%d/%m/%Y")},
            "overdue in process": {"overdue": "1", "status": "4"}}


def _figures(name: str, spent: list[float]) -> str:
    ordered = sorted(spent)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"  {name:<28} n={len(spent):>4}  p50 {statistics.median(spent):7.1f}  p95 {p95:7.1f}  "
            f"max {ordered[-1]:7.1f} ms")


async def run(url: str, repeat: int) -> None:
    settings = Settings(database_url=url, secret_key="bench", data_dir=Path(tempfile.mkdtemp(prefix="motcua-search-")))
    await open_database(settings)
    try:
        if await User.get_or_none(username="bench_manager") is None:
            await accounts.create_user("bench_manager", PASSWORD, "manager", roles=["specialist"])
        total = await Dossier.all().count()
        ids = [d["id"] for d in await Dossier.all().order_by("-id").limit(1).values("id")]
        rt = build_runtime(settings)
        await rt.start()
        app = create_app(settings, manage_database=False, runtime=rt)
        now = datetime.now(UTC)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            page = (await client.get("/login")).text
            match = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert match
            r = await client.post("/login", data={"csrf_token": match.group(1), "username": "bench_manager",
                                                  "password": PASSWORD})
            assert r.status_code == 303, r.text
            timings: dict[str, list[float]] = {}

            async def timed(kind: str, path: str, params: dict[str, str] | None = None) -> httpx.Response:
                started = time.perf_counter()
                r = await client.get(path, params=params)
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200, (path, params, r.status_code)
                return r

            rng = random.Random(1)
            top = ids[0] if ids else 1
            for _ in range(repeat):
                for name, params in _filters(now).items():
                    r = await timed(f"search: {name}", "/quan-ly/ho-so", params)
                    nxt = re.search(r'href="(/quan-ly/ho-so\?[^"]*cursor=[^"]+)" id="next-page"', r.text)
                    if nxt:
                        await timed("search: next page", nxt.group(1).replace("&amp;", "&"))
                code = None
                while code is None:
                    found = await Dossier.filter(id=rng.randint(1, top)).values_list("code", flat=True)
                    code = found[0] if found else None
                await timed("dossier page", f"/can-bo/ho-so/{code}")
            await timed("csv: late, last week", "/quan-ly/ho-so.csv", {"overdue": "1", **{
                k: v for k, v in _filters(now)["received last week"].items()}})
        print(f"search bench: {total:,} dossiers, {repeat} rounds, {url.rsplit('/', 1)[-1]}")
        for kind, spent in timings.items():
            print(_figures(kind, spent))
    finally:
        await close_database()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="a database filled by bench/generate.py")
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    asyncio.run(run(args.url, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
