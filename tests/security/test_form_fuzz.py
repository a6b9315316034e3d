"""Hypothesis over the shipped application forms (issue 10): the fields of /nop-ho-so/{code} as the
page renders them, posted by a signed-in citizen with the CSRF token, and the same applications
through POST /api/v1/dossiers; hostile values (control characters, NUL, huge and mixed-normalisation
Unicode, wrong types, 12-digit ID numbers with wrong digits). Never a 5xx; an application holding a
control character, or missing a required field, never becomes a dossier. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import unicodedata
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from engine.models import Dossier
from tests.factories import APPLICATIONS, CODES, page_csrf, page_login, publish_shipped, token
from tests.security.fuzzkit import Bridge, in_thread
from tests.web.test_citizen_apply import BIRTH

#: cases per form and channel; x 2 forms x 2 channels ≈ 1,300 per database
EXAMPLES = int(os.environ.get("MOTCUA_FORM_FUZZ_EXAMPLES", "320"))
CONTROL = st.sampled_from(["\x00", "\x07", "\x1b[31m", "\x7f", "\x0b", "a\x00b"])
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20).map(lambda t: t * 300),  # long
    st.sampled_from(["", " ", "Nguyễn", unicodedata.normalize("NFD", "Nguyễn Văn Bình"), "001195012349",
                     "000000000000", "99999999999999999999", "2026-02-30", "31/12/1899", "-1", "1e309",
                     "<script>x</script>", "' OR 1=1 --", "../../etc/passwd", "\u202e", "ａｂｃ", "🙂" * 50]),
)


def _fields(page: str) -> list[str]:
    names = re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', page)
    return sorted({n for n in names if n != "csrf_token"})


def _mutation(names: list[str]) -> st.SearchStrategy[tuple[dict[str, Any], bool]]:
    """(changed fields, surely_invalid): some fields get hostile text; surely invalid when one holds a
    control character (web/inputs.py refuses them everywhere)."""
    hostile = st.dictionaries(st.sampled_from(names), HOSTILE_TEXT, max_size=6)
    poisoned = st.dictionaries(st.sampled_from(names), CONTROL.map(lambda c: f"x{c}y"), min_size=1, max_size=2)
    return st.one_of(hostile.map(lambda d: (d, False)),
                     st.tuples(hostile, poisoned).map(lambda p: ({**p[0], **p[1]}, True)))


async def _count() -> int:
    return await Dossier.all().count()


def _page_runner(bridge: Bridge, path: str, base: dict[str, str], names: list[str], csrf: str,
                 seen: list[str]) -> Any:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(_mutation(names))
    def run(mutation: tuple[dict[str, Any], bool]) -> None:
        changed, invalid = mutation
        before = bridge.run(_count())
        r = bridge.run(bridge.client.post(path, data={**base, **changed, "csrf_token": csrf}))
        bridge.counts["page"] += 1
        assert r.status_code < 500, f"{path} {changed!r} → {r.status_code}"
        assert r.status_code in (200, 303, 400, 413, 422, 429), (r.status_code, changed)
        if r.status_code != 303:
            assert r.headers["content-type"].startswith("text/html"), "a page, never raw JSON"
        if invalid:
            assert r.status_code != 303 and bridge.run(_count()) == before, f"dossier from {changed!r}"
        seen.append(str(r.status_code))

    return run


def _api_runner(bridge: Bridge, code: str, base: dict[str, Any], auth: dict[str, str], seen: list[str]) -> Any:
    keys = sorted(base)
    values = st.one_of(HOSTILE_TEXT, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
                       st.lists(HOSTILE_TEXT, max_size=3), st.dictionaries(HOSTILE_TEXT, HOSTILE_TEXT, max_size=2))
    hostile = st.dictionaries(st.sampled_from(keys), values, max_size=5)
    poisoned = st.dictionaries(st.sampled_from(keys), CONTROL.map(lambda c: f"x{c}y"), min_size=1, max_size=2)
    missing = st.sampled_from(keys)

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(hostile, st.one_of(st.none(), poisoned), st.one_of(st.none(), missing))
    def run(changed: dict[str, Any], poison: dict[str, str] | None, drop: str | None) -> None:
        data = {**base, **changed, **(poison or {})}
        if drop is not None and poison is None:
            data.pop(drop, None)
        before = bridge.run(_count())
        r = bridge.run(bridge.client.post("/api/v1/dossiers", json={"procedure": code, "data": data},
                                          headers=auth))
        bridge.counts["api"] += 1
        assert r.status_code < 500, f"{code} {data!r} → {r.status_code} {r.text[:300]}"
        if r.status_code >= 400:
            assert "error" in r.json()
        if poison is not None:
            assert r.status_code in (400, 422) and bridge.run(_count()) == before, f"dossier from {data!r}"
        seen.append(str(r.status_code))

    return run


async def test_citizen_forms_never_answer_5xx_nor_keep_invalid_applications(
        client: httpx.AsyncClient, users: dict) -> None:
    bridge = Bridge(asyncio.get_running_loop(), client)
    seen: list[str] = []
    auth = await token(client, "citizen")
    await page_login(client, "citizen")
    for slug, code in CODES.items():
        await publish_shipped(slug)
        path = f"/nop-ho-so/{code}"
        page = (await client.get(path)).text
        names = _fields(page)
        assert len(names) >= 10, names
        csrf = await page_csrf(client, path)
        base = BIRTH if slug == "birth-registration" else {}
        await in_thread(_page_runner(bridge, path, dict(base), names, csrf, seen))
        await in_thread(_api_runner(bridge, code, APPLICATIONS[slug], auth, seen))
    statuses = {s: seen.count(s) for s in sorted(set(seen))}
    print(f"form fuzz cases on this database: {dict(bridge.counts)}, statuses {statuses}")
    assert sum(bridge.counts.values()) >= 4 * EXAMPLES * 0.9
