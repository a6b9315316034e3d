"""A published version's facts (engine/metadata.py) in the citizen's words: time limit, level,
components, fees ("Chưa công bố" when none is published: never a false "Không"), legal basis,
reception points and delivery options. The catalogue, the procedure page and the apply page use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.versions import VersionInfo
from web.i18n import gettext_for


def N_(text: str) -> str:
    return text


UNITS = {"working_days": N_("ngày làm việc"), "working_hours": N_("giờ làm việc"), "calendar_days": N_("ngày")}
SAME_DAY = N_("Trong ngày")
SAME_DAY_NOTE = N_("nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo")
LEVELS = {"full": N_("Trực tuyến toàn trình"), "partial": N_("Trực tuyến một phần")}
KINDS = {"original": N_("Bản chính"), "copy": N_("Bản sao"), "certified_copy": N_("Bản sao có chứng thực"),
         "e-copy": N_("Bản điện tử")}
DELIVERY = {"counter": N_("Nhận tại Bộ phận một cửa"), "post": N_("Nhận qua dịch vụ bưu chính công ích"),
            "online": N_("Nhận bản điện tử trực tuyến")}
UNPUBLISHED = N_("Chưa công bố")
FREE = N_("Miễn phí, lệ phí")


@dataclass(frozen=True)
class ComponentLine:
    name: str
    detail: str  # "Bản chính: 1 · nếu có"
    held_by_state: bool


@dataclass(frozen=True)
class FeeLine:
    name: str
    amount: str  # "100.000 đồng", "Miễn phí, lệ phí" or "" (set elsewhere: see the note)
    note: str


@dataclass(frozen=True)
class Facts:
    code: str
    name: str
    agency: str
    sector: str
    level: str
    online_full: bool
    time_label: str
    time_note: str
    components: list[ComponentLine]
    fees: list[FeeLine]
    fee_summary: str  # one line for cards and the apply page
    legal_basis: list[str]
    reception_points: list[str]
    delivery: list[str]


def money(amount: int, lang: str) -> str:
    return f"VND {amount:,}" if lang == "en" else f"{amount:,}".replace(",", ".") + " đồng"


def facts(version: VersionInfo, lang: str) -> Facts:
    tr = gettext_for(lang).gettext
    meta: dict[str, Any] = version.metadata
    unit = meta.get("time_unit", "working_days")
    if unit == "same_day":
        time_label, time_note = tr(SAME_DAY), tr(SAME_DAY_NOTE)
    else:
        number = f"{float(meta.get('time_limit') or 0):g}"
        time_label = f"{number if lang == 'en' else number.replace('.', ',')} {tr(UNITS.get(unit, unit))}"
        time_note = ""
    components = []
    for c in meta.get("components") or []:
        detail = f"{tr(KINDS.get(c.get('kind', 'original'), c.get('kind', '')))}: {int(c.get('quantity') or 1)}"
        if not c.get("required"):
            detail += " · " + tr("nếu có")
        components.append(ComponentLine(str(c.get("name", "")), detail, bool(c.get("held_by_state"))))
    fees = [FeeLine(str(f.get("name", "")), "" if f.get("amount") is None else
                    tr(FREE) if f["amount"] == 0 else money(int(f["amount"]), lang), str(f.get("note") or ""))
            for f in meta.get("fees") or []]
    if not fees:
        summary = tr(UNPUBLISHED)
    elif all(f.amount == tr(FREE) for f in fees):
        summary = tr(FREE)
    else:
        summary = "; ".join(f"{f.name}: {f.amount or f.note}" for f in fees)
    points = [f"{p['name']} ({p['code']})" if p.get("code") else str(p.get("name", ""))
              for p in meta.get("reception_points") or []]
    level = meta.get("online_level", "partial")
    return Facts(version.procedure_code, str(meta.get("name", "")), str(meta.get("agency", "")),
                 str(meta.get("sector", "")), tr(LEVELS.get(level, LEVELS["partial"])), level == "full",
                 time_label, time_note, components, fees, summary, [str(x) for x in meta.get("legal_basis") or []],
                 points, [tr(DELIVERY[d]) for d in meta.get("delivery") or [] if d in DELIVERY])
