"""The procedure catalogue citizens search: Vietnamese with or without diacritics ("khai sinh",
"dang ky khai sinh", "ĐĂNG KÝ"), by name, English name or national code."""

from __future__ import annotations

import unicodedata

from engine.models import Procedure, ProcedureVersion


def fold(text: str) -> str:
    """Lower case, no diacritics, đ → d: what a citizen typing on any keyboard would match."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def matches(query: str, *texts: str) -> bool:
    words = fold(query).split()
    haystack = fold(" ".join(texts))
    return all(word in haystack for word in words)


async def search(query: str = "") -> list[Procedure]:
    """Procedures with a published version whose name, English name or code contain every word."""
    published = {pid for (pid,) in await ProcedureVersion.filter(status="published").values_list("procedure_id")}
    found = [p for p in await Procedure.all().order_by("name") if p.id in published]
    if query.strip():
        found = [p for p in found if matches(query, p.name, p.name_en, p.code)]
    return found
