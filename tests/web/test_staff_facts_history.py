"""The staff dossier page's pure formatting: form labels for data, sentences for events."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from engine.events import Recorded
from tests.factories import APPLICATIONS, PROCEDURES
from web.i18n import gettext_for
from web.staff.facts import facts
from web.staff.history import lines, sentence, when

VI = gettext_for("vi").gettext
EN = gettext_for("en").gettext
AT = datetime(2026, 2, 20, 2, 0, tzinfo=UTC)


def schema(slug: str) -> dict:
    return json.loads((PROCEDURES / slug / "forms" / "application.form.json").read_text())


def flat(groups: list) -> dict[str, str]:
    return {f.key: f"{f.label}={f.value}" for g in groups for f in g.facts}


def test_data_shows_form_labels_groups_choice_labels_dates_and_file_names() -> None:
    data = {**APPLICATIONS["birth-registration"], "intake_decision": "accept"}
    groups = facts(schema("birth-registration"), data, gettext_for("vi"))
    shown = flat(groups)
    assert shown["child_sex"] == "Giới tính=Nam"
    assert shown["child_date_of_birth"] == "Ngày, tháng, năm sinh=01/11/2026"
    assert shown["mother.full_name"] == "Họ, chữ đệm và tên=Trần Thị Hoa"
    assert shown["birth_certificate"].endswith("=giay-chung-sinh.pdf")
    assert shown["intake_decision"] == "intake_decision=accept"  # not in the form: the key
    labels = [g.label for g in groups]
    assert "Thông tin người mẹ" in labels and labels[-1] == "Dữ liệu khác"


def test_booleans_read_yes_no_and_list_rows_are_numbered() -> None:
    groups = facts(schema("household-business"), APPLICATIONS["household-business"], gettext_for("vi"))
    shown = flat(groups)
    assert shown["registration_required_confirmed"].endswith("=Có")
    assert shown["owner_date_of_birth"].endswith("=02/04/1988")
    assert any(g.label and g.label.endswith("(1)") for g in groups)
    assert shown["members[1].full_name"].endswith("=Lê Thị Mai")
    assert flat(facts(None, {"x": False}, gettext_for("en")))["x"] == "x=No"


def record(kind: str, **details: object) -> Recorded:
    return Recorded(kind, AT, "motcua", 1, dict(details))


def test_history_sentences_in_vietnamese_and_english() -> None:
    accepted = record("accepted", due_at="2026-02-24T02:00:00+00:00")
    assert sentence(accepted, VI) == "Cán bộ một cửa motcua đã tiếp nhận hồ sơ; hạn trả kết quả 24/02/2026 09:00"
    moved = record("status_changed", from_status=1, to_status=2, command="accept")
    assert sentence(moved, VI) == "Hồ sơ chuyển từ trạng thái 1 “Mới đăng ký” sang 2 “Được tiếp nhận”"
    assert sentence(moved, EN, en=True) == "The dossier moved from status 1 “Submitted” to 2 “Accepted”"
    assert sentence(record("supplement_requested", what=["Thiếu biên bản"]), VI) == "Yêu cầu bổ sung: Thiếu biên bản"
    assert sentence(record("supplement_received", source="counter"), VI) == (
        "Cán bộ một cửa motcua đã nhận hồ sơ bổ sung (tại quầy)")
    assert sentence(record("something_new"), VI) == "something_new"


def test_files_read_as_a_supplement_only_when_they_are_one() -> None:
    # the files sent with the application are the dossier's own, not a "supplement" (bổ sung)
    upload = record("attachments_added", components=["birth_certificate"], source="upload")
    assert sentence(upload, VI) == "motcua đã tải lên giấy tờ của hồ sơ"
    assert sentence(upload, EN, en=True) == "motcua uploaded the dossier's documents"
    assert sentence(record("attachments_added", source="counter_scan"), VI) == "motcua đã số hóa giấy tờ nộp tại quầy"
    assert sentence(record("attachments_added", source="supplement"), VI) == "motcua đã tải lên giấy tờ bổ sung"
    assert sentence(record("attachments_added", source="reused"), VI) == "Đã dùng lại giấy tờ đã số hóa"
    assert sentence(record("attachments_added"), VI) == "Đã thêm giấy tờ vào hồ sơ"


def test_a_completed_task_is_named_by_its_opening_event_with_its_verdict() -> None:
    trail = [record("task_opened", task_id="t1", element_id="appraisal", name="Thẩm định hồ sơ", role="specialist"),
             record("task_completed", task_id="t1", element_id="appraisal", verdict="on_time")]
    done = lines(trail, VI)[1]
    assert done.text == "motcua đã hoàn thành bước “Thẩm định hồ sơ” (đúng hạn)" and done.at == "20/02/2026 09:00"
    assert when("2026-02-24T17:00:00+00:00", due=True) == "24/02/2026 24:00"


def test_an_online_supplement_reads_as_the_citizens_upload_then_the_officers_confirmation() -> None:
    """One online supplement leaves two supplement_received events: they must not read alike."""
    upload = record("supplement_received", source="online", files=["bien-ban.pdf", "anh.jpg"])
    confirm = record("supplement_received", source="online")
    assert sentence(upload, VI) == "Công dân đã gửi giấy tờ bổ sung trực tuyến: bien-ban.pdf, anh.jpg"
    assert sentence(confirm, VI) == "Cán bộ một cửa motcua đã xác nhận nhận hồ sơ bổ sung (trực tuyến)"
    assert sentence(upload, EN, en=True) == "The citizen sent the supplement online: bien-ban.pdf, anh.jpg"
    assert sentence(confirm, EN, en=True) == "One-stop officer motcua confirmed receipt of the supplement (online)"
    texts = [line.text for line in lines([upload, confirm], VI)]
    assert len(set(texts)) == 2 and not any(t.startswith("Đã nhận hồ sơ bổ sung") for t in texts)
