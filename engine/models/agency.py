"""Agencies of the two-tier local government (since 1 July 2025: the province, and its communes, wards and
special zones) and the reception points (counters) where dossiers are received."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

TIERS = ("province", "commune")
#: what an agency is; the provincial public-administration centre receives the province-level dossiers
KINDS = ("province_committee", "centre", "department", "commune_committee")
#: the three kinds of commune-level unit (Resolution 202/2025/QH15)
COMMUNE_TYPES = ("xa", "phuong", "dac_khu")


class Agency(Model):
    """A province-level body (the provincial committee, its public-administration centre, a department)
    or a commune-level people's committee (xã, phường, đặc khu)."""

    code = fields.CharField(max_length=32, primary_key=True)
    name = fields.CharField(max_length=300)
    tier = fields.CharField(max_length=16)  # one of TIERS
    kind = fields.CharField(max_length=24)  # one of KINDS
    commune_type = fields.CharField(max_length=8, default="")  # one of COMMUNE_TYPES for the commune tier
    parent_code = fields.CharField(max_length=32, default="")  # the province for a commune or a department
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agency"


class ReceptionPoint(Model):
    """A counter of an agency where paper dossiers are received (its code is Dossier.reception_point)."""

    code = fields.CharField(max_length=100, primary_key=True)
    name = fields.CharField(max_length=300)
    agency_code = fields.CharField(max_length=32, db_index=True)
    address = fields.CharField(max_length=500, default="")
    active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reception_point"
