"""A citizen's export of their own data (issue 10; Law 91/2025): the ZIP from /tai-khoan holds exactly
their dossiers, their files and the staff reads of them (not citizen B's), with Vietnamese names and a
Vietnamese README; each export is recorded. Both databases, through the real pages."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

import httpx

from engine import dossiers
from engine.models import Attachment, DataExport
from tests.factories import APPLICATIONS, page_csrf, page_login, publish_shipped, rt

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
B_NAME, B_ID = "Phạm Thị Bê", "001190099999"


def _store(content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    path = rt().settings.data_dir / "uploads" / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return digest


async def _dossier(user: Any, data: dict[str, Any], content: bytes, name: str) -> tuple[str, int]:
    d = await dossiers.submit(rt(), "2.000720", data, now=AT, user=user)
    a = await Attachment.create(dossier_id=d.id, component="owner_id_card", name=name, sha256=_store(content),
                                size=len(content), content_type="application/pdf", at=AT)
    return d.code, a.id


async def test_the_export_holds_exactly_the_citizen_s_data(client: httpx.AsyncClient, users: dict[str, Any]) -> None:
    await publish_shipped("household-business")
    a1, file1 = await _dossier(users["citizen"], APPLICATIONS["household-business"], b"%PDF-A1", "căn-cước.pdf")
    a2, _ = await _dossier(users["citizen"], APPLICATIONS["household-business"], b"%PDF-A2", "sổ hộ khẩu.pdf")
    b_data = {**APPLICATIONS["household-business"], "owner_full_name": B_NAME, "owner_id_number": B_ID}
    b1, b_file = await _dossier(users["citizen2"], b_data, b"%PDF-B1", "giay-cua-b.pdf")

    # staff read A's document twice and B's once: the access log
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as officer:
        await page_login(officer, "officer")
        for code, attachment in ((a1, file1), (a1, file1), (b1, b_file)):
            r = await officer.get(f"/ho-so/{code}/tep/{attachment}")
            assert r.status_code == 200, r.text[:300]
        assert (await officer.get("/tai-khoan")).status_code == 403  # staff have no citizen account page

    await page_login(client, "citizen")
    page = await client.get("/tai-khoan")
    assert page.status_code == 200 and a1 in page.text and a2 in page.text and b1 not in page.text
    r = await client.post("/tai-khoan/xuat-du-lieu", data={"csrf_token": await page_csrf(client, "/tai-khoan")})
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "application/zip" and "attachment" in r.headers["content-disposition"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    names = set(z.namelist())
    assert {"README.txt", "tai-khoan.json", "nhat-ky-truy-cap.json", f"ho-so/{a1}/ho-so.json",
            f"ho-so/{a2}/ho-so.json"} <= names
    assert not [n for n in names if b1 in n]
    files = sorted(n for n in names if "/giay-to/" in n)
    assert len(files) == 2 and sorted(z.read(n) for n in files) == [b"%PDF-A1", b"%PDF-A2"]
    everything = "\n".join(z.read(n).decode("utf-8", "replace") for n in names)
    assert B_NAME not in everything and B_ID not in everything and b1 not in everything
    dossier = json.loads(z.read(f"ho-so/{a1}/ho-so.json"))
    assert dossier["ma_ho_so"] == a1 and dossier["du_lieu"]["owner_full_name"] == "Lê Văn Nam"
    assert dossier["trang_thai"]["ten"] and [e["su_kien"] for e in dossier["lich_su"]]
    assert dossier["giay_to"][0]["ten_tep"] == "căn-cước.pdf"
    log = json.loads(z.read("nhat-ky-truy-cap.json"))
    assert [(e["ma_ho_so"], e["username"], e["ten_tep"]) for e in log] == [(a1, "officer", "căn-cước.pdf")] * 2
    readme = z.read("README.txt").decode("utf-8")
    assert "DỮ LIỆU CÁ NHÂN CỦA BẠN" in readme and "Số hồ sơ: 2" in readme
    exports = await DataExport.all()
    assert [(e.username, e.dossiers, e.files) for e in exports] == [("citizen", 2, 2)]


async def test_the_export_needs_a_signed_in_citizen_and_the_csrf_token(client: httpx.AsyncClient,
                                                                       users: dict[str, Any]) -> None:
    r = await client.get("/tai-khoan", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    await page_login(client, "citizen2")
    r = await client.post("/tai-khoan/xuat-du-lieu", data={"csrf_token": "wrong"})
    assert r.status_code in (400, 403) and await DataExport.all().count() == 0
    r = await client.post("/tai-khoan/xuat-du-lieu", data={"csrf_token": await page_csrf(client, "/tai-khoan")})
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert sorted(z.namelist()) == ["README.txt", "nhat-ky-truy-cap.json", "tai-khoan.json"]
    assert json.loads(z.read("nhat-ky-truy-cap.json")) == []
