"""The national-portal subscriber against a real local fake portal (tests/sink.py FakePortal): 500s,
answers that never come (timeouts), answers dropped after the portal committed, duplicates, the
portal down under load, dead letters on the admin page, and `motcua portal reconcile`."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from engine import outbox, portal_sync
from engine.models import Dossier, OutboxEvent, PortalSync
from engine.runtime import Runtime
from engine.settings import Settings
from engine.workdays import LOCAL_TZ
from integrations.portal import PortalClient, PortalSubscriber
from tests.factories import page_csrf, page_login, rt
from tests.integrations.test_outbox import NOW, drain, make_events
from tests.sink import FakePortal

ROOT = Path(__file__).resolve().parents[2]


def with_portal(url: str, timeout: float = 2.0) -> Runtime:
    return replace(rt(), subscribers={"portal": PortalSubscriber(PortalClient(url, "t0ken", timeout))})


async def assert_remote_equals_local(portal: FakePortal) -> None:
    """Every dossier is held by the portal at its present status and revision, and acknowledged."""
    dossiers = await Dossier.all().prefetch_related("procedure_version__procedure")
    assert sorted(portal.records) == sorted(d.code for d in dossiers)
    acks = {s.dossier_id: s for s in await PortalSync.all()}
    for d in dossiers:
        held = portal.records[d.code]
        assert (held["TrangThaiHoSo"], held["PhienBan"]) == (d.lifecycle_status, d.revision), d.code
        assert held["MaTTHC"] == d.procedure_version.procedure.code and held["KenhThucHien"] == 2
        assert (held["NgayTiepNhan"] is None) == (d.accepted_at is None)
        assert acks[d.id].status == d.lifecycle_status and acks[d.id].remote_id == "DVC-" + d.code


async def applied_once(portal: FakePortal) -> list[str]:
    keys = sorted(r.key for r in await OutboxEvent.filter(subscriber="portal"))
    assert sorted(portal.applied) == keys and set(portal.applied.values()) == {1}  # each change once
    return keys


async def test_500s_timeouts_and_dropped_answers_end_with_the_portal_equal_to_motcua(
        db: Settings, users: dict) -> None:
    with FakePortal(hang_seconds=1.5) as portal:
        portal.fail, portal.hang, portal.drop = 2, 1, 2
        runtime = with_portal(portal.url, timeout=0.5)
        await make_events(runtime, users, count=3)
        await drain(runtime, datetime.now(UTC))
        await asyncio.sleep(1.5)  # the hung request applies late: its key is already applied
        keys = await applied_once(portal)
        await assert_remote_equals_local(portal)
    # 2 refused + 1 timed out + 2 dropped, each sent again (more only if a plain answer took > 0.5 s)
    assert portal.receipts >= len(keys) + 5
    assert portal.stale == 0
    rows = await OutboxEvent.filter(subscriber="portal")
    assert {r.state for r in rows} == {"done"} and {r.kind for r in rows} >= {"submitted", "status_changed"}
    assert (portal.fail, portal.hang, portal.drop) == (0, 0, 0)  # every fault was met (rows keep their last error)
    errors = [r.last_error for r in rows if r.last_error]
    assert errors and all(e.split(":")[0] in ("PortalError", "TimeoutError", "ServerDisconnectedError") for e in errors)
    accepted = [d.id for d in await Dossier.filter(accepted_at__not_isnull=True).order_by("id")]
    window = (NOW - timedelta(days=1), NOW + timedelta(days=1))  # make_events accepts them at NOW
    assert accepted and await portal_sync.synced_dossier_ids(*window, current=True) == accepted


async def test_the_portal_down_for_a_while_under_load_loses_nothing_and_applies_nothing_twice(
        db: Settings, users: dict) -> None:
    with FakePortal() as portal:
        runtime = with_portal(portal.url)
        await make_events(runtime, users, count=20)
        portal.down = True
        now = datetime.now(UTC)
        for _ in range(3):  # three rounds of refusals: each dossier's first delivery tried and failed
            await outbox.dispatch(runtime, now)
            now += outbox.CAP
        waiting = await OutboxEvent.filter(subscriber="portal", state="pending").count()
        assert portal.receipts == 3 * 20 and not portal.applied and waiting > 20
        portal.down = False
        await drain(runtime, now)
        keys = await applied_once(portal)
        await assert_remote_equals_local(portal)
    print(f"\nportal down then back: {len(keys)} changes, {portal.receipts} receipts, each applied once")
    assert portal.receipts == len(keys) + 60


async def test_dead_portal_deliveries_show_on_the_admin_page_and_a_retry_sends_them(
        client: httpx.AsyncClient, users: dict) -> None:
    with FakePortal() as portal:
        runtime = with_portal(portal.url)
        await make_events(runtime, users, count=1)
        portal.down = True
        now = datetime.now(UTC)
        for _ in range(outbox.MAX_ATTEMPTS):
            await outbox.dispatch(runtime, now)
            now += outbox.CAP
        dead = await OutboxEvent.get(subscriber="portal", state="dead")
        await page_login(client, "admin")
        page = await client.get("/quan-tri/hang-doi?state=dead")
        assert page.status_code == 200 and f'data-id="{dead.id}"' in page.text
        assert "<td>portal</td>" in page.text and "portal answered 500" in page.text
        csrf = await page_csrf(client, "/quan-tri/hang-doi")
        r = await client.post("/quan-tri/hang-doi/gui-lai", data={"csrf_token": csrf, "ids": str(dead.id)})
        assert r.status_code == 303 and r.headers["location"].endswith("retried-1")
        portal.down = False
        await drain(runtime, now)
        await applied_once(portal)
        await assert_remote_equals_local(portal)


async def test_reconcile_counts_per_day_and_resends_what_the_portal_lacks(db: Settings, users: dict) -> None:
    with FakePortal() as portal:
        runtime = with_portal(portal.url)
        submitted = datetime.now(UTC)
        codes = await make_events(runtime, users, count=3, now=submitted)
        await drain(runtime, submitted)
        day = submitted.astimezone(ZoneInfo(LOCAL_TZ)).date()
        lost, never = codes[0], codes[1]
        portal.forget(lost)  # the portal lost a dossier it had acknowledged
        portal.forget(never)
        never_id = (await Dossier.get(code=never)).id
        await PortalSync.filter(dossier_id=never_id).delete()  # ... and one was never acknowledged
        env = {**os.environ, "DATABASE_URL": db.database_url, "PYTHONPATH": str(ROOT), "MOTCUA_PORTAL_URL": portal.url,
               "MOTCUA_DATA_DIR": str(db.data_dir), "MOTCUA_SECRET_KEY": "test-secret"}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "web.cli", "portal", "reconcile", "--from", day.isoformat(), "--to",
            day.isoformat(), cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        text = out.decode()
        line = next(t for t in text.splitlines() if t.startswith(day.strftime("%d/%m/%Y")))
        assert line.split()[1:] == ["3", "2", "1", "3"]  # local, acknowledged, portal, re-sent (it lost one)
        assert all(f"resent: {c}" in text for c in codes)
        before = dict(portal.applied)
        await drain(runtime, datetime.now(UTC))
        resent = await OutboxEvent.filter(subscriber="portal", kind="resend")
        assert len(resent) == 3 and all(portal.applied[r.key] == 1 for r in resent)
        assert all(portal.applied[k] == 1 for k in before)
        await assert_remote_equals_local(portal)
        client = PortalClient(portal.url)
        [again] = await portal_sync.reconcile(client.counts, day, day, datetime.now(UTC), resend=False)
        await client.aclose()
    assert (again.local, again.acknowledged, again.remote, again.resent) == (3, 3, 3, [])


async def test_what_the_portal_acknowledged_is_kpi_14(db: Settings, users: dict) -> None:
    """KPI 1.4 (synced dossiers) reads the portal's acknowledgements: 'no data' before any, then
    acknowledged ÷ received; a dossier the portal never took counts as not synced."""
    from engine import reports

    period = reports.Period(NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=1))
    with FakePortal() as portal:
        runtime = replace(rt(), subscribers={**rt().subscribers, "portal": PortalSubscriber(
            PortalClient(portal.url, "t0ken", 2.0))})
        codes = await make_events(runtime, users, count=3)
        # the reporting projection is delivered, the portal not yet: 1.4 has no data, with its reason
        await outbox.dispatch(replace(runtime, subscribers={"reports": runtime.subscribers["reports"]}),
                              datetime.now(UTC))
        before = (await reports.scorecard(period, runtime.calendars.value))["1.4"]
        assert before.value is None and before.reason == "not_synced"
        await drain(runtime, datetime.now(UTC))
    assert sorted(portal.records) == sorted(codes)
    # the portal lost one dossier (its acknowledgement is gone): 2 of the 3 received are synced
    lost = await Dossier.get(code=codes[0])
    await PortalSync.filter(dossier_id=lost.id).delete()
    figure = (await reports.scorecard(period, runtime.calendars.value))["1.4"]
    hits = await reports.members(period, runtime.calendars.value, "1.4", "hits")
    assert figure.value == Decimal("66.67") and hits is not None and hits[0] == sorted(
        d.id for d in await Dossier.filter(code__in=codes[1:]))
    assert figure.count == 3 and figure.hits == 2
