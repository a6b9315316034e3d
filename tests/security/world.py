"""A small real world for authorization tests: two agencies, every principal, a procedure, a dossier
of citizen A (with a stored document, an open task) and one of citizen B, signed-in clients.

Principals: anonymous, citizen_a, citizen_b (B asks for A's dossier), one_stop, specialist, leader (all
of agency X, where A's dossier is), manager (province-wide), admin (designer), other_agency (a staff
member of agency Y holding every staff role: only the agency scope can refuse it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import httpx

from engine import accounts, attachments, channels, dossiers
from engine.models import Agency, Attachment, CalendarOverride, Dossier, HumanTask, ReceptionPoint, User
from tests.factories import APPLICATIONS, PASSWORD, page_csrf, page_login, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 a birth certificate"
PRINCIPALS = ("anonymous", "citizen_a", "citizen_b", "one_stop", "specialist", "leader", "manager", "admin",
              "other_agency")
STAFF_ROLES = {"one_stop": ["one_stop"], "specialist": ["specialist"], "leader": ["leader"]}


@dataclass
class World:
    procedure: str = "1.001193"
    dossier: str = ""  # citizen A's, in agency X, with a ready intake task and a stored document
    dossier_b: str = ""
    task: str = ""
    attachment: int = 0
    citizen_a_id: int = 0
    override: int = 0  # a calendar override
    policy: int = 0  # a channel policy
    dossier_id: int = 0
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # API bearer headers per principal
    cookies: dict[str, httpx.Cookies] = field(default_factory=dict)  # page sessions per principal
    csrf: dict[str, str] = field(default_factory=dict)


async def build(client: httpx.AsyncClient) -> World:
    await Agency.create(code="X", name="UBND xã X", tier="commune", kind="commune_committee", commune_type="xa")
    await Agency.create(code="Y", name="UBND xã Y", tier="commune", kind="commune_committee", commune_type="xa")
    names = {"citizen_a": ("citizen", [], ""), "citizen_b": ("citizen", [], ""),
             **{k: ("staff", roles, "X") for k, roles in STAFF_ROLES.items()},
             "manager": ("manager", ["one_stop", "specialist", "leader"], ""), "admin": ("admin", [], ""),
             "other_agency": ("staff", ["one_stop", "specialist", "leader"], "Y")}
    for name, (kind, roles, agency) in names.items():
        await accounts.create_user(name, PASSWORD, kind, roles=roles, agency=agency)
    await ReceptionPoint.create(code="X-01", name="Bộ phận một cửa xã X", agency_code="X")
    await publish_shipped("birth-registration")
    world = World()
    world.citizen_a_id = (await User.get(username="citizen_a")).id
    world.override = (await CalendarOverride.create(on=date(2026, 9, 3), kind="holiday", note="Nghỉ lễ",
                                                    created_by="admin")).id
    world.policy = (await channels.create_policy(created_by="admin", name="Ngày không giấy", start_on="2026-01-02",
                                                 procedure_codes=[world.procedure], channels_allowed=["online"])).id
    folder = client._transport.app.state.settings.data_dir / "uploads"  # type: ignore[attr-defined]
    for owner in ("citizen_a", "citizen_b"):
        ref = attachments.store(folder, "giay-chung-sinh.pdf", "application/pdf", PDF, 100_000, "birth_certificate")
        data = {**APPLICATIONS["birth-registration"], "birth_certificate": [ref]}
        made = await dossiers.submit(rt(), world.procedure, data, now=NOW, user=await User.get(username=owner))
        await Dossier.filter(id=made.id).update(agency_code="X")
        if owner == "citizen_a":
            world.dossier, world.dossier_id = made.code, made.id
            world.attachment = (await Attachment.get(dossier_id=made.id)).id
            world.task = str((await HumanTask.get(dossier_id=made.id, state="ready")).id)
        else:
            world.dossier_b = made.code
    for name in PRINCIPALS:
        client.cookies.clear()
        if name == "anonymous":
            world.headers[name] = {}
            world.csrf[name] = await page_csrf(client)
        else:
            r = await client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            world.headers[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
            await page_login(client, name)
            world.csrf[name] = await page_csrf(client, "/tra-cuu")
        world.cookies[name] = httpx.Cookies(client.cookies)
    client.cookies.clear()
    return world
