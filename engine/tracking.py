"""Tracking a dossier by its code plus a second factor (the applicant's phone or ID number, from the
applicant projection written at submit). A wrong code and a wrong factor get the same answer."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from engine.dossiers.applicant import digits, id_hash
from engine.errors import NotFound
from engine.models import Dossier

if TYPE_CHECKING:
    from engine.runtime import Runtime


async def find(rt: Runtime, code: str, factor: str) -> Dossier:
    """The dossier whose code and phone / ID number match; NotFound otherwise (same for both)."""
    dossier = await Dossier.get_or_none(code=code.strip().upper())
    wanted = digits(factor)
    if dossier is None or len(wanted) < 9:
        raise NotFound("No dossier matches this code and phone or ID number")
    phone_ok = bool(dossier.applicant_phone) and hmac.compare_digest(dossier.applicant_phone, wanted)
    id_ok = bool(dossier.applicant_id_hash) and hmac.compare_digest(dossier.applicant_id_hash, id_hash(rt, wanted))
    if not (phone_ok or id_ok):
        raise NotFound("No dossier matches this code and phone or ID number")
    return dossier
