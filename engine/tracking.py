"""Tracking a dossier by its code plus a second factor (the applicant's phone or ID number), and
the citizen's satisfaction rating. A wrong code and a wrong factor get the same answer."""

from __future__ import annotations

import hmac
import re
from datetime import datetime

from tortoise.exceptions import IntegrityError

from engine.dossiers import version_info
from engine.errors import Conflict, InvalidData, NotFound
from engine.lifecycle import Status
from engine.models import AuditEvent, Dossier, Rating
from engine.workflow import runner

FACTOR_KEYS = ("requester_phone", "business_phone", "phone", "requester_id_number", "owner_id_number",
               "id_number")


def _digits(value: object) -> str:
    text = re.sub(r"\D", "", str(value or ""))
    return "0" + text[2:] if text.startswith("84") and len(text) == 11 else text  # +84 912… = 0912…


async def find(code: str, factor: str) -> Dossier:
    """The dossier whose code and phone / ID number match; NotFound otherwise (same for both)."""
    dossier = await Dossier.get_or_none(code=code.strip().upper())
    wanted = _digits(factor)
    if dossier is None or len(wanted) < 9:
        raise NotFound("No dossier matches this code and phone or ID number")
    version = await version_info(dossier.procedure_version_id)
    data = runner.project(dossier.state, version.spec, version.subprocess_specs).data
    known = [_digits(data.get(k)) for k in FACTOR_KEYS if data.get(k)]
    if not any(k and hmac.compare_digest(k, wanted) for k in known):
        raise NotFound("No dossier matches this code and phone or ID number")
    return dossier


async def add_supplement(dossier: Dossier, files: list[dict[str, object]], note: str, actor: str,
                         now: datetime) -> None:
    """The citizen's answer to a supplement request: files (already stored) and a note, audited on the
    dossier for the one-stop officer, who then records the supplement as received."""
    if dossier.lifecycle_status != int(Status.SUPPLEMENT_REQUESTED):
        raise Conflict("No supplement is requested for this dossier", status=dossier.lifecycle_status)
    if not files:
        raise InvalidData("Choose at least one file", fields={"files": ["required"]})
    await AuditEvent.create(dossier_id=dossier.id, at=now, actor=actor, action="supplement_uploaded",
                            revision=dossier.revision, details={"files": files, "note": note[:2000]})


async def rate(dossier: Dossier, score: object, comment: object, now: datetime) -> Rating:
    if dossier.lifecycle_status not in (int(Status.FINISHED), int(Status.RETURNED)):
        raise Conflict("A dossier can be rated once its result is ready", status=dossier.lifecycle_status)
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidData("Choose a rating", fields={"score": ["choice"]})
    if not isinstance(comment, str) or len(comment) > 2000:
        raise InvalidData("Comment too long", fields={"comment": ["max_length"]})
    try:
        return await Rating.create(dossier=dossier, score=score, comment=comment.strip(), at=now)
    except IntegrityError:
        raise Conflict("This dossier has already been rated") from None
