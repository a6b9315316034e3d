"""The role × lifecycle command × stage table on the shipped procedures (issue 10's finding): the
page offers exactly the steps the expected rule allows, and the server refuses every other cell,
through the staff page and the JSON API alike, leaving the dossier untouched; every allowed cell is
then taken through the API on a fresh dossier at that stage.

The expected rule, written from the law and the procedures' lanes (not from engine.permissions):
  * a decision a task takes (intake: accept / refuse / supplement; approval: finish / refuse;
    the return task: return the result) is never a direct step;
  * the role owning the open step (its lane) may refuse, request a supplement or the financial
    obligation during appraisal; the one-stop unit answers the citizen (withdrawal from acceptance
    on, and while the supplement is awaited: its arrival and the stop); the owner may withdraw;
  * nothing is allowed once the result is ready (the return task does it) or the dossier ended."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from engine import dossiers
from engine.dossier_lifecycle import Step
from engine.models import Dossier, HumanTask, User
from engine.permissions import STEP_ROLES
from tests.factories import APPLICATIONS, CODES, HAPPY_PATH, page_csrf, page_login, publish_shipped, rt, token

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ROLES = ("officer", "specialist", "leader", "citizen")
STAGES = ("intake", "appraisal", "approval", "waiting_supplement", "result_ready", "ended")
EXPECTED: dict[str, dict[str, set[str]]] = {
    "intake": {},
    "appraisal": {"officer": {"withdraw"}, "citizen": {"withdraw"},
                  "specialist": {"refuse", "request_supplement", "request_financial_obligation"}},
    "approval": {"officer": {"withdraw"}, "citizen": {"withdraw"}, "leader": {"request_supplement"}},
    "waiting_supplement": {"officer": {"receive_supplement", "withdraw", "stop"}, "specialist": {"refuse"},
                           "citizen": {"withdraw"}},
    "result_ready": {},
    "ended": {},
}
PAGE_INPUT = {"refuse": {"reason": "Lý do"}, "request_supplement": {"reason": "Thiếu giấy tờ"},
              "return_supplement": {"reason": "Còn thiếu"}, "stop": {"reason": "Quá hạn bổ sung"},
              "request_financial_obligation": {"description": "Lệ phí", "amount": "100000"},
              "withdraw": {"request_date": "02/03/2026"}, "return_result": {"delivery": "counter"}}


async def _complete(code: str, element: str, users: dict[str, User]) -> None:
    _element, username, data = next(step for step in HAPPY_PATH if step[0] == element)
    dossier = await Dossier.get(code=code)
    task = await HumanTask.get(dossier_id=dossier.id, element_id=element, state="ready")
    await dossiers.complete_task(rt(), task.id, data, users[username], NOW)


async def at_stage(slug: str, stage: str, users: dict[str, User]) -> str:
    code = (await dossiers.submit(rt(), CODES[slug], APPLICATIONS[slug], now=NOW, user=users["citizen"])).code
    if stage == "intake":
        return code
    await _complete(code, "intake", users)
    if stage == "waiting_supplement":
        await dossiers.step(rt(), code, Step("request_supplement", reasons=("Thiếu giấy tờ",)), users["specialist"],
                            NOW)
    if stage in ("appraisal", "waiting_supplement"):
        return code
    await _complete(code, "appraisal", users)
    if stage == "approval":
        return code
    await _complete(code, "approval", users)
    if stage == "ended":
        await _complete(code, "return_result", users)
    return code


@pytest.fixture
async def sessions(client: httpx.AsyncClient, users: dict) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A signed-in page session per role (same app), plus its API token in `headers`."""
    opened: dict[str, httpx.AsyncClient] = {}
    for username in ROLES:
        c = httpx.AsyncClient(transport=client._transport, base_url="http://testserver")
        await page_login(c, username)
        c.headers.update(await token(c, username))
        opened[username] = c
    yield opened
    for c in opened.values():
        await c.aclose()


@pytest.mark.parametrize("slug", sorted(CODES))
async def test_every_role_command_and_stage_cell_answers_as_the_rule_says(
        slug: str, client: httpx.AsyncClient, users: dict, sessions: dict[str, httpx.AsyncClient]) -> None:
    client._transport.app.state.clock = lambda: NOW  # type: ignore[attr-defined]
    await publish_shipped(slug)
    for stage in STAGES:
        code = await at_stage(slug, stage, users)
        revision = (await Dossier.get(code=code)).revision
        for role in ROLES:
            expected = EXPECTED[stage].get(role, set())
            s = sessions[role]
            page = await s.get(f"/can-bo/ho-so/{code}")
            if role != "citizen":
                offered = set(_offered(page.text))
                assert offered == expected, (stage, role, offered)
            csrf = await page_csrf(s, "/")
            for command in STEP_ROLES:
                cell = (slug, stage, role, command)
                if command in expected:
                    if role != "citizen":
                        assert (await s.get(f"/can-bo/ho-so/{code}/buoc/{command}")).status_code == 200, cell
                    continue
                api = await s.post(f"/api/v1/dossiers/{code}/{command.replace('_', '-')}",
                                   json={"reasons": ["Lý do"], "channel": "paper"})
                assert api.status_code in (403, 404, 409), (cell, api.status_code, api.text)
                form = await s.post(f"/can-bo/ho-so/{code}/buoc/{command}",
                                    data={"csrf_token": csrf, **PAGE_INPUT.get(command, {})},
                                    headers={"Authorization": ""})
                assert form.status_code in (403, 409), (cell, form.status_code)
                assert "<html" in form.text.lower() and "Traceback" not in form.text  # a page, never JSON
                assert (await Dossier.get(code=code)).revision == revision, cell
    # every allowed cell is taken for real on a fresh dossier at its stage
    for stage, by_role in EXPECTED.items():
        for role, commands in by_role.items():
            for command in sorted(commands):
                code = await at_stage(slug, stage, users)
                r = await sessions[role].post(f"/api/v1/dossiers/{code}/{command.replace('_', '-')}",
                                              json={"reasons": ["Lý do"]})
                assert r.status_code == 200, (slug, stage, role, command, r.text)


def _offered(html: str) -> list[str]:
    import re

    return re.findall(r'data-step="([a-z_]+)"', html)
