"""The /bao-cao reports as typed tables, and those tables as CSV (UTF-8 BOM, Vietnamese headers,
formula cells neutralised like /quan-ly/ho-so.csv) or XLSX (openpyxl: real dates, number formats);
the Form 07 register (web/staff/register.py) is written by the same two functions.

The page and the files read the same `Report` (web/staff/report_data.py), so a file's values are the
page's: rates and points as numbers (None = "no data", written as the reason), instants as local
date-times."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from engine import report_targets, reports
from engine.lifecycle import Status
from web.errors import N_
from web.staff.report_data import HEADLINE, STEP_GROUPS, Card, LateLine, Official, Row
from web.staff.search import ZONE, csv_cell

Cell = str | int | Decimal | datetime | date | None
#: indicator titles (engine keys -> Vietnamese); an indicator the engine adds later shows its key alone
TITLES = {"1.3": N_("Thủ tục hành chính công bố đủ thành phần"), "1.4": N_("Tỷ lệ hồ sơ đồng bộ lên Cổng quốc gia"),
          "2.1": N_("Tỷ lệ hồ sơ giải quyết đúng hạn"), "2.2": N_("Thời gian giải quyết trung bình"),
          "3.1": N_("Thủ tục cung cấp dịch vụ trực tuyến"), "3.2": N_("Dịch vụ trực tuyến phát sinh hồ sơ"),
          "3.3": N_("Tỷ lệ hồ sơ trực tuyến"), "3.5": N_("Thủ tục có phí tích hợp thanh toán trực tuyến"),
          "3.6": N_("Tỷ lệ thanh toán trực tuyến"), "4.1": N_("Hồ sơ có kết quả điện tử"),
          "4.2": N_("Tỷ lệ số hóa hồ sơ"), "4.3": N_("Tỷ lệ tái sử dụng dữ liệu số hóa"),
          "4.5": N_("Sử dụng dữ liệu dân cư"), "5.4": N_("Mức độ hài lòng trong giải quyết thủ tục")}
REASONS = {"no_dossier": N_("Chưa có hồ sơ nào trong kỳ"),
           "no_rating": N_("Chưa có hồ sơ nào được công dân đánh giá trong kỳ"),
           "no_finished": N_("Chưa có hồ sơ nào giải quyết xong trong kỳ"),
           "no_result": N_("Chưa có kết quả giấy nào được trả trong kỳ"),
           "not_synced": N_("Chưa đồng bộ hồ sơ nào lên Cổng Dịch vụ công quốc gia"),
           "no_payment": N_("Hệ thống chưa ghi nhận thanh toán trực tuyến"),
           "no_step_due": N_("Các bước chưa có thời hạn riêng"),
           "no_procedure": N_("Chưa có thủ tục nào được công bố"),
           "no_online_service": N_("Chưa có thủ tục nào cung cấp dịch vụ trực tuyến")}
NO_DATA = N_("Chưa có dữ liệu")
#: table name (the `bang` query field) -> its title
NAMES = {"chi-so": N_("Chỉ số"), "nhom": N_("Điểm theo nhóm"), "xu-huong": N_("Xu hướng theo tháng"),
         "co-quan": N_("Theo cơ quan"), "thu-tuc": N_("Theo thủ tục"), "tre-han": N_("Hồ sơ trễ hạn"),
         "can-bo": N_("Phiếu kiểm soát quá trình xử lý theo cán bộ")}


@dataclass(frozen=True)
class Report:
    card: Card
    trend: list[Row]
    agencies: list[Row]
    procedures: list[Row]
    late: list[LateLine]
    officials: list[Official]
    targets: dict[str, Decimal] = field(default_factory=dict)  # engine.report_targets.targets()


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]


def title(key: str, tr: Callable[[str], str]) -> str:
    return f"{key}. {tr(TITLES[key])}" if key in TITLES else key


def no_data(figure: reports.Figure, tr: Callable[[str], str]) -> str:
    reason = REASONS.get(figure.reason, figure.reason)
    return f"{tr(NO_DATA)}: {tr(reason)}" if reason else tr(NO_DATA)


def _rate(figure: reports.Figure | None, tr: Callable[[str], str]) -> Cell:
    if figure is None:
        return tr(NO_DATA)
    return no_data(figure, tr) if figure.value is None else figure.value


def _met(figure: reports.Figure, target: Decimal | None, tr: Callable[[str], str]) -> str:
    met = None if target is None else report_targets.meets(figure, target)
    return tr("chưa đánh giá") if met is None else tr("Đạt") if met else tr("Chưa đạt")


def _rows_table(name: str, first: str, rows: Sequence[Row], tr: Callable[[str], str]) -> Table:
    headers = [tr(first)]
    for key in HEADLINE:
        headers += [title(key, tr) + " (%)", f"{key}: " + tr("Số hồ sơ được xét")]
    lines: list[list[Cell]] = []
    for row in rows:
        line: list[Cell] = [tr(row.label) if row.unplaced else row.label]
        for key in HEADLINE:
            figure = row.figures.get(key)
            line += [_rate(figure, tr), figure.count if figure else 0]
        if name == "xu-huong":
            line.append(row.total)
        lines.append(line)
    if name == "xu-huong":
        headers.append(tr("Tổng điểm"))
    return Table(name, tr(NAMES[name]), headers, lines)


def local(at: datetime | None) -> datetime | None:
    """An instant as the local wall-clock time a spreadsheet shows (no offset: Excel has none)."""
    return at.astimezone(ZONE).replace(tzinfo=None) if at else None


def tables(report: Report, tr: Callable[[str], str], en: bool) -> dict[str, Table]:
    card = report.card
    out = {"chi-so": Table("chi-so", tr(NAMES["chi-so"]), [tr("Chỉ số"), tr("Giá trị (%)"), tr("Điểm"),
                                                            tr("Điểm tối đa"), tr("Số hồ sơ được xét"),
                                                            tr("Mục tiêu (%)"), tr("Đạt mục tiêu")],
                           [[title(k, tr), _rate(f, tr), f.points, f.max_points, f.count,
                             report.targets.get(k), _met(f, report.targets.get(k), tr)]
                            for k, f in card.figures.items()])}
    groups: list[list[Cell]] = [[f"{g.number}. {tr(g.label)}", g.points if g.points is not None else tr(NO_DATA),
                                 g.max_points, ", ".join(g.keys)] for g in card.groups]
    groups.append([tr("Tổng điểm"), card.total, 100, ""])
    out["nhom"] = Table("nhom", tr(NAMES["nhom"]), [tr("Nhóm"), tr("Điểm"), tr("Điểm tối đa"), tr("Chỉ số")],
                        groups)
    out["xu-huong"] = _rows_table("xu-huong", N_("Tháng"), report.trend, tr)
    out["co-quan"] = _rows_table("co-quan", N_("Cơ quan"), report.agencies, tr)
    out["thu-tuc"] = _rows_table("thu-tuc", N_("Thủ tục"), report.procedures, tr)
    out["tre-han"] = Table("tre-han", tr(NAMES["tre-han"]), [
        tr("Mã hồ sơ"), tr("Thủ tục"), tr("Cơ quan giải quyết"), tr("Ngày được tiếp nhận"), tr("Hạn giải quyết"),
        tr("Ngày kết thúc xử lý"), tr("Trạng thái")], [
        [d.code, d.procedure, d.agency, local(d.accepted_at), local(d.due_at), local(d.ended_at),
         Status(d.status).label_en if en else Status(d.status).label_vi] for d in report.late])
    out["can-bo"] = Table("can-bo", tr(NAMES["can-bo"]), [tr("Cán bộ"), tr("Tài khoản")]
                          + [tr(label) for label in STEP_GROUPS.values()],
                          [[o.name, o.username, *(o.steps[k] for k in STEP_GROUPS)] for o in report.officials])
    return out


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return csv_cell(value) if isinstance(value, str) else str(value)  # numbers stay numbers (a negative 5.4)


def to_xlsx(all_tables: Sequence[Table]) -> bytes:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for table in all_tables:
        sheet = book.create_sheet(table.title[:31].replace("/", "-"))
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_xlsx(v) for v in row])
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, datetime):
                    cell.number_format = "DD/MM/YYYY HH:MM"
                elif isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
                elif isinstance(cell.value, float):
                    cell.number_format = "0.00"
                elif isinstance(cell.value, str) and cell.data_type == "f":
                    cell.data_type = "s"  # admin- or citizen-typed text is never a formula
        for column, header in zip(sheet.columns, table.headers, strict=False):
            sheet.column_dimensions[column[0].column_letter].width = min(max(len(header), 12) + 2, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx(value: Cell) -> str | int | float | datetime | date | None:
    if isinstance(value, Decimal):
        return float(value)
    return value
