"""The administrators' view of event deliveries (API and page): counts per subscriber, the dead
ones, and retry; nobody else may see or retry them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx

from engine import outbox
from engine.models import OutboxEvent
from integrations.webhook import WebhookSubscriber
from tests.factories import page_csrf, page_login, rt, token
from tests.integrations.test_outbox import make_events
from tests.sink import Sink


async def test_an_admin_sees_dead_deliveries_and_retries_them(client: httpx.AsyncClient, users: dict) -> None:
    with Sink(fail_first=10_000) as sink:
        runtime = replace(rt(), subscribers={"webhook": WebhookSubscriber(sink.url)})
        await make_events(runtime, users, count=1)
        now = datetime.now(UTC)
        for _ in range(outbox.MAX_ATTEMPTS):
            await outbox.dispatch(runtime, now)
            now += outbox.CAP
    dead = await OutboxEvent.get(state="dead")
    admin = await token(client, "admin")
    for who in ("officer", "citizen"):
        r = await client.get("/api/v1/outbox", headers=await token(client, who))
        assert r.status_code == 403
    body = (await client.get("/api/v1/outbox", headers=admin)).json()
    [webhook] = body["subscribers"]
    assert webhook["subscriber"] == "webhook" and webhook["dead"] == 1 and webhook["pending"] >= 1
    assert [i["id"] for i in (await client.get("/api/v1/outbox?state=dead", headers=admin)).json()["items"]] == [
        dead.id]
    assert "pending" in body["timers"]
    r = await client.get("/api/v1/outbox?state=nonsense", headers=admin)
    assert r.status_code == 422
    # the page: Vietnamese, the dead row, a retry button that works without JavaScript
    await page_login(client, "admin")
    page = await client.get("/quan-tri/hang-doi?state=dead")
    assert page.status_code == 200 and "Hàng đợi gửi sự kiện" in page.text and f'data-id="{dead.id}"' in page.text
    csrf = await page_csrf(client, "/quan-tri/hang-doi")
    r = await client.post("/quan-tri/hang-doi/gui-lai", data={"csrf_token": csrf, "ids": str(dead.id)})
    assert r.status_code == 303 and r.headers["location"].endswith("retried-1")
    await dead.refresh_from_db()
    assert dead.state == "pending" and dead.attempts == 0
    r = await client.post("/api/v1/outbox/retry", headers=admin, json={"ids": ["x"]})
    assert r.status_code == 422


async def test_staff_cannot_open_the_deliveries_page(client: httpx.AsyncClient, users: dict) -> None:
    await page_login(client, "officer")
    r = await client.get("/quan-tri/hang-doi")
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
