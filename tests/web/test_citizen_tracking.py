"""The tracking page tells the citizen, in words, why a dossier was refused, what a supplement
request asks for, and what went wrong with an upload or a rating (never JSON, never a bare code)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from engine import dossiers
from engine.models import HumanTask
from tests.factories import APPLICATIONS, HAPPY_PATH, page_login, publish_shipped, rt, supplement_asked

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


async def test_a_refused_dossier_shows_the_reasons(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "refuse", "intake_note": "Thiếu giấy chứng sinh"},
                                 users["officer"], NOW)
    await page_login(client, "citizen")
    page = (await client.get(f"/tra-cuu/{dossier.code}")).text
    refusal = re.search(r'id="refusal">(.*?)</div>', page, re.S)
    assert refusal and "Lý do từ chối" in refusal.group(1) and "<li>Thiếu giấy chứng sinh</li>" in refusal.group(1)
    assert "09:00 ngày 02/03/2026" in refusal.group(1)  # the refusal time, in Việt Nam


async def test_supplement_request_says_what_is_asked_and_upload_errors_say_why(
        client: httpx.AsyncClient, users: dict) -> None:
    dossier, page = await supplement_asked(client, users, NOW)
    asked = re.search(r'id="supplement-asked">(.*?)</ul>', page, re.S)
    assert asked and asked.group(1) == "<li>Thiếu biên bản họp</li>"
    assert "Hạn bổ sung" in page
    for files, expected in ((None, "Chọn ít nhất một tệp giấy tờ bổ sung"),
                            ({"files": ("x.pdf", b"MZ not a pdf", "application/pdf")},
                             "Loại tệp không được chấp nhận (chỉ PDF, JPG, PNG)"),
                            ({"files": ("x.pdf", b"", "application/pdf")}, None)):
        r = await client.post(f"/tra-cuu/{dossier.code}/bo-sung", data={"csrf_token": _token(page),
                                                                          "note": "Gửi bản quét"}, files=files)
        assert r.status_code == 200  # the page again, with the note typed
        assert '<textarea id="note" name="note" rows="2">Gửi bản quét</textarea>' in r.text
        assert "{" not in re.sub(r"<style>.*?</style>", "", r.text, flags=re.S)
        notice = re.search(r'id="supplement-notice"[^>]*>(.*?)</div>', r.text, re.S)
        assert notice and "Chưa gửi được" in notice.group(1), files
        if expected:
            assert expected in notice.group(1)


async def test_a_rating_without_a_score_says_so(client: httpx.AsyncClient, users: dict) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    await page_login(client, "citizen")
    page = (await client.get(f"/tra-cuu/{dossier.code}")).text
    r = await client.post(f"/tra-cuu/{dossier.code}/danh-gia", data={"csrf_token": _token(page), "score": ""})
    shown = (await client.get(r.headers["location"])).text
    notice = re.search(r'id="rating"[^>]*>(.*?)</div>', shown, re.S)
    assert notice and "Hồ sơ này không thể đánh giá" in notice.group(1)  # no result yet


async def test_a_rating_without_a_score_keeps_the_comment_typed(client: httpx.AsyncClient, users: dict) -> None:
    """The one-question rating of a returned dossier: sent with a comment but no level, the page says what is
    missing and still holds the comment (it came back empty); a too-long comment keeps the chosen level."""
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW,
                                    user=users["citizen"])
    for _element, who, data in HAPPY_PATH:
        task = await HumanTask.get(dossier_id=dossier.id, state="ready")
        await dossiers.complete_task(rt(), task.id, data, users[who], NOW)
    await page_login(client, "citizen")
    page = (await client.get(f"/tra-cuu/{dossier.code}")).text
    r = await client.post(f"/tra-cuu/{dossier.code}/danh-gia",
                          data={"csrf_token": _token(page), "comment": "Cán bộ nhiệt tình & chu đáo"})
    assert r.status_code == 200
    notice = re.search(r'id="rating"[^>]*>(.*?)</div>', r.text, re.S)
    assert notice and "Chọn một mức độ hài lòng" in notice.group(1)
    assert '<textarea id="comment" name="comment" rows="3">Cán bộ nhiệt tình &amp; chu đáo</textarea>' in r.text
    long = await client.post(f"/tra-cuu/{dossier.code}/danh-gia",
                             data={"csrf_token": _token(page), "score": "4", "comment": "x" * 2001})
    assert "Góp ý chỉ được tối đa 2000 ký tự" in long.text
    assert re.search(r'id="score-4" name="score" value="4" checked>', long.text)
    done = await client.post(f"/tra-cuu/{dossier.code}/danh-gia",
                             data={"csrf_token": _token(page), "score": "4", "comment": "Tốt"})
    assert done.status_code == 303 and done.headers["location"].endswith("?rating=thanks")
