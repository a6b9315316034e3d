"""The procedures behind the procedure indicators of /bao-cao (1.3, 3.1, 3.2: ``Figure.subject ==
"procedure"``, their ids are procedure ids): GET /bao-cao/ho-so?chi-so=1.3&nhom=dat lists them, not
dossiers. Per procedure: code, name, agency, the constituent parts its published version lacks (1.3,
engine/report_catalogue.py `missing`), the online level it offers at the period's end (3.1, 3.2;
none when no level is published or a channel policy closes the online channel), a link to its public
page (/thu-tuc/{code}: what a citizen reads, open to a leader; the designer is for administrators,
who do not read the reports)."""

from __future__ import annotations

from dataclasses import dataclass

from engine import report_catalogue
from web.designer.metadata import LABELS, LEVEL_LABELS
from web.errors import N_
from web.staff.report_data import Scope

KEYS = report_catalogue.KEYS
#: drill-down group -> label, for procedure indicators
GROUPS = {"dat": N_("Thủ tục được tính vào tử số"), "tong": N_("Tất cả thủ tục được xét")}
#: report_catalogue.PARTS -> label (the designer's words, one for "how it is carried out")
PART_LABELS = {
    **{k: LABELS[k] for k in ("name", "agency", "time_limit", "components", "legal_basis")},
    "carried_out": N_("Nơi tiếp nhận hoặc cách trả kết quả"),
}
NO_LEVEL = N_("Không cung cấp trực tuyến")


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    agency: str
    missing: tuple[str, ...]  # labels (untranslated) of the parts 1.3 finds missing
    level: str  # label (untranslated) of the online level offered
    public: str  # the public page


async def lines(scope: Scope, ids: list[int]) -> list[Line]:
    """The procedures of ``ids`` (in id order) as the list shows them."""
    procs = await report_catalogue.catalogue(ids=ids)
    levels = await report_catalogue.online_levels(procs, scope.period.end)
    return [
        Line(
            p["code"],
            p["name"],
            str(p["meta"].get("agency") or p["meta"].get("agency_code") or ""),
            tuple(PART_LABELS[m] for m in report_catalogue.missing(p["meta"])),
            LEVEL_LABELS.get(levels[p["id"]], NO_LEVEL),
            f"/thu-tuc/{p['code']}",
        )
        for p in procs
    ]
