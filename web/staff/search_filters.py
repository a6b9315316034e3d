"""The dossier search's query string, read once for the page, the CSV and the API.

    parse(query) -> (SearchFilters, problems)   problems: field -> problem code (PROBLEMS)

Dates are accepted as dd/mm/yyyy (the page) or yyyy-mm-dd (the API); both ends are local days.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from engine.dossiers.search import SearchFilters
from web.errors import N_

FIELDS = ("code", "name", "procedure", "status", "received_from", "received_to", "accepted_from",
          "accepted_to", "overdue")
#: problem code -> (Vietnamese for the page, English for the API)
PROBLEMS = {
    "date": (N_("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy"), "a date: dd/mm/yyyy or yyyy-mm-dd"),
    "range": (N_("Ngày bắt đầu phải trước ngày kết thúc"), "the start must not be after the end"),
    "status": (N_("Trạng thái không hợp lệ"), "a status code from 1 to 10"),
    "long": (N_("Quá dài"), "too long"),
}


def _day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day, no instant)
        except ValueError:
            continue
    raise ValueError(text)


def parse(query: Mapping[str, str]) -> tuple[SearchFilters, dict[str, str]]:
    problems: dict[str, str] = {}
    texts = {k: (query.get(k) or "").strip() for k in FIELDS}
    days: dict[str, date | None] = {}
    for key in ("received_from", "received_to", "accepted_from", "accepted_to"):
        try:
            days[key] = _day(texts[key]) if texts[key] else None
        except ValueError:
            days[key], problems[key] = None, "date"
    for start, end in (("received_from", "received_to"), ("accepted_from", "accepted_to")):
        first, last = days[start], days[end]
        if first is not None and last is not None and first > last:
            problems[end] = "range"
    status = None
    if texts["status"]:
        if texts["status"].isdigit() and 1 <= int(texts["status"]) <= 10:
            status = int(texts["status"])
        else:
            problems["status"] = "status"
    for key, longest in (("code", 64), ("name", 200), ("procedure", 32)):
        if len(texts[key]) > longest:
            problems[key] = "long"
    filters = SearchFilters(code=texts["code"][:64], name=texts["name"][:200], procedure=texts["procedure"][:32],
                            status=status, received_from=days["received_from"], received_to=days["received_to"],
                            accepted_from=days["accepted_from"], accepted_to=days["accepted_to"],
                            overdue=texts["overdue"] in ("1", "true", "on"))
    return filters, problems
