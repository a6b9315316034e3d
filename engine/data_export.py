"""A citizen's export of their own data (Law 91/2025, Decree 356/2025: the right of access; SECURITY.md §2.1).

`collect()` gathers, for the signed-in citizen only, every dossier they submitted: its register facts,
its data (the workflow's data as the last step left it), its public history, its rating, its stored
documents, and the access log of staff reads of its personal data (every row the `document_access`
table holds for those dossiers, whatever columns it has). `write_zip()` writes them as a ZIP
(Vietnamese names, JSON in UTF-8, a README.txt in Vietnamese) to a file object; the web layer streams
it. `record()` keeps one `data_export` row per export.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from engine import sql
from engine.dossiers.queries import view
from engine.errors import NotFound
from engine.lifecycle import Status
from engine.models import DataExport, Rating, User

if TYPE_CHECKING:
    from engine.runtime import Runtime

ACCESS_HIDDEN = ("id", "user_id", "dossier_id")  # internal keys; the officer is named by username

README = """DỮ LIỆU CÁ NHÂN CỦA BẠN TRÊN HỆ THỐNG MỘT CỬA
================================================

Tệp nén này chứa toàn bộ dữ liệu mà hệ thống đang lưu về các hồ sơ bạn đã nộp, theo quyền được
biết và quyền truy cập dữ liệu cá nhân (Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15 và Nghị định
356/2025/NĐ-CP).

Tài khoản: {username}
Thời điểm xuất: {at} (giờ UTC)
Số hồ sơ: {dossiers}; số tệp giấy tờ: {files}

Nội dung:
- tai-khoan.json: thông tin tài khoản của bạn.
- ho-so/<mã hồ sơ>/ho-so.json: thông tin hồ sơ (thủ tục, trạng thái, các mốc thời gian, kênh nộp),
  dữ liệu bạn đã khai ("du_lieu"), lịch sử xử lý ("lich_su"), đánh giá của bạn ("danh_gia") và
  danh sách giấy tờ đã nộp ("giay_to").
- ho-so/<mã hồ sơ>/giay-to/: bản lưu các giấy tờ (tệp) của hồ sơ.
- nhat-ky-truy-cap.json: nhật ký các lần cán bộ mở dữ liệu cá nhân trong hồ sơ của bạn
  (ai, lúc nào, mở giấy tờ nào, với mục đích gì).

Thời gian ghi theo chuẩn ISO 8601, giờ UTC (giờ Việt Nam = UTC + 7).
Hồ sơ đã hết thời hạn lưu trữ dữ liệu cá nhân chỉ còn thông tin sổ theo dõi; dữ liệu cá nhân đã bị xoá.
Nếu bạn thấy dữ liệu không đúng, bạn có quyền yêu cầu chỉnh sửa tại cơ quan giải quyết thủ tục.
"""


@dataclass
class Export:
    username: str
    at: datetime
    account: dict[str, Any]
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    files: list[tuple[str, Path]] = field(default_factory=list)  # (name in the ZIP, stored file)
    access_log: list[dict[str, Any]] = field(default_factory=list)


def _iso(value: Any) -> Any:
    moment = sql.instant(value) if isinstance(value, str | datetime) else None
    return moment.isoformat() if moment is not None else value


def _safe(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name).strip(" .")
    return keep[:120] or "tep"


async def collect(rt: Runtime, user: User, folder: Path, now: datetime) -> Export:
    out = Export(user.username, now.astimezone(UTC), {"ten_dang_nhap": user.username, "ho_ten": user.full_name,
                                                      "loai_tai_khoan": user.kind, "thu_dien_tu": user.email})
    rows = await sql.fetch(sql.db(), "SELECT code FROM dossier WHERE submitted_by_id = ? ORDER BY created_at, id",
                           [user.id])
    for row in rows:
        try:
            v = await view(rt, row["code"], user, with_data=True)
        except NotFound:
            continue
        d = v.dossier
        attachments = await sql.fetch(sql.db(), "SELECT id, component, name, content_type, size, sha256, source, at "
                                                "FROM attachment WHERE dossier_id = ? ORDER BY at, id", [d.id])
        papers = []
        for a in attachments:
            entry = {"thanh_phan": a["component"], "ten_tep": a["name"], "loai": a["content_type"],
                     "kich_thuoc": a["size"], "nguon": a["source"], "thoi_gian": _iso(a["at"])}
            path = folder / str(a["sha256"])[:2] / str(a["sha256"])
            if len(str(a["sha256"])) == 64 and path.is_file():
                entry["tep_trong_goi"] = f"ho-so/{d.code}/giay-to/{a['id']}-{_safe(str(a['name']))}"
                out.files.append((entry["tep_trong_goi"], path))
            papers.append(entry)
        rating = await Rating.get_or_none(dossier_id=d.id)
        out.dossiers.append({
            "ma_ho_so": d.code, "thu_tuc": {"ma": v.procedure_code, "phien_ban": v.version_number},
            "trang_thai": {"ma": d.lifecycle_status, "ten": Status(d.lifecycle_status).label_vi},
            "kenh_nop": d.channel, "ngay_nop": _iso(d.created_at), "ngay_tiep_nhan": _iso(d.accepted_at),
            "hen_tra_ket_qua": _iso(d.due_adjusted_at), "ngay_co_ket_qua": _iso(d.result_at),
            "ngay_tra_ket_qua": _iso(d.returned_at), "tu_choi": d.refusal, "hen_lai": d.extension,
            "da_xoa_du_lieu_ca_nhan": _iso(d.purged_at), "du_lieu": v.data,
            "lich_su": [{"thoi_gian": _iso(e.at), "su_kien": e.kind, "chi_tiet": e.details}
                        for e in v.events if e.public],
            "danh_gia": {"diem": rating.score, "nhan_xet": rating.comment, "thoi_gian": _iso(rating.at)}
            if rating else None,
            "giay_to": papers})
        names = {a["id"]: a["name"] for a in attachments}
        for access in await sql.fetch(sql.db(), "SELECT * FROM document_access WHERE dossier_id = ? ORDER BY at, id",
                                      [d.id]):
            entry = {"ma_ho_so": d.code, **{k: _iso(val) if k.endswith("at") else val
                                            for k, val in access.items() if k not in ACCESS_HIDDEN}}
            if access.get("attachment_id") in names:
                entry["ten_tep"] = names[access["attachment_id"]]
            out.access_log.append(entry)
    return out


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def write_zip(export: Export, target: IO[bytes]) -> None:
    """The ZIP (blocking I/O: run it in a thread)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.txt", README.format(username=export.username, at=export.at.isoformat(),
                                               dossiers=len(export.dossiers), files=len(export.files)))
        z.writestr("tai-khoan.json", _json(export.account))
        for dossier in export.dossiers:
            z.writestr(f"ho-so/{dossier['ma_ho_so']}/ho-so.json", _json(dossier))
        for name, path in export.files:
            z.write(path, name)
        z.writestr("nhat-ky-truy-cap.json", _json(export.access_log))


async def record(user: User, export: Export) -> None:
    await DataExport.create(user_id=user.id, username=user.username, dossiers=len(export.dossiers),
                            files=len(export.files), at=export.at)


async def dossiers_of(user: User) -> list[dict[str, Any]]:
    """The citizen's dossiers for their account page, newest first."""
    rows = await sql.fetch(sql.db(), (
        "SELECT d.code, d.lifecycle_status, d.created_at, d.purged_at, p.name AS procedure_name, p.name_en AS "
        "procedure_name_en FROM dossier d JOIN procedure_version pv ON pv.id = d.procedure_version_id "
        "JOIN procedure p ON p.id = pv.procedure_id WHERE d.submitted_by_id = ? ORDER BY d.created_at DESC, d.id DESC"),
        [user.id])
    return [{**r, "status": Status(r["lifecycle_status"]), "created_at": sql.instant(r["created_at"]),
             "purged_at": sql.instant(r["purged_at"])} for r in rows]
