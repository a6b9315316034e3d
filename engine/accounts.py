"""Users, roles, password checks and API bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine import sql as rows
from engine.errors import AuthenticationFailed, InvalidData
from engine.models import ApiToken, Role, User
from engine.models.accounts import USER_KINDS

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password")  # keeps timing equal for unknown usernames

#: Roles every installation has; lanes name them with <motcua:role code="..."/>.
DEFAULT_ROLES = {
    "one_stop": ("Bộ phận một cửa", "One-stop officer"),
    "specialist": ("Chuyên viên xử lý", "Specialist"),
    "leader": ("Lãnh đạo", "Leader"),
}


async def ensure_roles(roles: dict[str, tuple[str, str]] | None = None) -> None:
    for code, (name, name_en) in (roles or DEFAULT_ROLES).items():
        await Role.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


async def create_user(username: str, password: str, kind: str, *, full_name: str = "",
                      roles: Iterable[str] = (), agency: str = "") -> User:
    problems: dict[str, list[str]] = {}
    if kind not in USER_KINDS:
        problems["kind"] = [f"one of {', '.join(USER_KINDS)}"]
    if not username or len(username) > 150:
        problems["username"] = ["required, at most 150 characters"]
    if len(password) < 8:
        problems["password"] = ["at least 8 characters"]
    role_list = list(roles)
    known = {r.code for r in await Role.filter(code__in=role_list)}
    if set(role_list) - known:
        problems["roles"] = [f"unknown role(s): {', '.join(sorted(set(role_list) - known))}"]
    if await User.filter(username=username).exists():
        problems["username"] = ["already taken"]
    if problems:
        raise InvalidData("Invalid user", fields=problems)
    return await User.create(username=username, password_hash=hash_password(password), kind=kind,
                             full_name=full_name, roles=role_list, agency=agency)


async def authenticate(username: str, password: str) -> User:
    user = await User.get_or_none(username=username, is_active=True)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed("Wrong username or password") from None
    if user is None:
        raise AuthenticationFailed("Wrong username or password")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: User, now: datetime, ttl_hours: float) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=ttl_hours)
    await ApiToken.create(token_hash=_token_hash(token), user=user, expires_at=expires_at)
    return token, expires_at


async def user_for_token(token: str, now: datetime) -> User:
    """The token's user; one raw statement, since every API request asks (bench/engine.py)."""
    row = await rows.fetch_one(rows.db(), (
        "SELECT u.id, u.username, u.password_hash, u.full_name, u.kind, u.roles, u.agency, u.is_active, "
        "u.created_at, t.expires_at AS token_expires_at FROM api_token t JOIN user_account u ON u.id = t.user_id "
        "WHERE t.token_hash = ?"), [_token_hash(token)])
    expires_at = rows.instant(row.pop("token_expires_at")) if row else None
    if row is None or expires_at is None or expires_at <= now or not row["is_active"]:
        raise AuthenticationFailed("Invalid or expired token")
    row["roles"] = rows.unjson(row["roles"]) or []
    row["is_active"] = bool(row["is_active"])
    user = User(**row)
    user._saved_in_db = True
    return user
