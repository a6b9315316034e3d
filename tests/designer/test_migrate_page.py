"""The designer's migration form: a dry-run report first, then the move."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from engine import dossiers, procedures
from engine.models import Dossier
from tests.engine.test_migration import FORMS, with_review_step
from tests.factories import APPLICATIONS, CODES, PROCEDURES, page_login, publish_shipped, rt


async def test_admin_dry_runs_then_migrates_running_dossiers(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    code = CODES["birth-registration"]
    dossier = await dossiers.submit(rt(), code, APPLICATIONS["birth-registration"], now=datetime.now(UTC),
                                    user=users["citizen"])
    xml = (PROCEDURES / "birth-registration" / "model.bpmn").read_text(encoding="utf-8")
    v2 = await procedures.publish(code, with_review_step(xml), FORMS)
    await page_login(client, "admin")
    page = (await client.get(f"/designer/{code}")).text
    assert 'data-migrate="1"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    report = await client.post(f"/designer/{code}/migrate", data={"csrf_token": token, "from": "1", "to": "2"})
    assert report.status_code == 200 and f'data-dossier="{dossier.code}"' in report.text
    assert 'id="migrate-confirm"' in report.text
    assert (await Dossier.get(id=dossier.id)).procedure_version_id != v2.id
    done = await client.post(f"/designer/{code}/migrate", data={"csrf_token": token, "from": "1", "to": "2",
                                                                "confirm": "1"})
    assert done.status_code == 200 and "Đã chuyển" in done.text
    assert (await Dossier.get(id=dossier.id)).procedure_version_id == v2.id
