"""The apply page tells a signed-out citizen why an account is needed; /dang-ky and /dang-ky/xac-minh
create a citizen account with a one-time code and return to the apply page, signed in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from engine import accounts
from engine.models import User
from engine.settings import Settings
from tests.factories import CODES, page_csrf, publish_shipped, rt
from web.app import create_app

APPLY = f"/nop-ho-so/{CODES['birth-registration']}"
FORM = {"full_name": "Trần Thị Hoa", "address": "0912 345 678", "password": "mat-khau-dai",
        "password_confirm": "mat-khau-dai"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Sent:
    def __init__(self) -> None:
        self.codes: list[tuple[str, str]] = []

    async def __call__(self, code: str, address: str) -> None:
        self.codes.append((code, address))


Site = Callable[[str], httpx.AsyncClient]


@pytest.fixture
async def site(db: Settings) -> AsyncIterator[tuple[Site, Clock, Sent]]:
    """A client of an app with the given MOTCUA_REGISTRATION mode (its clock and deliverer shared)."""
    await publish_shipped("birth-registration")
    clock, sent, opened = Clock(), Sent(), []

    def make(mode: str) -> httpx.AsyncClient:
        app = create_app(replace(db, registration=mode), manage_database=False, runtime=rt(), clock=clock,
                         deliver=sent)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        opened.append(client)
        return client

    yield make, clock, sent
    for client in opened:
        await client.aclose()


def _demo_code(page: str) -> str:
    box = re.search(r'id="demo-code".*?<strong lang="en" translate="no">(\d{6})</strong>', page, re.S)
    assert box, page
    return box.group(1)


async def _register(client: httpx.AsyncClient, **changes: str) -> httpx.Response:
    csrf = await page_csrf(client, f"/dang-ky?next={APPLY}")
    return await client.post("/dang-ky", data={"csrf_token": csrf, "next": APPLY, **FORM, **changes})


async def test_signed_out_apply_page_explains_why_and_links_to_sign_in_and_register(site: tuple) -> None:
    make, _clock, _sent = site
    page = await make("demo").get(APPLY)
    assert page.status_code == 200
    assert "Vì sao cần tài khoản?" in page.text and "Đăng ký bằng số điện thoại" in page.text
    assert f'href="/login?next={APPLY}"' in page.text and f'href="/dang-ky?next={APPLY}"' in page.text
    closed = await make("off").get(APPLY)  # registration off: sign in, or the counter
    assert "/dang-ky" not in closed.text and "Liên hệ Bộ phận một cửa" in closed.text
    assert (await make("off").get("/nop-ho-so/9.999")).status_code == 404


async def test_demo_registration_shows_the_code_signs_in_and_returns_to_the_apply_page(site: tuple) -> None:
    make, _clock, sent = site
    client = make("demo")
    r = await _register(client)
    assert (r.status_code, r.headers["location"]) == (303, "/dang-ky/xac-minh")
    page = (await client.get("/dang-ky/xac-minh")).text
    assert "Bản demo" in page and "0912345678" in page
    code = _demo_code(page)
    assert sent.codes == []  # the demo sends nothing
    r = await client.post("/dang-ky/xac-minh", data={"csrf_token": await page_csrf(client, "/dang-ky/xac-minh"),
                                                      "code": code})
    assert (r.status_code, r.headers["location"]) == (303, APPLY)
    form = await client.get(APPLY)
    assert form.status_code == 200 and 'id="apply-form"' in form.text and "Trần Thị Hoa" in form.text
    user = await User.get(username="0912345678")
    assert (user.kind, user.full_name) == ("citizen", "Trần Thị Hoa")
    assert (await accounts.authenticate("0912345678", "mat-khau-dai")).id == user.id


async def test_outside_the_demo_the_code_goes_to_the_deliverer_and_not_on_the_page(site: tuple) -> None:
    make, _clock, sent = site
    client = make("on")
    assert (await _register(client, address="lan@example.vn")).status_code == 303
    page = (await client.get("/dang-ky/xac-minh")).text
    [(code, address)] = sent.codes
    assert address == "lan@example.vn" and code not in page and "Bản demo" not in page
    r = await client.post("/dang-ky/xac-minh", data={"csrf_token": await page_csrf(client, "/dang-ky/xac-minh"),
                                                      "code": code})
    assert r.status_code == 303 and await User.filter(username="lan@example.vn", kind="citizen").exists()


async def test_registration_off_is_a_vietnamese_not_found_page(site: tuple) -> None:
    make, _clock, _sent = site
    for path in ("/dang-ky", "/dang-ky/xac-minh"):
        r = await make("off").get(path)
        assert r.status_code == 404 and "Không tìm thấy" in r.text and r.headers["content-type"].startswith("text/html")
    assert "/dang-ky" not in (await make("off").get("/login")).text
    assert 'id="register-link"' in (await make("demo").get("/login")).text


async def test_a_wrong_code_says_so_and_five_lock_the_registration(site: tuple) -> None:
    make, _clock, _sent = site
    client = make("demo")
    await _register(client)
    code = _demo_code((await client.get("/dang-ky/xac-minh")).text)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    csrf = await page_csrf(client, "/dang-ky/xac-minh")
    first = await client.post("/dang-ky/xac-minh", data={"csrf_token": csrf, "code": wrong})
    assert first.status_code == 200 and "Mã xác minh không đúng." in first.text
    assert "Số lần thử còn lại: 4" in first.text
    for _ in range(4):
        last = await client.post("/dang-ky/xac-minh", data={"csrf_token": csrf, "code": wrong})
    assert "Đã nhập sai mã 5 lần" in last.text and 'id="start-again"' in last.text
    right = await client.post("/dang-ky/xac-minh", data={"csrf_token": csrf, "code": code})
    assert right.status_code == 200 and "Đã nhập sai mã 5 lần" in right.text
    assert not await User.filter(username="0912345678").exists()


async def test_an_expired_code_is_refused_with_a_way_to_start_again(site: tuple) -> None:
    make, clock, _sent = site
    client = make("demo")
    await _register(client)
    code = _demo_code((await client.get("/dang-ky/xac-minh")).text)
    clock.now += timedelta(minutes=11)
    r = await client.post("/dang-ky/xac-minh", data={"csrf_token": await page_csrf(client, "/dang-ky/xac-minh"),
                                                      "code": code})
    assert r.status_code == 200 and "Mã xác minh đã hết hạn" in r.text
    assert f'href="/dang-ky?next={APPLY}" id="start-again"' in r.text
    assert not await User.filter(username="0912345678").exists()


async def test_a_registered_phone_or_bad_input_re_renders_the_form_with_the_reason(site: tuple) -> None:
    make, _clock, _sent = site
    client = make("demo")
    await accounts.create_user("0912345678", "some-password", "citizen")
    taken = await _register(client, address="+84912345678")
    assert taken.status_code == 200 and "đã có tài khoản" in taken.text
    assert 'value="Trần Thị Hoa"' in taken.text and "mat-khau-dai" not in taken.text  # passwords never echoed
    bad = await _register(client, address="12345", password_confirm="khac-nhau-123")
    assert bad.status_code == 200 and "Hãy nhập số điện thoại di động" in bad.text
    assert "Hai lần nhập mật khẩu không giống nhau." in bad.text and 'aria-invalid="true"' in bad.text
    assert (await client.get("/dang-ky/xac-minh")).headers.get("location") == "/dang-ky"  # nothing waiting


async def test_the_registration_form_needs_its_csrf_token(site: tuple) -> None:
    make, _clock, _sent = site
    client = make("demo")
    await client.get("/dang-ky")
    r = await client.post("/dang-ky", data=FORM)
    assert r.status_code == 400 and "Phiên làm việc đã hết hạn" in r.text
    assert not await User.filter(username="0912345678").exists()


async def test_one_client_gets_at_most_ten_codes_an_hour_whatever_the_addresses(site: tuple) -> None:
    make, _clock, _sent = site
    client = make("demo")
    statuses = [(await _register(client, address=f"09123456{n:02d}")).status_code for n in range(11)]
    assert statuses == [303] * 10 + [429]
    last = await _register(client, address="0987654321")
    assert last.status_code == 429 and "Đã gửi quá nhiều mã xác minh" in last.text
