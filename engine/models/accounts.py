"""Users, their roles, and API tokens."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

USER_KINDS = ("admin", "staff", "manager", "citizen")


class Role(Model):
    """A staff role, named by a BPMN lane with its motcua:role element."""

    code = fields.CharField(max_length=64, primary_key=True)
    name = fields.CharField(max_length=200)
    name_en = fields.CharField(max_length=200, default="")

    class Meta:
        table = "role"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=150, unique=True)
    password_hash = fields.CharField(max_length=255)
    full_name = fields.CharField(max_length=200, default="")
    kind = fields.CharField(max_length=16)  # one of USER_KINDS
    roles: fields.Field[list[str]] = fields.JSONField(default=list)  # role codes (staff)
    agency = fields.CharField(max_length=200, default="")
    email = fields.CharField(max_length=254, default="")  # optional: staff notice digests go there
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user_account"

    def has_role(self, code: str | None) -> bool:
        return code is not None and code in (self.roles or [])


class ApiToken(Model):
    """A bearer token. Only its SHA-256 is stored."""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField("models.User", related_name="tokens")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "api_token"


class RegistrationCode(Model):
    """A citizen's pending self-registration (engine/verification.py): the one-time code is kept only
    as a keyed hash, for 10 minutes and 5 tries; the password only as its argon2 hash."""

    id = fields.CharField(max_length=43, primary_key=True)  # random, kept in the registrant's session
    address = fields.CharField(max_length=254)  # normalized phone number or e-mail address
    full_name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    code_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    attempts = fields.SmallIntField(default=0)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "registration_code"
        indexes = (("address", "created_at"),)
