"""Save and resume a citizen's application draft (CITIZEN_UX P3: never lose what was typed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from engine.models import User
from engine.models.draft import ApplicationDraft

KEEP_FOR = timedelta(days=30)


async def save(user: User, procedure_code: str, data: dict[str, Any], now: datetime) -> ApplicationDraft:
    draft, _created = await ApplicationDraft.update_or_create(
        user_id=user.id, procedure_code=procedure_code, defaults={"data": data, "updated_at": now})
    return draft


async def resume(user: User, procedure_code: str, now: datetime) -> ApplicationDraft | None:
    draft = await ApplicationDraft.get_or_none(user_id=user.id, procedure_code=procedure_code)
    if draft is not None and now - draft.updated_at > KEEP_FOR:
        await draft.delete()
        return None
    return draft


async def discard(user: User, procedure_code: str) -> None:
    await ApplicationDraft.filter(user_id=user.id, procedure_code=procedure_code).delete()
