"""The document viewer: a dossier's stored files open inline (PDF, images) for the staff who can
see the dossier and its owner, with safe headers; every staff view is logged; no IDOR."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from engine import attachments, dossiers
from engine.models import Attachment, DocumentAccess, HumanTask, User
from tests.factories import APPLICATIONS, page_login, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PDF = b"%PDF-1.4 the birth certificate"
NAME = 'Giấy chứng sinh "bản sao";.pdf'


async def _as(client: httpx.AsyncClient, username: str) -> None:
    client.cookies.clear()
    await page_login(client, username)


async def _file_dossier(client: httpx.AsyncClient, owner: str, content: bytes = PDF, name: str = NAME,
                        content_type: str = "application/pdf") -> tuple[str, int]:
    """A birth registration whose upload is a real stored file (engine.attachments, the app's data dir)."""
    folder = client._transport.app.state.settings.data_dir / "uploads"  # type: ignore[attr-defined]
    ref = attachments.store(folder, name, content_type, content, 100_000, "birth_certificate")
    data = {**APPLICATIONS["birth-registration"], "birth_certificate": [ref]}
    dossier = await dossiers.submit(rt(), "1.001193", data, now=NOW, user=await User.get(username=owner))
    attachment = await Attachment.get(dossier_id=dossier.id)
    return dossier.code, attachment.id


async def test_staff_and_the_owner_open_a_pdf_inline_with_safe_headers_and_staff_views_are_logged(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    code, attachment_id = await _file_dossier(client, "citizen")
    url = f"/ho-so/{code}/tep/{attachment_id}"
    await _as(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{code}")).text
    assert f'href="{url}?purpose=dossier"' in page and "Xem" in page
    assert f"({len(PDF)} B)" in page and "0 KB" not in page  # a small file reads in bytes, not "0 KB"
    task = await HumanTask.get(dossier_id=(await dossiers.get_for(code, users["officer"])).id, state="ready")
    await client.post(f"/can-bo/viec/{task.id}/nhan", data={"csrf_token": _csrf(page)})
    task_page = (await client.get(f"/can-bo/viec/{task.id}")).text
    assert f'href="{url}?purpose=task"' in task_page
    data = task_page[task_page.index('id="data"'):]  # the dossier's data with the form's labels and sections
    assert "Thông tin người mẹ" in data and "mother.full_name" not in data.replace('data-key="mother.full_name"', "")
    r = await client.get(url, params={"purpose": "task"})
    assert r.status_code == 200 and r.content == PDF and r.headers["content-type"] == "application/pdf"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"].startswith("sandbox;")  # the route's own, not the site's CSP
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("inline; ") and f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert '"bản' not in disposition and ';.pdf"' not in disposition.split("filename*")[0]  # no injected quotes
    await _as(client, "specialist")
    assert (await client.get(url)).status_code == 200
    logged = await DocumentAccess.filter(attachment_id__not_isnull=True).order_by("id")  # documents (not pages)
    assert [(a.username, a.purpose, a.attachment_id) for a in logged] == [
        ("officer", "task", attachment_id), ("specialist", "dossier", attachment_id)]
    await _as(client, "citizen")  # the owner opens their own file; not logged as a staff access
    assert (await client.get(url)).content == PDF
    assert await DocumentAccess.filter(attachment_id__not_isnull=True).count() == 2


async def test_another_citizen_a_wrong_pairing_and_anonymous_get_nothing(
        client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    code_a, file_a = await _file_dossier(client, "citizen")
    code_b, file_b = await _file_dossier(client, "citizen2", b"\x89PNG\r\n\x1a\n image", "anh.png", "image/png")
    assert (await client.get(f"/ho-so/{code_a}/tep/{file_a}")).headers["location"].startswith("/login")
    await _as(client, "citizen2")
    assert (await client.get(f"/ho-so/{code_a}/tep/{file_a}")).status_code == 404  # citizen A's file
    assert (await client.get(f"/ho-so/{code_b}/tep/{file_a}")).status_code == 404  # A's file through B's dossier
    assert (await client.get(f"/ho-so/{code_b}/tep/abc")).status_code == 404
    own = await client.get(f"/ho-so/{code_b}/tep/{file_b}")
    assert own.status_code == 200 and own.headers["content-type"] == "image/png"
    await _as(client, "officer")
    assert (await client.get(f"/ho-so/{code_a}/tep/{file_b}")).status_code == 404  # wrong pairing, staff too
    assert await DocumentAccess.all().count() == 0
    page = (await client.get(f"/can-bo/ho-so/{code_b}")).text
    assert f'<img class="mc-preview" src="/ho-so/{code_b}/tep/{file_b}?purpose=dossier"' in page


def _csrf(page: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)
