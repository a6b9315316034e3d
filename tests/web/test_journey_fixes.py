"""Defects found by the issue-9 journey (tests/browser/test_issue9_journey.py), each pinned on a page:
the staff dossier page names the step's role in words, not by its code."""

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
