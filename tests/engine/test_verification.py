"""Citizen self-registration: a 6-digit code kept only as a keyed hash, 10 minutes, 5 tries,
3 codes per address per 15 minutes; one account per phone number or e-mail address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine import accounts, verification
from engine.errors import InvalidData
from engine.models import RegistrationCode, User
from engine.settings import Settings

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
PEPPER = "test-secret"


class Outbox:
    """A real deliverer that keeps what it was asked to send (the later SMS sender's seat)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, code: str, address: str) -> None:
        self.sent.append((code, address))


async def _start(address: str = "0912 345 678", now: datetime = NOW, outbox: Outbox | None = None,
                 **kw: str) -> verification.Issued:
    fields = {"full_name": "Nguyễn  Thị Lan", "password": "mat-khau-dai", "password_confirm": "mat-khau-dai", **kw}
    return await verification.start(fields["full_name"], address, fields["password"], fields["password_confirm"],
                                     now=now, deliver=outbox or Outbox(), pepper=PEPPER)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def test_the_code_is_delivered_and_only_its_hash_is_stored_then_it_creates_the_citizen(db: Settings) -> None:
    outbox = Outbox()
    issued = await _start("+84 912.345.678", outbox=outbox)
    assert outbox.sent == [(issued.code, "0912345678")] and len(issued.code) == 6 and issued.code.isdigit()
    row = await RegistrationCode.get(id=issued.id)
    assert issued.code not in row.code_hash and "mat-khau-dai" not in row.password_hash
    assert row.expires_at == NOW + timedelta(minutes=10)
    user = await verification.verify(issued.id, issued.code, now=NOW + timedelta(minutes=9), pepper=PEPPER)
    assert (user.username, user.kind, user.full_name) == ("0912345678", "citizen", "Nguyễn Thị Lan")
    assert (await accounts.authenticate("0912345678", "mat-khau-dai")).id == user.id
    with pytest.raises(InvalidData) as used:  # a code works once
        await verification.verify(issued.id, issued.code, now=NOW, pepper=PEPPER)
    assert used.value.params["reason"] == "unknown"


async def test_an_email_address_is_kept_in_lower_case(db: Settings) -> None:
    issued = await _start("Lan.Nguyen@Example.VN")
    user = await verification.verify(issued.id, issued.code, now=NOW, pepper=PEPPER)
    assert user.username == "lan.nguyen@example.vn"


async def test_a_wrong_code_counts_a_try_and_says_how_many_are_left(db: Settings) -> None:
    issued = await _start()
    with pytest.raises(InvalidData) as wrong:
        await verification.verify(issued.id, _wrong(issued.code), now=NOW, pepper=PEPPER)
    assert (wrong.value.params["reason"], wrong.value.params["remaining"]) == ("wrong_code", 4)
    assert (await RegistrationCode.get(id=issued.id)).attempts == 1
    assert not await User.filter(username="0912345678").exists()
    await verification.verify(issued.id, issued.code, now=NOW, pepper=PEPPER)  # the right one still works


async def test_after_five_wrong_codes_even_the_right_one_is_refused(db: Settings) -> None:
    issued = await _start()
    reasons = []
    for _ in range(5):
        with pytest.raises(InvalidData) as wrong:
            await verification.verify(issued.id, _wrong(issued.code), now=NOW, pepper=PEPPER)
        reasons.append(wrong.value.params["reason"])
    assert reasons == ["wrong_code"] * 4 + ["too_many_attempts"]
    with pytest.raises(InvalidData) as locked:
        await verification.verify(issued.id, issued.code, now=NOW, pepper=PEPPER)
    assert locked.value.params["reason"] == "too_many_attempts"
    assert await verification.pending(issued.id, NOW) is None
    assert not await User.filter(username="0912345678").exists()


async def test_a_code_expires_after_ten_minutes(db: Settings) -> None:
    issued = await _start()
    assert await verification.pending(issued.id, NOW + timedelta(minutes=9)) is not None
    with pytest.raises(InvalidData) as late:
        await verification.verify(issued.id, issued.code, now=NOW + timedelta(minutes=10), pepper=PEPPER)
    assert late.value.params["reason"] == "expired"
    assert not await User.filter(username="0912345678").exists()


async def test_a_phone_or_email_already_registered_is_refused(db: Settings) -> None:
    await accounts.create_user("0912345678", "some-password", "citizen")
    await accounts.create_user("lan@example.vn", "some-password", "citizen")
    for address in ("0912345678", "+84912345678", "LAN@example.vn"):
        with pytest.raises(InvalidData) as taken:
            await _start(address)
        assert taken.value.params["fields"] == {"address": ["taken"]}, address


async def test_the_same_address_registered_twice_in_parallel_gives_one_account(db: Settings) -> None:
    first, second = await _start(), await _start()
    await verification.verify(first.id, first.code, now=NOW, pepper=PEPPER)
    with pytest.raises(InvalidData) as taken:
        await verification.verify(second.id, second.code, now=NOW, pepper=PEPPER)
    assert taken.value.params["reason"] == "taken"
    assert await User.filter(username="0912345678").count() == 1


async def test_three_codes_per_address_per_fifteen_minutes(db: Settings) -> None:
    for minute in range(3):
        await _start(now=NOW + timedelta(minutes=minute))
    with pytest.raises(InvalidData) as limited:
        await _start(now=NOW + timedelta(minutes=5))
    assert limited.value.params["reason"] == "rate_limited"
    await _start("0987654321", now=NOW + timedelta(minutes=5))  # another address is not held back
    await _start(now=NOW + timedelta(minutes=16))  # the window moved on


@pytest.mark.parametrize(("address", "kw", "field", "problem"), [
    ("12345", {}, "address", "invalid_address"),
    ("lan@", {}, "address", "invalid_address"),
    ("0912345678", {"password": "short", "password_confirm": "short"}, "password", "too_short"),
    ("0912345678", {"password_confirm": "mat-khau-khac"}, "password_confirm", "mismatch"),
    ("0912345678", {"full_name": "   "}, "full_name", "required"),
])
async def test_bad_input_names_the_field(db: Settings, address: str, kw: dict[str, str], field: str,
                                         problem: str) -> None:
    outbox = Outbox()
    with pytest.raises(InvalidData) as refused:
        await _start(address, outbox=outbox, **kw)
    assert refused.value.params["fields"][field] == [problem]
    assert outbox.sent == [] and not await RegistrationCode.exists()
