"""Users, roles, password checks and API bearer tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from engine import sessions, throttle, token_cache
from engine import sql as rows
from engine.errors import AuthenticationFailed, InvalidData, NotFound
from engine.models import Agency, ApiToken, Role, User
from engine.models.accounts import USER_KINDS

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-password")  # keeps timing equal for unknown usernames
#: an account's e-mail address (where staff notice digests go): one @, no spaces, a dotted domain
_EMAIL = re.compile(r"[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")

#: Roles every installation has; lanes name them with <motcua:role code="..."/>.
DEFAULT_ROLES = {
    "one_stop": ("Bộ phận một cửa", "One-stop officer"),
    "specialist": ("Chuyên viên xử lý", "Specialist"),
    "leader": ("Lãnh đạo", "Leader"),
    # staff notices: overdue dossiers and late steps escalate to the holders of this role (ND118 art. 19.4.c)
    "one_stop_head": ("Trưởng Bộ phận Một cửa", "Head of the one-stop unit"),
}


async def ensure_roles(roles: dict[str, tuple[str, str]] | None = None) -> None:
    for code, (name, name_en) in (roles or DEFAULT_ROLES).items():
        await Role.get_or_create(code=code, defaults={"name": name, "name_en": name_en})


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_email(email: str, problems: dict[str, list[str]]) -> None:
    if email and (len(email) > 254 or not _EMAIL.fullmatch(email)):
        problems["email"] = ["an e-mail address such as name@example.vn, or none"]


async def create_user(username: str, password: str, kind: str, *, full_name: str = "",
                      roles: Iterable[str] = (), agency: str = "", email: str = "") -> User:
    problems: dict[str, list[str]] = {}
    email = email.strip()
    _check_email(email, problems)
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
    await _check_agency(agency, problems)
    if problems:
        raise InvalidData("Invalid user", fields=problems)
    return await User.create(username=username, password_hash=hash_password(password), kind=kind,
                             full_name=full_name, roles=role_list, agency=agency, email=email)


async def _check_agency(agency: str, problems: dict[str, list[str]]) -> None:
    if agency and (len(agency) > 32 or not await Agency.filter(code=agency, active=True).exists()):
        problems["agency"] = ["an active agency, or none"]


async def update_user(user_id: int, *, full_name: str, kind: str, roles: Iterable[str], agency: str,
                      email: str | None = None) -> User:
    """Change an account's name, kind, roles, agency and (unless None) e-mail address (InvalidData
    lists every problem)."""
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise NotFound("No such user", id=user_id)
    problems: dict[str, list[str]] = {}
    if kind not in USER_KINDS:
        problems["kind"] = [f"one of {', '.join(USER_KINDS)}"]
    if len(full_name) > 200:
        problems["full_name"] = ["at most 200 characters"]
    role_list = list(dict.fromkeys(roles))
    unknown = set(role_list) - {r.code for r in await Role.filter(code__in=role_list)}
    if unknown:
        problems["roles"] = [f"unknown role(s): {', '.join(sorted(unknown))}"]
    await _check_agency(agency, problems)
    email = user.email if email is None else email.strip()
    _check_email(email, problems)
    if problems:
        raise InvalidData("Invalid user", fields=problems)
    user.update_from_dict({"full_name": full_name, "kind": kind, "roles": role_list, "agency": agency,
                           "email": email})
    await user.save(update_fields=["full_name", "kind", "roles", "agency", "email"])
    await token_cache.changed()  # cached bearer users carry the old roles and kind
    return user


async def deactivate_user(user_id: int, now: datetime | None = None) -> None:
    """The account can no longer sign in; its API tokens are deleted and its page sessions are
    revoked, in one transaction."""
    async with in_transaction():
        if not await User.filter(id=user_id).update(is_active=False):
            raise NotFound("No such user", id=user_id)
        await ApiToken.filter(user_id=user_id).delete()
        await sessions.revoke_all_for_user(user_id, now or datetime.now(UTC))
    await token_cache.changed()


async def set_password(user_id: int, password: str, now: datetime | None = None, *,
                       keep_session: str | None = None) -> None:
    """A new password: every page session of the account is revoked (but `keep_session`, the stored
    id of the session that made the change, if given) and its API tokens are deleted, in one
    transaction."""
    if len(password) < 8:
        raise InvalidData("Invalid password", fields={"password": ["at least 8 characters"]})
    async with in_transaction():
        if not await User.filter(id=user_id).update(password_hash=hash_password(password)):
            raise NotFound("No such user", id=user_id)
        await ApiToken.filter(user_id=user_id).delete()
        await sessions.revoke_all_for_user(user_id, now or datetime.now(UTC), keep=keep_session)
    await token_cache.changed()


async def authenticate(username: str, password: str, *, address: str | None = None,
                       now: datetime | None = None) -> User:
    """The account, or AuthenticationFailed. With `now` (the pages and the API pass it) failures are
    throttled per account and per `address`: TooManyAttempts while blocked, whatever the password."""
    if now is not None:
        await throttle.check("login-account", username.casefold(), now)
        if address:
            await throttle.check("login-address", address, now)
    user = await User.get_or_none(username=username, is_active=True)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        if now is not None:
            await throttle.hit("login-account", username.casefold(), throttle.LOGIN_ACCOUNT, now)
            if address:
                await throttle.hit("login-address", address, throttle.LOGIN_ADDRESS, now)
        raise AuthenticationFailed("Wrong username or password")
    if now is not None:
        await throttle.clear("login-account", username.casefold())
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: User, now: datetime, ttl_hours: float) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + timedelta(hours=ttl_hours)
    await ApiToken.create(token_hash=_token_hash(token), user=user, expires_at=expires_at)
    return token, expires_at


async def user_for_token(token: str, now: datetime) -> User:
    """The token's user; cached for a few seconds (engine/token_cache.py), else one raw statement,
    since every API request asks (bench/engine.py)."""
    token_hash = _token_hash(token)
    if (cached := await token_cache.CACHE.get(token_hash, now)) is not None:
        return cached
    revision = token_cache.CACHE.revision  # read before the row: a change after it drops the entry
    row = await rows.fetch_one(rows.db(), (
        "SELECT u.id, u.username, u.password_hash, u.full_name, u.kind, u.roles, u.agency, u.is_active, "
        "u.created_at, t.expires_at AS token_expires_at FROM api_token t JOIN user_account u ON u.id = t.user_id "
        "WHERE t.token_hash = ?"), [token_hash])
    expires_at = rows.instant(row.pop("token_expires_at")) if row else None
    if row is None or expires_at is None or expires_at <= now or not row["is_active"]:
        raise AuthenticationFailed("Invalid or expired token")
    row["roles"] = rows.unjson(row["roles"]) or []
    row["is_active"] = bool(row["is_active"])
    user = User(**row)
    user._saved_in_db = True
    token_cache.CACHE.put(token_hash, user, expires_at, revision)
    return user


async def active_user(user_id: int, now: datetime) -> User | None:
    """A page session's account if active; cached like a bearer token's (engine/token_cache.py: every
    change of an account bumps the revision), since every page asks."""
    key = f"user:{user_id}"
    if (cached := await token_cache.CACHE.get(key, now)) is not None:
        return cached
    revision = token_cache.CACHE.revision  # read before the row: a change after it drops the entry
    user = await User.get_or_none(id=user_id, is_active=True)
    if user is not None:
        token_cache.CACHE.put(key, user, datetime.max.replace(tzinfo=UTC), revision)  # TTL and revision end it
    return user


async def revoke_token(token: str) -> bool:
    """Sign a bearer token out (every process stops accepting it within a second); False if unknown."""
    deleted = await ApiToken.filter(token_hash=_token_hash(token)).delete()
    await token_cache.changed()
    return bool(deleted)
