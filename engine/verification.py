"""Citizen self-registration with a one-time code sent to a phone number or an e-mail address.

Until national sign-in (VNeID) exists, a citizen creates an account with a name, a phone number or
e-mail address and a password: `start` keeps the request and issues a 6-digit code (only a keyed
hash is stored; 10 minutes; at most 3 codes per address per 15 minutes), `deliver(code, address)`
sends it (injected: no SMS or e-mail sender exists yet; the demo shows the code on the page), and
`verify` creates the citizen account once the code matches (at most 5 tries).

Refusals are `InvalidData` with `reason` (and `fields` for the form): the web layer words them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from engine import accounts
from engine.errors import InvalidData
from engine.models import RegistrationCode, User

#: sends `code` to `address` (a normalized phone number or e-mail address)
Deliver = Callable[[str, str], Awaitable[None]]

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
ISSUE_LIMIT, ISSUE_WINDOW = 3, timedelta(minutes=15)
MIN_PASSWORD = 8
_PHONE = re.compile(r"^0[35789]\d{8}$")  # Vietnamese mobile numbers, 10 digits
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


@dataclass(frozen=True)
class Issued:
    """A registration waiting for its code: `id` goes in the registrant's session."""

    id: str
    address: str
    code: str  # handed to `deliver`; the demo shows it, nothing stores it
    expires_at: datetime


def normalize_address(text: str) -> str:
    """A phone number as 0xxxxxxxxx (+84 accepted, spaces, dots and dashes ignored) or a lower-case
    e-mail address; InvalidData otherwise."""
    raw = unicodedata.normalize("NFC", text).strip()
    if "@" in raw:
        email = raw.lower()
        if len(email) <= 254 and _EMAIL.match(email):
            return email
    else:
        digits = re.sub(r"[\s.\-()]", "", raw)
        if digits.startswith("+84"):
            digits = "0" + digits[3:]
        elif digits.startswith("84") and len(digits) == 11:
            digits = "0" + digits[2:]
        if _PHONE.match(digits):
            return digits
    raise InvalidData("Not a phone number or e-mail address", reason="invalid_address",
                      fields={"address": ["invalid_address"]})


def _code_hash(pepper: str, registration_id: str, code: str) -> str:
    return hmac.new(pepper.encode(), f"{registration_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def start(full_name: str, address: str, password: str, password_confirm: str, *, now: datetime,
                deliver: Deliver, pepper: str) -> Issued:
    """Check the form, refuse a known address, rate-limit, store the request and send its code."""
    problems: dict[str, list[str]] = {}
    full_name = " ".join(unicodedata.normalize("NFC", full_name).split())
    if not full_name or len(full_name) > 200:
        problems["full_name"] = ["required"]
    try:
        address = normalize_address(address)
    except InvalidData as exc:
        problems.update(exc.params["fields"])
    if len(password) < MIN_PASSWORD:
        problems["password"] = ["too_short"]
    elif password != password_confirm:
        problems["password_confirm"] = ["mismatch"]
    if "address" not in problems and await User.filter(username=address).exists():
        problems["address"] = ["taken"]
    if problems:
        raise InvalidData("Registration refused", reason="invalid", fields=problems)
    recent = await RegistrationCode.filter(address=address, created_at__gt=now - ISSUE_WINDOW).count()
    if recent >= ISSUE_LIMIT:
        raise InvalidData("Too many codes for this address", reason="rate_limited",
                          fields={"address": ["rate_limited"]})
    registration_id, code = secrets.token_urlsafe(32), f"{secrets.randbelow(10**6):06d}"
    await RegistrationCode.filter(expires_at__lt=now - timedelta(days=1)).delete()  # old requests go
    row = await RegistrationCode.create(
        id=registration_id, address=address, full_name=full_name,
        password_hash=accounts.hash_password(password), code_hash=_code_hash(pepper, registration_id, code),
        created_at=now, expires_at=now + CODE_TTL)
    await deliver(code, address)
    return Issued(row.id, address, code, row.expires_at)


async def pending(registration_id: str, now: datetime) -> RegistrationCode | None:
    """The registration still waiting for its code (not used, not expired, tries left), if any."""
    row = await RegistrationCode.get_or_none(id=registration_id, used_at=None)
    return row if row is not None and row.expires_at > now and row.attempts < MAX_ATTEMPTS else None


async def verify(registration_id: str, code: str, *, now: datetime, pepper: str) -> User:
    """The new citizen account when `code` is right; InvalidData with `reason` = unknown, expired,
    too_many_attempts, wrong_code (with `remaining` tries) or taken."""
    row = await RegistrationCode.get_or_none(id=registration_id)
    if row is None or row.used_at is not None:
        raise InvalidData("No registration is waiting", reason="unknown")
    if row.expires_at <= now:
        raise InvalidData("The code has expired", reason="expired")
    if row.attempts >= MAX_ATTEMPTS:
        raise InvalidData("Too many wrong codes", reason="too_many_attempts")
    sent = re.sub(r"\s", "", code)
    if not hmac.compare_digest(_code_hash(pepper, row.id, sent), row.code_hash):
        # counted with a conditional update: parallel guesses cannot share one try
        counted = await RegistrationCode.filter(id=row.id, attempts=row.attempts).update(attempts=row.attempts + 1)
        remaining = MAX_ATTEMPTS - row.attempts - 1 if counted else 0
        if remaining <= 0:
            raise InvalidData("Too many wrong codes", reason="too_many_attempts")
        raise InvalidData("Wrong code", reason="wrong_code", remaining=remaining, fields={"code": ["wrong_code"]})
    try:
        async with in_transaction():
            if not await RegistrationCode.filter(id=row.id, used_at=None).update(used_at=now):
                raise InvalidData("No registration is waiting", reason="unknown")
            return await User.create(username=row.address, password_hash=row.password_hash, kind="citizen",
                                     full_name=row.full_name, roles=[])
    except IntegrityError:  # the address was registered meanwhile (unique username)
        raise InvalidData("Already registered", reason="taken", fields={"address": ["taken"]}) from None


async def shown_on_page(code: str, address: str) -> None:
    """The demo's deliverer: nothing is sent; the verification page shows the code ("Bản demo")."""


async def log_for_operator(code: str, address: str) -> None:
    """Stop-gap deliverer of MOTCUA_REGISTRATION=on until an SMS / e-mail sender exists: the code goes
    to the `motcua.verification` log for an operator to pass on (it is valid 10 minutes)."""
    logging.getLogger("motcua.verification").warning("verification code for %s: %s", address, code)
