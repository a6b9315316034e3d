"""Legal-clock defects found in review, reproduced through the API: pause ends are saved,
the supplement window (ND118 art. 19.5), the apology limit (art. 19.6), the version's time limit."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from engine.models import Dossier, Timer
from tests.factories import api_accepted_household, token

# Thu 12 Feb 2026 09:00 local: 3 working days, Tết 16–20 Feb → due Tue 24 Feb 09:00 local
ACCEPTED_AT = datetime(2026, 2, 12, 2, 0, tzinfo=UTC)
SLA_KINDS = {"sla_due_soon", "sla_apology", "sla_overdue"}


def _clock(client: httpx.AsyncClient, at: datetime) -> None:
    client._transport.app.state.clock = lambda: at  # type: ignore[attr-defined]


async def _step(client: httpx.AsyncClient, code: str, command: str, user: str, at: datetime,
                **body: object) -> httpx.Response:
    """POST a lifecycle step at `at` with a fresh token (tokens live 1 h in tests)."""
    _clock(client, at)
    r = await client.post(f"/api/v1/dossiers/{code}/{command}", headers=await token(client, user), json=body)
    return r


async def _stored(client: httpx.AsyncClient, code: str) -> dict:
    """The dossier's lifecycle as read back from the database (not the command's own answer)."""
    r = await client.get(f"/api/v1/dossiers/{code}", headers=await token(client, "officer"))
    assert r.status_code == 200, r.text
    return r.json()["lifecycle"]


async def _pending_kinds(code: str) -> set[str]:
    dossier = await Dossier.get(code=code)
    return {t.kind for t in await Timer.filter(dossier_id=dossier.id, state="pending")}


async def test_received_supplement_saves_the_end_of_its_pause(client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    r = await _step(client, code, "request-supplement", "specialist", datetime(2026, 2, 13, 2, 0, tzinfo=UTC),
                    reasons=["Thiếu biên bản họp"])
    assert r.status_code == 200, r.text
    received = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Mon 2 Mar 08:00 local
    r = await _step(client, code, "receive-supplement", "officer", received)
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert [(p["reason"], p["end_at"]) for p in lifecycle["pauses"]] == [("supplement", received.isoformat())]
    assert lifecycle["due_at"] == "2026-03-05T01:00:00+00:00"  # recounted: 3 working days from Mon 08:00


async def test_fulfilled_financial_obligation_saves_the_end_of_its_pause(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    asked = datetime(2026, 2, 12, 3, 0, tzinfo=UTC)  # Thu 10:00 local
    assert (await _step(client, code, "request-financial-obligation", "specialist", asked)).status_code == 200
    paid = datetime(2026, 2, 12, 7, 0, tzinfo=UTC)  # Thu 14:00 local: 1.5 h + 0.5 h of working time later
    r = await _step(client, code, "fulfil-financial-obligation", "officer", paid)
    assert r.status_code == 200, r.text
    lifecycle = await _stored(client, code)
    assert [(p["reason"], p["end_at"]) for p in lifecycle["pauses"]] == [("financial_obligation", paid.isoformat())]
    # Tue 24 Feb 09:00 pushed by the 2 working hours waited → 11:00 local
    assert lifecycle["due_at"] == "2026-02-24T04:00:00+00:00"
    assert await _pending_kinds(code) == SLA_KINDS


async def test_supplement_after_a_financial_pause_recounts_the_due_and_rearms_the_sla_timers(
        client: httpx.AsyncClient, users: dict) -> None:
    code, _ = await api_accepted_household(client, ACCEPTED_AT)
    for command, user, at in [
        ("request-financial-obligation", "specialist", datetime(2026, 2, 12, 3, 0, tzinfo=UTC)),
        ("fulfil-financial-obligation", "officer", datetime(2026, 2, 12, 7, 0, tzinfo=UTC)),
        ("request-supplement", "specialist", datetime(2026, 2, 13, 2, 0, tzinfo=UTC)),
        ("receive-supplement", "officer", datetime(2026, 3, 2, 1, 0, tzinfo=UTC)),
    ]:
        r = await _step(client, code, command, user, at, reasons=["Thiếu giấy tờ"])
        assert r.status_code == 200, (command, r.text)
    lifecycle = await _stored(client, code)
    assert lifecycle["code"] == 4
    assert all(p["end_at"] for p in lifecycle["pauses"]), lifecycle["pauses"]
    # the supplement restarts the clock from Mon 2 Mar 08:00 local: due Thu 5 Mar 08:00 local
    assert lifecycle["due_at"] == "2026-03-05T01:00:00+00:00"
    assert await _pending_kinds(code) == SLA_KINDS
