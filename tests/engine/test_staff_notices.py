"""Staff notices written by the outbox subscriber (dispatched for real): a task arriving in a role's
inbox, due soon, overdue, escalation to the head of the one-stop unit; read per user; idempotent;
scoped like the inbox; the e-mail digest composed from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from engine import accounts, agencies, dossiers, notice_digest, outbox, staff_notices, timers
from engine.dossier_lifecycle import Step
from engine.errors import NotFound
from engine.models import Dossier, HumanTask, OutboxEvent, StaffNotice, StaffNoticeRead
from engine.settings import Settings
from tests.conftest import PASSWORD
from tests.factories import APPLICATIONS, accepted_household, publish_shipped, rt

ACCEPTED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Mon 2 Mar 2026 09:00 local


async def drain(now: datetime) -> None:
    for _ in range(20):
        await outbox.dispatch(rt(), now)
        if not await OutboxEvent.filter(subscriber=staff_notices.SUBSCRIBER, state__in=["pending", "delivering"]
                                        ).exists():
            return
    raise AssertionError("the staff notices were not all delivered")


async def staff(username: str, roles: list[str], agency: str = "") -> Any:
    return await accounts.create_user(username, PASSWORD, "staff", roles=roles, agency=agency)


def kinds(found: list[staff_notices.Notice]) -> list[tuple[str, str]]:
    return sorted((n.text_key, n.dossier_code) for n in found)


async def test_a_task_opened_is_one_row_for_the_role_read_separately_by_each_member(
        db: Settings, users: dict[str, Any]) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    second = await staff("specialist2", ["specialist"])
    await drain(ACCEPTED)
    rows = await StaffNotice.filter(kind="task_opened").order_by("id")
    assert [(r.role, r.user_id) for r in rows] == [("one_stop", None), ("specialist", None)]
    appraisal = rows[1]
    assert appraisal.dossier_code == dossier.code and appraisal.params["code"] == dossier.code
    assert appraisal.task_id == (await HumanTask.get(dossier_id=dossier.id, state="ready")).id
    now = ACCEPTED + timedelta(minutes=5)
    first = users["specialist"]
    assert await staff_notices.unread_count(first, now) == 1 == await staff_notices.unread_count(second, now)
    assert kinds(await staff_notices.listing(first, now)) == [("task_opened", dossier.code)]
    await staff_notices.mark_read(first, appraisal.id, now)
    await staff_notices.mark_read(first, appraisal.id, now)  # twice: still one read row
    assert await staff_notices.unread_count(first, now) == 0
    assert await staff_notices.unread_count(second, now) == 1  # read per user, not per role
    assert await StaffNoticeRead.all().count() == 1
    assert [n.read for n in await staff_notices.listing(first, now)] == [True]
    assert await staff_notices.unread_count(users["officer"], now) == 1  # the intake task's notice


async def test_a_repeated_delivery_writes_nothing_more(db: Settings, users: dict[str, Any]) -> None:
    await accepted_household(users, ACCEPTED)
    await drain(ACCEPTED)
    before = await StaffNotice.all().count()
    subscriber = rt().subscribers[staff_notices.SUBSCRIBER]
    for row in await OutboxEvent.filter(subscriber=staff_notices.SUBSCRIBER):
        await subscriber.deliver(outbox.Delivery(row.id, row.subscriber, row.key, row.kind, row.payload, 2))
    assert before == 2 and await StaffNotice.all().count() == before


async def test_due_soon_and_overdue_tell_the_holder_and_overdue_escalates_to_the_head(
        db: Settings, users: dict[str, Any]) -> None:
    dossier = await accepted_household(users, ACCEPTED)
    head = await staff("truongbp", ["one_stop_head"])
    task = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await dossiers.claim(rt(), task.id, users["specialist"], ACCEPTED)
    due = (await Dossier.get(id=dossier.id)).due_adjusted_at
    assert due is not None
    soon = due - timedelta(days=2, seconds=-1)
    await timers.fire_due(rt(), soon)
    await drain(soon)
    mine = await staff_notices.listing(users["specialist"], soon, unread_only=True)
    assert ("due_soon", dossier.code) in kinds(mine)
    due_soon = next(n for n in mine if n.kind == "due_soon" and n.task_id == task.id)
    assert due_soon.for_role is None and due_soon.params["due"] == due.isoformat()  # to the claimant himself
    assert await staff_notices.unread_count(head, soon) == 0  # nothing to escalate yet
    late = due + timedelta(seconds=1)
    await timers.fire_due(rt(), late)
    await drain(late)
    escalations = [n for n in await staff_notices.listing(head, late) if n.kind == "escalation"]
    # the dossier is overdue, and its appraisal step (1.5 working days) is past its own budget
    assert sorted(n.text_key for n in escalations) == ["escalation_overdue", "escalation_step_late"]
    assert all(n.for_role == staff_notices.HEAD_ROLE for n in escalations)
    assert ("overdue", dossier.code) in kinds(await staff_notices.listing(users["specialist"], late))
    assert not [n for n in await staff_notices.listing(users["leader"], late) if n.kind == "escalation"]
    # the appraisal answered late is reported too (ND118 art. 19.4.c: a late consulted step)
    await dossiers.complete_task(rt(), task.id, {"appraisal_result": "approve", "appraisal_opinion": "Đủ điều kiện"},
                                  users["specialist"], late)
    await drain(late)
    assert "escalation_step_answered_late" in {n.text_key for n in await staff_notices.listing(head, late)}


async def test_citizens_admins_and_staff_of_another_agency_see_no_notice(db: Settings, users: dict[str, Any]) -> None:
    await accepted_household(users, ACCEPTED)
    await drain(ACCEPTED)
    await agencies.save_agency({"code": "000.01.01.H00", "name": "Ủy ban nhân dân xã Đông Anh", "tier": "commune",
                                "kind": "commune_committee", "commune_type": "xa", "parent_code": ""})
    elsewhere = await staff("xa-specialist", ["specialist"], agency="000.01.01.H00")
    now = ACCEPTED + timedelta(minutes=1)
    for user in (users["citizen"], users["admin"], elsewhere):
        assert await staff_notices.unread_count(user, now) == 0
        assert await staff_notices.listing(user, now) == []
        assert await staff_notices.mark_all_read(user, now) == 0
    notice = await StaffNotice.get(role="specialist")
    with pytest.raises(NotFound):  # the same answer as a missing one
        await staff_notices.mark_read(elsewhere, notice.id, now)
    assert await staff_notices.unread_count(users["specialist"], now) == 1  # still unread for its own agency


async def with_email(user: Any) -> Any:
    return await accounts.update_user(user.id, full_name=user.full_name, kind=user.kind, roles=user.roles,
                                      agency=user.agency, email=f"{user.username}@example.vn")


async def test_mark_all_read_and_the_digest_of_what_is_new_since_the_last(db: Settings, users: dict[str, Any]) -> None:
    first = await accepted_household(users, ACCEPTED)
    await drain(ACCEPTED)
    for name in ("officer", "specialist"):
        await with_email(users[name])
    sent: list[notice_digest.Digest] = []

    async def send(digest: notice_digest.Digest) -> None:
        sent.append(digest)

    def phrase(_user: Any) -> notice_digest.Phrase:
        return lambda key, params: f"[{key} {params.get('code', params.get('count', ''))}]"

    now = ACCEPTED + timedelta(hours=1)
    await notice_digest.send_digests(now, send, phrase)
    by_user = {d.username: d for d in sent}
    assert set(by_user) == {"officer", "specialist"}
    assert by_user["specialist"].subject == "[digest_subject 1]"
    assert f"02/03/2026 09:00 [task_opened {first.code}]" in by_user["specialist"].text  # Vietnam time
    sent.clear()
    await notice_digest.send_digests(now, send, phrase)
    assert sent == []  # nothing new since the last digest
    second = await accepted_household(users, ACCEPTED + timedelta(minutes=30))
    await drain(now)
    await notice_digest.send_digests(now, send, phrase)
    specialist = next(d for d in sent if d.username == "specialist")
    assert second.code in specialist.text and first.code not in specialist.text and specialist.count == 1
    assert await staff_notices.mark_all_read(users["specialist"], now) == 2
    assert await staff_notices.unread_count(users["specialist"], now) == 0
    assert await staff_notices.unread_count(users["officer"], now) == 2  # another member's reading is his own


async def test_a_task_held_for_the_citizens_supplement_is_told_when_the_supplement_is_in(
        db: Settings, users: dict[str, Any]) -> None:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(rt(), "1.001193", APPLICATIONS["birth-registration"], now=ACCEPTED,
                                    user=users["citizen"])
    intake = await HumanTask.get(dossier_id=dossier.id, state="ready")
    await drain(ACCEPTED)  # the worker delivers within a second
    asked = {"intake_decision": "supplement", "intake_note": "Giấy chứng sinh mờ"}
    await dossiers.complete_task(rt(), intake.id, asked, users["officer"], ACCEPTED)
    again = await HumanTask.get(dossier_id=dossier.id, state="ready")  # the intake check, held for the citizen
    await drain(ACCEPTED)
    # the first intake task was news; its loop back, which nobody may do yet, is not
    assert [(n.text_key, n.task_id) for n in await StaffNotice.all()] == [("task_opened", intake.id)]
    later = ACCEPTED + timedelta(hours=3)
    await dossiers.add_supplement(rt(), dossier.code, [{"name": "giay-chung-sinh.pdf", "sha256": "a" * 64,
                                                        "size": 9, "content_type": "application/pdf"}], "",
                                  "congdan", later)
    await drain(later)
    arrived = await StaffNotice.get(text_key="supplement_arrived")
    assert (arrived.kind, arrived.role, arrived.user_id) == ("supplement", "one_stop", None)
    assert arrived.params["files"] == "giay-chung-sinh.pdf"
    officer = users["officer"]
    listed = await staff_notices.listing(officer, later)
    assert ("supplement_arrived", dossier.code) in kinds(listed)
    await dossiers.step(rt(), dossier.code, Step("receive_supplement"), officer, later)
    await drain(later)
    resumed = await StaffNotice.get(text_key="task_resumed")
    assert (resumed.kind, resumed.role, resumed.task_id) == ("task_resumed", "one_stop", again.id)
    from web.staff.notice_text import phrase_for
    phrase = phrase_for("vi", {"one_stop": ("Bộ phận một cửa", "One-stop unit")})
    assert phrase("supplement_arrived", arrived.params) == (
        f"Công dân đã gửi giấy tờ bổ sung cho hồ sơ {dossier.code} (giay-chung-sinh.pdf): cần kiểm tra và xác nhận "
        "đã nhận hồ sơ bổ sung.")
    assert phrase("task_resumed", resumed.params) == (
        f"Hồ sơ {dossier.code} đã được bổ sung: việc “Kiểm tra, tiếp nhận hồ sơ” (vai trò Bộ phận một cửa) "
        "tiếp tục xử lý.")
