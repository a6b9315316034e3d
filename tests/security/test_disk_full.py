"""Disk full during upload (issue 10, fault tests; SECURITY.md F8): the uploads folder sits on a 1 MB
tmpfs mounted for the test and filled up to a few hundred kB. A file larger than the space left (but
under the upload limit) then gets a clear Vietnamese answer, 507 "out of space for files" (a server
fault, not the citizen's, and not a 5-second outage like 503): no dossier is created, no partial or
orphan file is left in the uploads folder, what was typed is kept as the draft, and once space is
back the same application goes through."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from engine.models import ApplicationDraft, Attachment, Dossier
from tests.factories import page_csrf, page_login, publish_shipped, supplement_asked
from tests.web.test_citizen_apply import BIRTH, PDF

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BIG = PDF + b"0" * 600_000  # > the space left, < the 10 MB upload limit


@pytest.fixture
def tiny_disk() -> Iterator[Path]:
    """A 1 MB tmpfs holding the data folder, with about 300 kB left for uploads."""
    mount = Path(tempfile.mkdtemp(prefix="motcua-diskfull-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True,
                          text=True) if os.geteuid() == 0 and shutil.which("mount") else None
    if done is None or done.returncode != 0:
        mount.rmdir()
        reason = f"mounting a tmpfs needs root ({done.stderr.strip() if done else 'not root'})"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        (mount / "uploads").mkdir()
        (mount / "filler").write_bytes(b"\0" * 700_000)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False, capture_output=True)
        mount.rmdir()


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _use(client: httpx.AsyncClient, data_dir: Path) -> None:
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.settings = dataclasses.replace(app.state.settings, data_dir=data_dir)


async def test_a_citizen_application_on_a_full_disk_is_refused_clearly_and_loses_nothing(
        client: httpx.AsyncClient, users: dict, tiny_disk: Path) -> None:
    _use(client, tiny_disk)
    await publish_shipped("birth-registration")
    await page_login(client, "citizen")
    token = await page_csrf(client, "/nop-ho-so/1.001193")
    assert shutil.disk_usage(tiny_disk).free < len(BIG)
    r = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token},
                          files={"birth_certificate": ("giay-chung-sinh.pdf", BIG, "application/pdf")})
    assert r.status_code == 507, r.text[:500]
    assert "Hệ thống tạm thời hết chỗ lưu tệp nên chưa nhận được tệp này" in r.text and "Traceback" not in r.text
    assert 'value="Trần Thị Hoa"' in r.text  # what was typed is shown again
    assert not await Dossier.exists()
    assert _files(tiny_disk / "uploads") == []  # no part file, no orphan
    draft = await ApplicationDraft.get(user_id=users["citizen"].id)
    assert draft.data["mother"]["full_name"] == "Trần Thị Hoa" and not draft.data.get("_files")
    # the other pages keep working, and once space is back the same application goes through
    assert (await client.get("/nop-ho-so/1.001193")).status_code == 200
    (tiny_disk / "filler").unlink()
    ok = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token},
                           files={"birth_certificate": ("giay-chung-sinh.pdf", BIG, "application/pdf")})
    assert ok.status_code == 303, ok.text[:500]
    digest = hashlib.sha256(BIG).hexdigest()
    assert _files(tiny_disk / "uploads") == [f"{digest[:2]}/{digest}"]
    assert (await Dossier.all().count(), await Attachment.all().count()) == (1, 1)


async def test_a_supplement_upload_on_a_full_disk_says_so_and_stores_nothing(
        client: httpx.AsyncClient, users: dict, tiny_disk: Path) -> None:
    _use(client, tiny_disk)
    dossier, page = await supplement_asked(client, users, NOW)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    before = (await Attachment.filter(dossier_id=dossier.id).count(), await Dossier.get(id=dossier.id))
    r = await client.post(f"/tra-cuu/{dossier.code}/bo-sung", data={"csrf_token": csrf},
                          files={"files": ("bien-ban.pdf", BIG, "application/pdf")})
    assert r.status_code == 200  # the page again (the note typed is kept), saying why
    notice = re.search(r'id="supplement-notice"[^>]*>(.*?)</div>', r.text, re.S)
    assert notice and "hết chỗ lưu tệp nên chưa nhận được giấy tờ bổ sung" in notice.group(1)
    after = await Dossier.get(id=dossier.id)
    assert await Attachment.filter(dossier_id=dossier.id).count() == before[0]
    assert (after.lifecycle_status, after.revision) == (before[1].lifecycle_status, before[1].revision)  # waits
    assert _files(tiny_disk / "uploads") == []
