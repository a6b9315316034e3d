"""The due-date explanation and provincial calendar overrides through the API."""

from __future__ import annotations

import httpx

from tests.factories import publish_shipped, rt, token


async def test_due_date_explains_the_tet_days_it_skips(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    r = await client.get("/api/v1/calendar/due", params={"procedure": "2.000720",
                                                          "accepted_at": "2026-02-13T10:00:00+07:00"})
    assert r.status_code == 200, r.text
    body = r.json()
    # Fri 13 Feb 10:00 + 24 working hours: 5 h Fri, Tết 16–20 Feb, Mon 23 + Tue 24 (16 h), 3 h Wed 25 → 10:00
    assert body["due_local"] == "10:00 25/02/2026"
    skipped = {d["date"]: d["reason"] for d in body["skipped_days"]}
    assert {"2026-02-14", "2026-02-15", "2026-02-16", "2026-02-20", "2026-02-21", "2026-02-22"} <= set(skipped)
    assert "Tết" in skipped["2026-02-17"] or "Nguyên" in skipped["2026-02-17"]


async def test_admin_adds_a_provincial_day_off_and_the_due_date_moves(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("household-business")
    params = {"procedure": "2.000720", "accepted_at": "2026-03-02T08:00:00+07:00"}
    before = (await client.get("/api/v1/calendar/due", params=params)).json()["due_local"]
    assert before == "08:00 05/03/2026"
    officer, admin = await token(client, "officer"), await token(client, "admin")
    body = {"on": "2026-03-03", "kind": "off", "note": "Ngày nghỉ của tỉnh"}
    assert (await client.post("/api/v1/calendar/overrides", headers=officer, json=body)).status_code == 403
    r = await client.post("/api/v1/calendar/overrides", headers=admin, json=body)
    assert r.status_code == 201, r.text
    try:
        after = (await client.get("/api/v1/calendar/due", params=params)).json()
        assert after["due_local"] == "08:00 06/03/2026"
        assert {"date": "2026-03-03", "date_local": "03/03/2026", "reason": "Ngày nghỉ của tỉnh"} in after[
            "skipped_days"] or any(d["date"] == "2026-03-03" for d in after["skipped_days"])
        dup = await client.post("/api/v1/calendar/overrides", headers=admin, json=body)
        assert dup.status_code == 422 and "on" in dup.json()["error"]["details"]["fields"]
        bad = await client.post("/api/v1/calendar/overrides", headers=admin, json={"on": "03/03/2026", "kind": "x"})
        assert set(bad.json()["error"]["details"]["fields"]) == {"on", "kind"}
    finally:
        assert (await client.delete(f"/api/v1/calendar/overrides/{r.json()['id']}", headers=admin)).status_code == 204
    assert rt().calendar.is_working_day(__import__("datetime").date(2026, 3, 3))
