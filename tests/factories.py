"""Plain async factories for tests."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx

from engine import procedures
from engine.models import ProcedureVersion
from engine.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
PROCEDURES = ROOT / "bpmn" / "procedures"
PASSWORD = "correct-horse-battery"
#: the runtime of the test's open database (set by the db fixtures in conftest; tests run one at a time)
RUNTIME: list[Runtime] = []


def free_port() -> int:
    """A TCP port on 127.0.0.1 free at the moment (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rt() -> Runtime:
    """The runtime built for the test's database (the one the test's app uses too)."""
    return RUNTIME[-1]


async def publish_shipped(slug: str) -> ProcedureVersion:
    from forms import check_schema

    return await procedures.load_from_folder(PROCEDURES / slug, check_form=check_schema)


async def token(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


APPLICATIONS: dict[str, dict[str, Any]] = {
    "birth-registration": {
        "child_full_name": "Nguyễn Văn Bình", "child_date_of_birth": "2026-11-01", "child_sex": "male",
        "child_ethnicity": "kinh", "child_nationality": "VN", "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội",
        "child_home_town": "Xã Đông Anh, Hà Nội",
        "mother": {"full_name": "Trần Thị Hoa", "birth_year": 1995, "ethnicity": "kinh", "nationality": "VN",
                   "residence": "Phường Ba Đình, Hà Nội", "id_number": "001195012345"},
        "requester_full_name": "Trần Thị Hoa", "requester_id_number": "001195012345",
        "requester_relationship": "mother", "requester_phone": "0912345678", "delivery_method": "electronic",
        "birth_certificate": [{"name": "giay-chung-sinh.pdf", "content_type": "application/pdf", "size": 1024,
                               "sha256": "0" * 64}],
    },
    "household-business": {
        "registration_required_confirmed": True, "business_name": "Hộ kinh doanh Bình An",
        "business_province": "Hà Nội", "business_commune": "Phường Cầu Giấy", "business_street": "12 Trần Thái Tông",
        "business_lines": ["5610"], "capital_vnd": 100000000, "workers": 3,
        "owner_full_name": "Lê Văn Nam", "owner_date_of_birth": "1988-04-02", "owner_sex": "male",
        "owner_id_number": "001088004567", "owner_residence": "Phường Cầu Giấy, Hà Nội",
        "members": [{"full_name": "Lê Thị Mai", "id_number": "001190007654"}],
    },
}
CODES = {"birth-registration": "1.001193", "household-business": "2.000720"}

#: (task element id, staff username, data) for the happy path of both shipped procedures.
HAPPY_PATH = [
    ("intake", "officer", {"intake_decision": "accept", "intake_note": "Đủ thành phần hồ sơ"}),
    ("appraisal", "specialist", {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"}),
    ("approval", "leader", {"approval_decision": "sign"}),
    ("return_result", "officer", {"returned_via": "electronic", "result_handed_over": True}),
]


async def page_csrf(client: httpx.AsyncClient, path: str = "/login") -> str:
    """The CSRF token a page's forms carry (the session's)."""
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', (await client.get(path)).text)
    assert match, path
    return match.group(1)


async def page_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the /login form (session cookie)."""
    r = await client.post("/login", data={"csrf_token": await page_csrf(client), "username": username,
                                          "password": password})
    assert r.status_code == 303


async def accepted_household(users: dict[str, Any], now: Any) -> Any:
    """A household-business dossier the one-stop officer accepted at `now`."""
    from engine import dossiers
    from engine.models import HumanTask

    await publish_shipped("household-business")
    dossier = await dossiers.submit(rt(), "2.000720", APPLICATIONS["household-business"], now=now,
                                    user=users["citizen"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    return await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], now)


async def supplement_asked(client: httpx.AsyncClient, users: dict[str, Any], now: Any) -> tuple[Any, str]:
    """A household-business dossier accepted at `now` whose specialist then asked for a supplement
    ("Thiếu biên bản họp"), with the citizen signed in on `client`: the dossier and its tracking page."""
    from engine import dossiers
    from engine.dossier_lifecycle import Step

    dossier = await accepted_household(users, now)
    dossier = await dossiers.step(rt(), dossier.code, Step("request_supplement", reasons=("Thiếu biên bản họp",)),
                                  users["specialist"], now)
    await page_login(client, "citizen")
    return dossier, (await client.get(f"/tra-cuu/{dossier.code}")).text


async def api_accepted_household(client: httpx.AsyncClient, at: Any) -> tuple[str, dict[str, str]]:
    """A household-business dossier (3 working days) submitted and accepted through the API at `at`
    (the app's clock is left at `at`); its code and the one-stop officer's headers."""
    await publish_shipped("household-business")
    client._transport.app.state.clock = lambda: at  # type: ignore[attr-defined]
    r = await client.post("/api/v1/dossiers", headers=await token(client, "citizen"),
                          json={"procedure": CODES["household-business"], "data": APPLICATIONS["household-business"]})
    assert r.status_code == 201, r.text
    officer = await token(client, "officer")
    r = await client.post(f"/api/v1/tasks/{r.json()['tasks'][0]['id']}/complete", headers=officer,
                          json={"data": {"intake_decision": "accept"}})
    assert r.status_code == 200, r.text
    return r.json()["code"], officer
