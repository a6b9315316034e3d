"""Defects found by the issue-9 journey (tests/browser/test_issue9_journey.py), each pinned on a page:
the staff dossier page names the step's role in words; a starter procedure's receipt names the
applicant; an online supplement confirmed by the officer reads "trực tuyến", and the citizen's
tracking tells their upload ("đã gửi") from the officer's confirmation ("đã nhận")."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from tests.factories import accepted_household, page_login

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


async def test_the_dossier_page_names_each_steps_role_in_words(client: httpx.AsyncClient, users: dict) -> None:
    code = (await accepted_household(users, NOW)).code
    await page_login(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    steps = page[page.index('id="steps"'):page.index("</table>", page.index('id="steps"'))]
    roles = re.findall(r'data-role="([a-z_]*)">([^<]*)<', steps)
    assert ("one_stop", "Cán bộ một cửa") in roles and ("specialist", "Chuyên viên xử lý") in roles, roles
    assert not [label for _, label in roles if label in ("one_stop", "specialist", "leader")]


async def test_a_starter_procedure_without_components_gives_a_named_receipt_and_no_empty_lists(
        client: httpx.AsyncClient, users: dict) -> None:
    """The starter procedure declares no components nor agency yet: the procedure page says the agency is
    not published, the receipt names the applicant and shows no empty table, the supplement form
    asks only for the content (no empty checkbox list)."""
    from designer import drafts
    from engine import dossiers
    from engine.models import HumanTask
    from tests.factories import rt

    await drafts.create("T.019", {"name": "Thủ tục từ mẫu", "time_limit": 5}, actor="admin", now=NOW)
    await drafts.publish("T.019", 0, actor="admin", now=NOW)
    dossier = await dossiers.submit(rt(), "T.019", {"applicant_name": "Lê Thị Hạnh", "applicant_phone": "0987654321"},
                                    now=NOW, user=users["citizen"])
    assert 'id="agency">Chưa công bố<' in (await client.get("/thu-tuc/T.019")).text  # not an empty line
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    await page_login(client, "officer")
    receipt = await client.get(f"/dossiers/{dossier.code}/receipt")
    assert receipt.status_code == 200
    assert '<strong id="applicant">Lê Thị Hạnh</strong>' in receipt.text and 'id="components"' not in receipt.text
    step = await client.get(f"/can-bo/ho-so/{dossier.code}/buoc/request_supplement")
    assert 'id="step-form"' in step.text and 'id="reason"' in step.text
    assert 'id="components"' not in step.text


async def test_recording_an_online_supplement_says_online_in_the_history(
        client: httpx.AsyncClient, users: dict) -> None:
    """The officer confirming the citizen's upload was written "(tại quầy)" (at the counter)."""
    from engine import dossiers
    from engine.dossier_lifecycle import Step
    from engine.models import AuditEvent, Dossier
    from tests.factories import page_csrf, rt

    code = (await accepted_household(users, NOW)).code
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await dossiers.step(rt(), code, Step("request_supplement", reasons=("Biên bản họp",)), users["specialist"], NOW)
    await page_login(client, "citizen")
    token = await page_csrf(client, f"/tra-cuu/{code}")
    sent = await client.post(f"/tra-cuu/{code}/bo-sung", data={"csrf_token": token},
                             files={"files": ("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")})
    assert sent.headers["location"].endswith("supplement=sent")
    await dossiers.step(rt(), code, Step("receive_supplement"), users["officer"], NOW)
    steps = (await client.get(f"/tra-cuu/{code}")).text
    steps = steps[steps.index('id="steps"'):steps.index("</ol>", steps.index('id="steps"'))]
    sent_at, received_at = steps.index("Ông/bà đã gửi giấy tờ bổ sung"), steps.index("Đã nhận hồ sơ bổ sung")
    assert sent_at < received_at and steps.count("Đã nhận hồ sơ bổ sung") == 1  # not twice "received"
    dossier = await Dossier.get(code=code)
    received = await AuditEvent.filter(dossier_id=dossier.id, action="supplement_received").order_by("id")
    assert [e.details.get("source") for e in received] == ["online", "online"]
    await client.post("/logout", data={"csrf_token": await page_csrf(client, "/")})
    client.cookies.clear()
    await page_login(client, "officer")
    assert "(tại quầy)" not in (await client.get(f"/can-bo/ho-so/{code}")).text
