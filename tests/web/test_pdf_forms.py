"""The legal forms as PDF (web/pdf.py): Forms 01–06 of a dossier driven through the engine and the
Form 07 register, rendered by WeasyPrint from the printable pages' templates; the text read back
with pypdf keeps the code, dd/mm/yyyy dates and Vietnamese names with their diacritics."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pypdf import PdfReader

from engine import document_access, dossiers, timers
from engine.dossier_lifecycle import Step
from engine.models import Dossier, HumanTask, Timer
from tests.factories import accepted_household, page_login, rt
from web import pdf
from web.printing import qr_for, tracking_url

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local
SQLITE = pytest.mark.parametrize("db", ["sqlite"], indirect=True)  # rendering does not depend on the database


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return flat("\n".join(page.extract_text() for page in reader.pages))


def flat(text: str) -> str:
    """The text with line breaks and space runs as one space (the layout wraps lines anywhere)."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))


def bare(text: str) -> str:
    """Without any white space: codes and URLs wrap inside the QR caption's narrow column."""
    return re.sub(r"\s+", "", text)


def fonts_of(content: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@SQLITE
async def test_receipt_pdf_has_code_times_name_font_and_the_tracking_qr(client: httpx.AsyncClient,
                                                                         users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await page_login(client, "citizen")
    page = await client.get(f"/dossiers/{dossier.code}/receipt")
    qr = qr_for("http://testserver", dossier.code)
    assert qr.url == f"http://testserver/tra-cuu?ma={dossier.code}"
    assert f'src="{qr.image}"' in page.text  # the printable page shows the same QR
    r = await client.get(f"/dossiers/{dossier.code}/receipt.pdf")
    text = text_of(r)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert dossier.code in bare(text) and "Lê Văn Nam" in text
    assert "09:00 ngày 02/03/2026" in text and "09:00 ngày 05/03/2026" in text
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in text
    assert qr.url in bare(text)
    assert "Đăng xuất" not in text and "Đăng nhập" not in text  # no site header in the PDF
    assert any("Motcua-Sans" in name for name in fonts_of(r.content))  # the shipped font (@font-face) is embedded
    assert f'filename="mau-01-giay-tiep-nhan-{dossier.code}.pdf"' in r.headers["content-disposition"]
    # the QR opens the tracking form with the code filled in
    assert f'value="{dossier.code}"' in (await client.get(f"/tra-cuu?ma={dossier.code}")).text
    await page_login(client, "citizen2")
    assert (await client.get(f"/dossiers/{dossier.code}/receipt.pdf")).status_code == 404


@SQLITE
async def test_supplement_request_then_stop_give_forms_02_and_05_to_the_owner(client: httpx.AsyncClient,
                                                                              users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    await dossiers.step(rt(), dossier.code, Step("request_supplement", reasons=("Bản sao hợp đồng thuê nhà",)),
                        users["specialist"], ACCEPTED + timedelta(hours=1))
    await page_login(client, "citizen")
    status = (await client.get(f"/tra-cuu/{dossier.code}")).text
    assert f'href="/ho-so/{dossier.code}/mau-02.pdf"' in status and "mau-05" not in status
    text = text_of(await client.get(f"/ho-so/{dossier.code}/mau-02.pdf"))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Bản sao hợp đồng thuê nhà" in text
    assert dossier.code in bare(text) and "ngày 02 tháng 3 năm 2026" in text
    assert (await client.get(f"/ho-so/{dossier.code}/mau-05.pdf")).status_code == 404  # not stopped yet
    close = await Timer.get(dossier_id=dossier.id, kind="auto_close", state="pending")
    assert await timers.fire_due(rt(), close.due_at + timedelta(seconds=1)) == 1
    status = (await client.get(f"/tra-cuu/{dossier.code}")).text
    assert f'href="/ho-so/{dossier.code}/mau-05.pdf"' in status
    text = text_of(await client.get(f"/ho-so/{dossier.code}/mau-05.pdf"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Lê Văn Nam" in text and dossier.code in bare(text)
    assert "quá 15 ngày" in text and "09:00 ngày 02/03/2026" in text
    await page_login(client, "citizen2")
    assert (await client.get(f"/ho-so/{dossier.code}/mau-05.pdf")).status_code == 404


@SQLITE
async def test_refusal_apology_and_control_sheet_pdfs_for_staff(client: httpx.AsyncClient, users: dict) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    stored = await Dossier.get(id=dossier.id)
    in_time = stored.due_adjusted_at - timedelta(days=1, hours=1)
    await timers.fire_due(rt(), in_time)
    apology = await HumanTask.get(dossier_id=dossier.id, kind="apology")
    await dossiers.complete_task(rt(), apology.id, {"reason": "Chờ ý kiến cơ quan thuế",
                                                    "new_due_at": "2026-03-10T15:00"}, users["specialist"], in_time)
    await dossiers.step(rt(), dossier.code, Step("refuse", reasons=("Ngành nghề kinh doanh bị cấm",)),
                        users["specialist"], in_time + timedelta(hours=1))
    await page_login(client, "officer")
    page = (await client.get(f"/can-bo/ho-so/{dossier.code}")).text
    for form in ("01", "03", "04", "06"):
        assert f'id="form-{form}-pdf"' in page, form
    text = text_of(await client.get(f"/dossiers/{dossier.code}/apology.pdf"))
    assert "Chờ ý kiến cơ quan thuế" in text and "15:00 ngày 10/03/2026" in text and "09:00 ngày 05/03/2026" in text
    text = text_of(await client.get(f"/ho-so/{dossier.code}/mau-03.pdf"))
    assert "PHIẾU TỪ CHỐI GIẢI QUYẾT HỒ SƠ" in text and "Ngành nghề kinh doanh bị cấm" in text
    text = text_of(await client.get(f"/can-bo/ho-so/{dossier.code}/mau-06.pdf"))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and dossier.code in bare(text)
    assert "officer" in text and "Cán bộ một cửa" in text and "09:00 ngày 02/03/2026" in text
    assert bare("Kiểm tra, tiếp nhận hồ sơ Cán bộ một cửa officer 09:00 ngày 02/03/2026 15:00 ngày 02/03/2026 "
                "09:00 ngày 02/03/2026 Đúng hạn") in bare(text)  # intake: who, received, due, finished, verdict
    assert "Văn bản xin lỗi và hẹn lại ngày trả kết quả" in text and "Đã huỷ" in text
    await page_login(client, "citizen")  # the control sheet is the agency's own
    assert (await client.get(f"/can-bo/ho-so/{dossier.code}/mau-06.pdf")).status_code == 403


@SQLITE
async def test_form_pdf_for_the_emails_and_a_clear_page_when_weasyprint_cannot_load(
        client: httpx.AsyncClient, users: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    settings = client._transport.app.state.settings  # type: ignore[attr-defined]
    name, content = await pdf.form_pdf("01", dossier.code, settings=settings, lang="en",
                                       base_url="https://motcua.example.gov.vn")
    assert name == f"mau-01-giay-tiep-nhan-{dossier.code}.pdf"
    reader = PdfReader(io.BytesIO(content))
    text = flat("\n".join(p.extract_text() for p in reader.pages))
    assert "09:00 on 02/03/2026" in text and "Lê Văn Nam" in text
    assert tracking_url("https://motcua.example.gov.vn", dossier.code) in bare(text)
    monkeypatch.setattr(pdf, "WEASYPRINT", "motcua_missing_weasyprint")  # as on a server without it
    await page_login(client, "officer")
    r = await client.get(f"/dossiers/{dossier.code}/receipt.pdf")
    assert r.status_code == 503 and "Chưa tạo được bản PDF" in r.text and "WeasyPrint" in r.text
    assert (await client.get(f"/dossiers/{dossier.code}/receipt")).status_code == 200  # the page still works


async def test_register_lists_the_dossiers_received_in_the_period(client: httpx.AsyncClient, users: dict) -> None:
    march = await accepted_household(users, ACCEPTED)
    april = await accepted_household(users, datetime(2026, 4, 1, 2, 0, tzinfo=UTC))
    await page_login(client, "officer")
    r = await client.get("/quan-ly/so-theo-doi?tu-ngay=01/03/2026&den-ngay=31/03/2026")
    assert r.status_code == 200, r.text
    codes = re.findall(r'<tr data-code="([^"]+)">', r.text)
    assert codes == [march.code]
    assert "Lê Văn Nam" in r.text and "09:00 ngày 02/03/2026" in r.text and "Từ ngày 01/03/2026" in r.text
    r = await client.get("/quan-ly/so-theo-doi?tu-ngay=01/03/2026&den-ngay=30/04/2026")
    assert re.findall(r'<tr data-code="([^"]+)">', r.text) == [march.code, april.code]
    assert (await client.get("/quan-ly/so-theo-doi?tu-ngay=31/02/2026")).status_code == 400
    await page_login(client, "citizen")
    assert (await client.get("/quan-ly/so-theo-doi")).status_code == 403


@SQLITE
async def test_register_pdf(client: httpx.AsyncClient, users: dict) -> None:
    march = await accepted_household(users, ACCEPTED)
    await page_login(client, "officer")
    text = text_of(await client.get("/quan-ly/so-theo-doi.pdf?tu-ngay=01/03/2026&den-ngay=31/03/2026"))
    assert "SỔ THEO DÕI HỒ SƠ" in text and "01/03/2026" in text and "31/03/2026" in text
    assert march.code in bare(text) and "Lê Văn Nam" in text
    reads = await document_access.reads_of([march.id])  # an export of personal data: logged, as the CSV
    assert [(r.username, r.purpose) for r in reads] == [("officer", "export")]


def test_rendering_fetches_nothing_but_the_shipped_fonts() -> None:
    """A dossier's text is escaped, but should markup ever reach a form, the renderer opens no URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        content = pdf.html_to_pdf(f'<link rel="stylesheet" href="{url}/a.css"><p>Nguyễn Thị Ánh</p>'
                                  f'<img src="{url}/b.png"><img src="file:///etc/hostname">')
    finally:
        server.shutdown()
        server.server_close()
    assert hits == []
    assert "Nguyễn Thị Ánh" in flat(PdfReader(io.BytesIO(content)).pages[0].extract_text())
