"""The access log of personal-data reads (issue 10, SECURITY V16.3.2): every read of a dossier's
personal data by staff is recorded (who, when, dossier, purpose, channel), the owner's own reads are
not, and engine.document_access.reads_of gives the data subject's export the list."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from engine import document_access
from engine.models import DocumentAccess, Dossier, User
from tests.security.world import World, build

AT = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)


async def _get(client: httpx.AsyncClient, w: World, who: str, url: str) -> httpx.Response:
    client.cookies = httpx.Cookies(w.cookies[who])
    r = await client.get(url, headers=w.headers[who] if url.startswith("/api/") else {})
    assert r.status_code == 200, (who, url, r.status_code)
    return r


async def test_every_staff_read_is_logged_with_who_what_and_channel(client: httpx.AsyncClient) -> None:
    w = await build(client)
    client._transport.app.state.clock = lambda: AT  # type: ignore[attr-defined]
    assert await document_access.reads_of([w.dossier_id]) == []
    await _get(client, w, "citizen_a", f"/api/v1/dossiers/{w.dossier}")  # the owner: not logged
    await _get(client, w, "one_stop", f"/can-bo/ho-so/{w.dossier}")
    await _get(client, w, "one_stop", f"/can-bo/viec/{w.task}")
    await _get(client, w, "specialist", f"/api/v1/dossiers/{w.dossier}")
    await _get(client, w, "manager", f"/api/v1/tasks/{w.task}")
    await _get(client, w, "leader", f"/ho-so/{w.dossier}/tep/{w.attachment}?purpose=dossier")
    csv = await _get(client, w, "manager", "/quan-ly/ho-so.csv")
    assert w.dossier in csv.text and w.dossier_b in csv.text
    reads = await document_access.reads_of([w.dossier_id])
    assert [(r.username, r.purpose, r.channel, r.attachment_id is not None) for r in reads] == [
        ("one_stop", "dossier", "page", False), ("one_stop", "task", "page", False),
        ("specialist", "dossier", "api", False), ("manager", "task", "api", False),
        ("leader", "dossier", "page", True), ("manager", "export", "page", False)]
    assert reads[0].at == AT and all(r.dossier_id == w.dossier_id for r in reads)
    assert await DocumentAccess.all().count() == len(reads) + 1  # + the export row of citizen B's dossier


async def test_refused_reads_and_the_owners_reads_leave_no_row(client: httpx.AsyncClient) -> None:
    w = await build(client)
    client.cookies = httpx.Cookies(w.cookies["other_agency"])
    assert (await client.get(f"/can-bo/ho-so/{w.dossier}")).status_code == 404
    client.cookies = httpx.Cookies(w.cookies["admin"])
    assert (await client.get(f"/api/v1/dossiers/{w.dossier}", headers=w.headers["admin"])).status_code == 404
    await _get(client, w, "citizen_a", f"/tra-cuu/{w.dossier}")
    await _get(client, w, "citizen_a", f"/ho-so/{w.dossier}/tep/{w.attachment}")
    assert await document_access.reads_of([w.dossier_id]) == []


async def test_many_reads_are_logged_in_batches_of_rows(client: httpx.AsyncClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    w = await build(client)
    monkeypatch.setattr(document_access, "INSERT_ROWS", 2)
    one_stop = await User.get(username="one_stop")
    other = (await Dossier.get(code=w.dossier_b)).id
    read = [(w.dossier_id, None), (other, None), (w.dossier_id, None), (w.dossier_id, w.citizen_a_id)]
    assert await document_access.record_read(one_stop, read, AT, "export", "page") == 4
    assert await document_access.record_read(await User.get(username="citizen_a"), read, AT, "export", "page") == 0
    reads = await document_access.reads_of([w.dossier_id, other])
    assert sorted((r.dossier_id, r.username, r.purpose, r.at) for r in reads) == sorted(
        [(w.dossier_id, "one_stop", "export", AT)] * 3 + [(other, "one_stop", "export", AT)])
