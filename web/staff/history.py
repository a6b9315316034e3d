"""A dossier's event trail as sentences for the staff page (Vietnamese source, English catalogue)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from engine.events import Recorded
from engine.lifecycle import Status
from web.documents import LOCAL_TZ

Translate = Callable[[str], str]


@dataclass(frozen=True)
class HistoryLine:
    at: str
    kind: str
    text: str


def when(at: datetime | str | None, *, due: bool = False) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh; a due at midnight is 24:00 of the day before."""
    if at is None or at == "":
        return "—"
    try:
        local = (datetime.fromisoformat(at) if isinstance(at, str) else at).astimezone(LOCAL_TZ)
    except ValueError:
        return str(at)
    if due and local.time() == time.min:
        return (local - timedelta(days=1)).strftime("%d/%m/%Y 24:00")
    return local.strftime("%d/%m/%Y %H:%M")


def _status(code: Any, en: bool) -> str:
    try:
        status = Status(int(code))
    except (TypeError, ValueError):
        return str(code)
    return f"{int(status)} “{status.label_en if en else status.label_vi}”"


def _join(items: Any) -> str:
    if isinstance(items, list | tuple):
        return "; ".join(str(i) for i in items) or "—"
    return str(items or "—")


def sentence(e: Recorded, _: Translate, *, en: bool = False, task_names: dict[str, str] | None = None) -> str:
    """One event in words; an unknown kind reads as its code."""
    d, actor = e.details, e.actor
    names = task_names or {}
    step = names.get(str(d.get("task_id")), str(d.get("name") or d.get("element_id") or ""))
    channels = {"paper": _("bản giấy"), "electronic": _("bản điện tử"), "both": _("bản giấy và bản điện tử"),
                "online": _("trực tuyến"), "counter": _("tại quầy"), "post": _("qua bưu chính")}
    verdicts = {"early": _("trước hạn"), "on_time": _("đúng hạn"), "late": _("quá hạn")}
    k = e.kind
    if k == "submitted":
        return _("Hồ sơ được nộp ({channel}) bởi {actor}").format(
            channel=channels.get(d.get("channel", ""), d.get("channel", "")), actor=actor)
    if k == "accepted":
        return _("Cán bộ một cửa {actor} đã tiếp nhận hồ sơ; hạn trả kết quả {due}").format(
            actor=actor, due=when(d.get("due_at"), due=True))
    if k == "status_changed":
        text = _("Hồ sơ chuyển từ trạng thái {source} sang {target}").format(
            source=_status(d.get("from_status"), en), target=_status(d.get("to_status"), en))
        return text + (" " + _("(quản lý làm thay)") if d.get("override") else "")
    if k == "supplement_requested":
        return _("Yêu cầu bổ sung: {what}").format(what=_join(d.get("what")))
    if k == "supplement_received":  # an online supplement: the citizen's upload (files), then the confirmation
        if d.get("files"):
            return _("Công dân đã gửi giấy tờ bổ sung trực tuyến: {files}").format(
                files=", ".join(str(f) for f in d["files"]))
        source = channels.get(d.get("source", ""), d.get("source", "")) or "—"
        if d.get("source") == "online":
            return _("Cán bộ một cửa {actor} đã xác nhận nhận hồ sơ bổ sung ({source})").format(
                actor=actor, source=source)
        return _("Cán bộ một cửa {actor} đã nhận hồ sơ bổ sung ({source})").format(actor=actor, source=source)
    if k == "supplement_returned":
        return _("Hồ sơ bổ sung chưa đầy đủ: {reasons}").format(reasons=_join(d.get("reasons")))
    if k == "refused":
        return _("Cán bộ {actor} đã từ chối hồ sơ: {reasons}").format(actor=actor, reasons=_join(d.get("reasons")))
    if k == "paused":
        return _("Tạm dừng tính thời hạn")
    if k == "resumed":
        return _("Tính tiếp thời hạn; hạn mới {due}").format(due=when(d.get("due_at"), due=True))
    if k == "financial_obligation_requested":
        text = _("Yêu cầu thực hiện nghĩa vụ tài chính")
        return f"{text}: {d['note']}" if d.get("note") else text
    if k == "due_soon":
        return _("Hồ sơ sắp đến hạn ({due})").format(due=when(d.get("due_at"), due=True))
    if k == "overdue":
        return _("Hồ sơ đã quá hạn ({due})").format(due=when(d.get("due_at"), due=True))
    if k == "reappointed":
        return _("Hẹn lại ngày trả kết quả: {due}; lý do: {reason}").format(
            due=when(d.get("new_due_at"), due=True), reason=d.get("reason") or "—")
    if k == "result_ready":
        if d.get("channel") not in channels:
            return _("Đã có kết quả")
        return _("Đã có kết quả ({channel})").format(channel=channels[d["channel"]])
    if k == "returned":
        how = ", ".join(channels[c] for c in (d.get("channel", ""), d.get("delivery", "")) if c in channels)
        return _("Cán bộ {actor} đã trả kết quả ({channel})").format(actor=actor, channel=how or "—")
    if k == "withdrawn":
        text = _("Hồ sơ được rút theo yêu cầu của công dân")
        return f"{text} ({d['note']})" if d.get("note") else text
    if k == "stopped":
        if d.get("reason") == "auto_close":
            return _("Dừng xử lý: quá 15 ngày không bổ sung hồ sơ")
        return f"{_('Dừng xử lý hồ sơ')}: {d['reason']}" if d.get("reason") else _("Dừng xử lý hồ sơ")
    if k == "rated":
        return _("Công dân đánh giá {score}/5").format(score=d.get("score"))
    if k == "task_opened":
        return _("Bắt đầu bước “{step}”").format(step=step)
    if k == "task_claimed":
        return _("{actor} đã nhận xử lý bước “{step}”").format(actor=actor, step=step)
    if k == "task_released":
        return _("{actor} đã trả lại bước “{step}” cho nhóm").format(actor=actor, step=step)
    if k == "task_completed":
        text = _("{actor} đã hoàn thành bước “{step}”").format(actor=actor, step=step)
        verdict = verdicts.get(d.get("verdict") or "")
        return f"{text} ({verdict})" if verdict else text
    if k == "task_cancelled":
        return _("Bước “{step}” đã bị hủy").format(step=step)
    if k == "workflow_completed":
        return _("Quy trình xử lý đã kết thúc")
    if k == "attachments_added":  # "bổ sung" only for a supplement: the first files are the dossier's own
        source = d.get("source")
        if source == "supplement":
            return _("{actor} đã tải lên giấy tờ bổ sung").format(actor=actor)
        if source == "counter_scan":
            return _("{actor} đã số hóa giấy tờ nộp tại quầy").format(actor=actor)
        if source == "upload":
            return _("{actor} đã tải lên giấy tờ của hồ sơ").format(actor=actor)
        if source == "reused":
            return _("Đã dùng lại giấy tờ đã số hóa")
        return _("Đã thêm giấy tờ vào hồ sơ")
    return k


def lines(events: Iterable[Recorded], _: Translate, *, en: bool = False) -> list[HistoryLine]:
    """The trail in words, oldest first; a task's name comes from its task_opened event."""
    trail = list(events)
    names = {str(e.details["task_id"]): str(e.details["name"])  # only task_opened carries both
             for e in trail if "task_id" in e.details and e.details.get("name")}
    return [HistoryLine(when(e.at), e.kind, sentence(e, _, en=en, task_names=names)) for e in trail]
