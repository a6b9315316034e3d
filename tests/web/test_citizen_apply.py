"""The online application page without a browser: uploads kept across errors, upload messages,
the error summary naming sections (tests/browser has the same journey at 360 px)."""

from __future__ import annotations

import dataclasses
import hashlib
import re

import httpx

from engine.models import ApplicationDraft, Attachment, Dossier
from tests.factories import page_csrf, page_login, publish_shipped

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BIRTH = {
    "child_full_name": "Nguyễn Văn Bình", "child_date_of_birth-day": "01", "child_date_of_birth-month": "11",
    "child_date_of_birth-year": "2026", "child_sex": "male", "child_ethnicity": "kinh", "child_nationality": "VN",
    "child_place_of_birth": "Bệnh viện Phụ sản Hà Nội", "child_home_town": "Xã Đông Anh, Hà Nội",
    "mother.full_name": "Trần Thị Hoa", "mother.birth_year": "1995", "mother.ethnicity": "kinh",
    "mother.nationality": "VN", "mother.residence": "Phường Ba Đình, Hà Nội", "requester_full_name": "Trần Thị Hoa",
    "requester_id_number": "001195012345", "requester_relationship": "mother", "requester_phone": "0912345678",
    "delivery_method": "electronic",
}


async def _start(client: httpx.AsyncClient) -> str:
    await publish_shipped("birth-registration")
    await page_login(client, "citizen")
    return await page_csrf(client, "/nop-ho-so/1.001193")


def _summary(page: str) -> list[str]:
    block = re.search(r'class="mc-error-summary".*?</ul>', page, re.S)
    return re.findall(r"<a href=\"#[^\"]+\">([^<]+)</a>", block.group(0)) if block else []


async def test_an_uploaded_file_survives_an_error_elsewhere_and_is_used_on_the_next_submit(
        client: httpx.AsyncClient, users: dict) -> None:
    token = await _start(client)
    bad = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token, "mother.full_name": ""},
                            files={"birth_certificate": ("giay-chung-sinh.pdf", PDF, "application/pdf")})
    assert bad.status_code == 200 and "<title>Lỗi:" in bad.text
    assert f"Đã tải lên: giay-chung-sinh.pdf ({len(PDF)} B)" in bad.text
    assert _summary(bad.text) == ["Thông tin người mẹ: Nhập họ, chữ đệm và tên"]
    assert "Tải lên giấy chứng sinh" not in bad.text  # the file counts: no "upload it" error
    draft = await ApplicationDraft.get(user_id=users["citizen"].id)
    assert draft.data["_files"]["birth_certificate"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    # corrected, without choosing the file again (a browser posts an empty file part)
    good = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token},
                             files={"birth_certificate": ("", b"", "application/octet-stream")})
    assert good.status_code == 303, _summary(good.text)
    dossier = await Dossier.get()
    attachment = await Attachment.get(dossier_id=dossier.id)
    assert (attachment.component, attachment.name, attachment.size, attachment.sha256) == (
        "birth_certificate", "giay-chung-sinh.pdf", len(PDF), hashlib.sha256(PDF).hexdigest())
    assert not await ApplicationDraft.filter(user_id=users["citizen"].id).exists()


async def test_a_refused_upload_says_whether_it_is_too_large_or_of_the_wrong_type(
        client: httpx.AsyncClient, users: dict) -> None:
    token = await _start(client)
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.settings = dataclasses.replace(app.state.settings, max_upload_bytes=2_000_000)
    fake = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token},
                             files={"birth_certificate": ("giay.pdf", b"MZ\x90 not a pdf", "application/pdf")})
    assert fake.status_code == 200
    assert _summary(fake.text) == ["Giấy chứng sinh (bản chụp hoặc bản quét): Loại tệp không được chấp nhận "
                                   "(chỉ PDF, JPG, PNG)"]
    big = PDF + b"0" * 2_000_100
    large = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token},
                              files={"birth_certificate": ("giay.pdf", big, "application/pdf")})
    assert large.status_code == 200 and "Tệp quá lớn (tối đa 2 MB)" in large.text
    assert not await Dossier.exists()


async def test_a_file_saved_with_the_draft_is_shown_when_the_citizen_comes_back(
        client: httpx.AsyncClient, users: dict) -> None:
    token = await _start(client)
    saved = await client.post("/nop-ho-so/1.001193", data={"csrf_token": token, "save_draft": "1",
                                                           "child_full_name": "Nguyễn Văn Bình"},
                              files={"birth_certificate": ("giay.pdf", PDF, "application/pdf")})
    assert saved.status_code == 303
    page = (await client.get("/nop-ho-so/1.001193")).text
    assert 'id="draft-notice"' in page and f"Đã tải lên: giay.pdf ({len(PDF)} B)" in page


HOUSEHOLD = {
    "registration_required_confirmed": "true", "business_name": "Hộ kinh doanh Bình An",
    "business_province": "Hà Nội", "business_commune": "Phường Cầu Giấy", "business_street": "12 Trần Thái Tông",
    "business_lines": "5610", "capital_vnd": "100000000", "workers": "3", "owner_full_name": "Lê Văn Nam",
    "owner_date_of_birth-day": "2", "owner_date_of_birth-month": "4", "owner_date_of_birth-year": "1988",
    "owner_sex": "male", "owner_id_number": "001088004567", "owner_residence": "Phường Cầu Giấy, Hà Nội",
}


async def test_a_household_without_other_members_submits_without_removing_a_blank_row(
        client: httpx.AsyncClient, users: dict) -> None:
    """"Thành viên hộ gia đình tham gia đăng ký (nếu có)" is optional: the page opens with no member row
    (only "Thêm dòng"), so a household of one is not told to fill or remove a blank row first."""
    await publish_shipped("household-business")
    await page_login(client, "citizen")
    page = (await client.get("/nop-ho-so/2.000720")).text
    assert 'name="members-0-full_name"' not in page and 'value="add:members"' in page
    token = await page_csrf(client, "/nop-ho-so/2.000720")
    r = await client.post("/nop-ho-so/2.000720", data={**HOUSEHOLD, "csrf_token": token})
    assert r.status_code == 303, _summary(r.text)
    assert await Dossier.all().count() == 1


async def test_email_notifications_without_an_address_are_refused_next_to_the_choice(
        client: httpx.AsyncClient, users: dict) -> None:
    """Ticking e-mail with no e-mail address in the form would send nothing, silently: the page says
    which field to fill, next to the choice and in the summary, and keeps what was typed and ticked."""
    token = await _start(client)
    posted = {**BIRTH, "csrf_token": token, "notify": ["email", "sms"]}
    files = {"birth_certificate": ("giay-chung-sinh.pdf", PDF, "application/pdf")}
    bad = await client.post("/nop-ho-so/1.001193", data=posted, files=files)
    assert bad.status_code == 200 and "<title>Lỗi:" in bad.text
    assert not await Dossier.exists()
    fieldset = re.search(r'<fieldset class="mc-notify[^"]*" id="notify".*?</fieldset>', bad.text, re.S)
    assert fieldset is not None and 'aria-describedby="notify-error"' in fieldset.group(0)
    error = re.search(r'<div id="notify-error">(.*?)</div>', fieldset.group(0), re.S)
    said = re.sub(r"<[^>]+>", "", error.group(1)) if error else ""
    assert "Cần có địa chỉ thư điện tử để nhận thông báo qua thư" in said and "“Thư điện tử”" in said, said
    assert 'href="#f-requester_email"' in fieldset.group(0) and 'data-missing="sms"' not in fieldset.group(0)
    assert _summary(bad.text) == ["Người đi đăng ký khai sinh: Nhập thư điện tử để nhận thông báo qua thư điện tử, "
                                  "hoặc bỏ chọn nhận thông báo qua thư"]
    assert re.search(r'id="notify-email"[^>]*checked', bad.text) and 'value="0912345678"' in bad.text
    # with an address it goes through, and the tracking page says where notices go
    good = await client.post("/nop-ho-so/1.001193", data={**posted, "requester_email": "hoa@example.vn"},
                             files={"birth_certificate": ("", b"", "application/octet-stream")})
    assert good.status_code == 303, _summary(good.text)
    dossier = await Dossier.get()
    assert dossier.notify_channels == "email,sms" and dossier.applicant_email == "hoa@example.vn"
    track = (await client.get(f"/tra-cuu/{dossier.code}")).text
    shown = re.search(r'<p id="notify-to">(.*?)</p>', track, re.S)
    said = re.sub(r"<[^>]+>", "", shown.group(1)) if shown else ""
    assert said == "Thông báo về hồ sơ được gửi qua: Thư điện tử (h***@example.vn); Tin nhắn SMS (091****678).", said


async def test_a_procedure_every_commune_handles_asks_which_one_and_keeps_the_form_until_answered(
        client: httpx.AsyncClient, users: dict) -> None:
    from engine import agencies

    for code, name in (("X.B", "Ủy ban nhân dân phường B"), ("X.A", "Ủy ban nhân dân xã A")):
        await agencies.save_agency({"code": code, "name": name, "tier": "commune", "kind": "commune_committee",
                                    "commune_type": "xa"})
    token = await _start(client)  # the birth registration names "Ủy ban nhân dân cấp xã"
    page = (await client.get("/nop-ho-so/1.001193")).text
    assert re.findall(r'<option value="(X\.[AB])"', page) == ["X.B", "X.A"]  # by name: phường B, xã A
    certificate = {"birth_certificate": ("giay-chung-sinh.pdf", PDF, "application/pdf")}
    unanswered = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token}, files=certificate)
    assert unanswered.status_code == 200 and "<title>Lỗi:" in unanswered.text
    assert _summary(unanswered.text) == ["Chọn cơ quan tiếp nhận hồ sơ"]  # the summary links to the choice
    assert 'id="f-agency-error"' in unanswered.text and 'aria-invalid="true"' in unanswered.text
    assert 'value="Nguyễn Văn Bình"' in unanswered.text and not await Dossier.exists()  # nothing typed is lost
    saved = await client.post("/nop-ho-so/1.001193", data={"csrf_token": token, "save_draft": "1", "agency": "X.A",
                                                           "child_full_name": "Nguyễn Văn Bình"})
    assert saved.status_code == 303
    resumed = (await client.get("/nop-ho-so/1.001193")).text  # the draft keeps the choice too
    assert re.search(r'<option value="X\.A" selected>', resumed) and 'id="draft-notice"' in resumed
    answered = await client.post("/nop-ho-so/1.001193", data={**BIRTH, "csrf_token": token, "agency": "X.A"},
                                 files={"birth_certificate": ("", b"", "application/octet-stream")})
    assert answered.status_code == 303, _summary(answered.text)
    dossier = await Dossier.get()
    assert dossier.agency_code == "X.A" and dossier.code.startswith("X.A-")
    receipt = (await client.get(answered.headers["location"])).text  # wraps at the hyphens on a phone
    assert f'id="dossier-code">{dossier.code.replace("-", "-<wbr>")}</p>' in receipt
    english = await client.get("/nop-ho-so/1.001193?lang=en")
    assert "Agency that receives the application" in english.text
    status = await client.get(f"/tra-cuu/{dossier.code}")  # the citizen's own dossier says where it went
    assert status.status_code == 200 and '<dd id="agency">Ủy ban nhân dân xã A</dd>' in status.text
    await page_login(client, "officer")  # the staff's dossier page says where it was sent
    assert '<dd id="agency">Ủy ban nhân dân xã A</dd>' in (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
