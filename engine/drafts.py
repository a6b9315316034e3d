"""Save and resume a citizen's application draft (CITIZEN_UX P3: never lose what was typed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.models import User
from engine.models.draft import ApplicationDraft

KEEP_FOR = timedelta(days=30)


FILES = "_files"  # in a draft's data: {key path: [stored-file reference]} uploaded before the submission
AGENCY = "_agency"  # in a draft's data: the receiving agency chosen (engine.agencies.receiving_choices)


async def save(user: User, procedure_code: str, data: dict[str, Any], now: datetime,
               files: dict[str, list[dict[str, Any]]] | None = None, agency: str = "") -> ApplicationDraft:
    """Keep the answers so far, the references of the files already uploaded (the files
    themselves are in the content-addressed attachment store, checked when they arrived) and the
    receiving agency chosen, if any (checked again at submission)."""
    stored = {**data, FILES: files} if files else dict(data)
    if agency:
        stored[AGENCY] = agency[:32]
    draft, _created = await ApplicationDraft.update_or_create(
        user_id=user.id, procedure_code=procedure_code, defaults={"data": stored, "updated_at": now})
    return draft


def files(draft: ApplicationDraft | None) -> dict[str, list[dict[str, Any]]]:
    """The kept uploads of a draft, by key path."""
    kept = draft.data.get(FILES) if draft is not None and isinstance(draft.data, dict) else None
    return {k: v for k, v in kept.items() if isinstance(v, list)} if isinstance(kept, dict) else {}


def agency(draft: ApplicationDraft | None) -> str:
    """The receiving agency chosen in a draft ('' when none)."""
    chosen = draft.data.get(AGENCY) if draft is not None and isinstance(draft.data, dict) else None
    return chosen if isinstance(chosen, str) else ""


async def resume(user: User, procedure_code: str, now: datetime) -> ApplicationDraft | None:
    draft = await ApplicationDraft.get_or_none(user_id=user.id, procedure_code=procedure_code)
    if draft is not None and now - draft.updated_at > KEEP_FOR:
        await draft.delete()
        return None
    return draft


async def discard(user: User, procedure_code: str) -> None:
    await ApplicationDraft.filter(user_id=user.id, procedure_code=procedure_code).delete()
