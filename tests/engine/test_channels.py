"""Paper-free days (RULES.md §5): paper refused on a rule's day for an in-scope procedure, accepted with a
recorded exception, accepted outside the rule's dates, weekdays or scope; online and officer-assisted always."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from engine import channels
from engine.channels import ChannelRefused, check_intake, decide
from engine.errors import InvalidData, NotFound
from engine.models import ChannelPolicy
from engine.settings import Settings

CODE = "1.001193"
OTHER = "2.000720"
DAY = date(2025, 3, 4)  # a Tuesday
POINT = "ubnd-vinh"


async def _rule(**overrides: Any) -> ChannelPolicy:
    fields: dict[str, Any] = {
        "name": "Nghệ An: không tiếp nhận hồ sơ giấy", "procedure_codes": [CODE], "reception_points": [POINT],
        "start_on": "2025-01-02", "end_on": "2025-06-30", "channels_allowed": ["online"],
        "exceptions_allowed": ["postal", "data_conflict", "priority_citizen"],
    }
    return await channels.create_policy(created_by="admin", **{**fields, **overrides})


async def _paper(code: str = CODE, on: date = DAY, point: str | None = POINT, channel: str = "counter",
                 kind: str = "citizen", exception: dict[str, Any] | None = None) -> dict[str, Any] | None:
    return await check_intake(code, channel, on, point, kind, exception, actor="officer")


async def test_paper_is_refused_on_a_paper_free_day_naming_the_rule_and_the_online_alternative(db: Settings) -> None:
    rule = await _rule(message={"vi": "Xem Quyết định 123/QĐ-UBND.", "en": "See Decision 123/QĐ-UBND."})
    with pytest.raises(ChannelRefused) as refused:
        await _paper()
    params = refused.value.params
    assert refused.value.code == "channel_refused"
    assert params["rule"] == {"id": rule.id, "name": rule.name}
    assert params["channels_allowed"] == ["online"] and params["online_alternative"]["channel"] == "online"
    assert "fields" not in params
    vi, en = params["messages"]["vi"], params["messages"]["en"]
    assert rule.name in vi and rule.name in en and "trực tuyến" in vi and "online" in en
    assert "04/03/2025" in vi and CODE in en and vi.endswith("Quyết định 123/QĐ-UBND.")
    assert refused.value.message == en


async def test_paper_is_accepted_with_a_recorded_exception(db: Settings) -> None:
    rule = await _rule()
    record = await _paper(exception={"kind": "priority_citizen", "reason": "  Người cao tuổi, 82 tuổi  "})
    assert record == {"kind": "priority_citizen", "reason": "Người cao tuổi, 82 tuổi", "by": "officer",
                      "rule": {"id": rule.id, "name": rule.name}}
    record = await _paper(channel="post", exception={"kind": "postal", "reason": "Nhận qua bưu điện"})
    assert record is not None and record["kind"] == "postal"


@pytest.mark.parametrize("exception, field", [
    ({"kind": "officer_assisted", "reason": "x"}, "channel_exception.kind"),  # not allowed by the rule
    ({"kind": "holiday", "reason": "x"}, "channel_exception.kind"),  # not a known exception
    ({"kind": "postal", "reason": "x"}, "channel_exception.kind"),  # postal, but handed in at the counter
    ({"kind": "data_conflict", "reason": "   "}, "channel_exception.reason"),
    ({"kind": "data_conflict"}, "channel_exception.reason"),
])
async def test_an_exception_not_allowed_by_the_rule_or_without_a_reason_is_refused(
        db: Settings, exception: dict[str, Any], field: str) -> None:
    await _rule()
    with pytest.raises(ChannelRefused) as refused:
        await _paper(exception=exception)
    assert set(refused.value.params["fields"]) == {field}
    assert refused.value.params["exceptions_allowed"] == ["postal", "data_conflict", "priority_citizen"]


async def test_a_malformed_exception_is_invalid_data(db: Settings) -> None:
    await _rule()
    with pytest.raises(InvalidData):
        await _paper(exception="priority")  # type: ignore[arg-type]


@pytest.mark.parametrize("on", [date(2025, 1, 1), date(2025, 7, 1), date(2024, 12, 31)])
async def test_paper_is_accepted_outside_the_date_range(db: Settings, on: date) -> None:
    await _rule()
    assert await _paper(on=on) is None


async def test_open_ended_rule_applies_from_its_start(db: Settings) -> None:
    await _rule(end_on=None)
    with pytest.raises(ChannelRefused):
        await _paper(on=date(2030, 1, 1))


async def test_paper_is_accepted_on_a_weekday_not_in_the_rule(db: Settings) -> None:
    await _rule(weekdays=[3])  # Thursdays only
    assert await _paper(on=DAY) is None  # Tuesday
    with pytest.raises(ChannelRefused):
        await _paper(on=date(2025, 3, 6))  # Thursday


async def test_out_of_scope_procedure_or_reception_point_is_accepted(db: Settings) -> None:
    await _rule()
    assert await _paper(code=OTHER) is None
    assert await _paper(point="ubnd-cua-lo") is None
    assert await _paper(point=None) is None  # unknown point: only unscoped rules apply


async def test_empty_scope_means_every_procedure_and_point(db: Settings) -> None:
    await _rule(procedure_codes=[], reception_points=[])
    for code, point in [(CODE, POINT), (OTHER, "anywhere"), (OTHER, None)]:
        with pytest.raises(ChannelRefused):
            await _paper(code=code, point=point)


async def test_inactive_rule_does_not_apply(db: Settings) -> None:
    rule = await _rule()
    await channels.update_policy(rule.id, active=False)
    assert await _paper() is None


async def test_online_is_always_accepted_and_officer_assisted_at_the_counter_counts_as_online(
        db: Settings) -> None:
    await _rule()
    for kind in ("citizen", "proxy", "officer_assisted"):
        assert await _paper(channel="online", kind=kind) is None
    assert await _paper(channel="counter", kind="officer_assisted") is None
    with pytest.raises(ChannelRefused):
        await _paper(channel="counter", kind="proxy")


async def test_an_exception_is_not_recorded_when_nothing_is_refused(db: Settings) -> None:
    await _rule()
    assert await _paper(code=OTHER, exception={"kind": "data_conflict", "reason": "x"}) is None


async def test_every_refusing_rule_must_allow_the_exception(db: Settings) -> None:
    await _rule()
    await _rule(name="Toàn tỉnh", procedure_codes=[], reception_points=[], exceptions_allowed=["data_conflict"])
    with pytest.raises(ChannelRefused):
        await _paper(exception={"kind": "priority_citizen", "reason": "Người khuyết tật"})
    record = await _paper(exception={"kind": "data_conflict", "reason": "Sai lệch với CSDL dân cư"})
    assert record is not None and record["rule"]["name"] == "Nghệ An: không tiếp nhận hồ sơ giấy"


def test_local_date_is_the_vietnamese_day() -> None:
    assert channels.local_date(datetime(2025, 3, 3, 17, 30, tzinfo=UTC)) == date(2025, 3, 4)
    assert channels.local_date(datetime(2025, 3, 3, 16, 59, tzinfo=UTC)) == date(2025, 3, 3)
    assert channels.local_date(datetime(2025, 3, 3, 17, 30)) == date(2025, 3, 4)  # noqa: DTZ001  naive = UTC is the case under test


def test_decide_is_pure_and_reports_the_applicable_rules() -> None:
    rule = ChannelPolicy(id=7, name="R", procedure_codes=[], reception_points=[], start_on=DAY, end_on=DAY,
                         weekdays=[], channels_allowed=["online", "post"], exceptions_allowed=[], message={},
                         active=True)
    refused = decide([rule], CODE, "counter", DAY, None, "citizen", None)
    assert not refused.allowed and refused.rule is rule and refused.rules == (rule,)
    assert "Kênh" not in refused.message["vi"] and "online" in refused.message["en"]
    posted = decide([rule], CODE, "post", DAY, None, "citizen", None)
    assert posted.allowed and posted.rule is None and posted.message == {}
    assert decide([rule], CODE, "counter", date(2025, 3, 5), None, "citizen", None).rules == ()


async def test_summary_lists_the_channels_of_the_day(db: Settings) -> None:
    await _rule()
    view = channels.summary(await channels.policies_for(CODE, DAY, POINT), CODE, DAY, POINT)
    assert view["channels"] == ["online"] and view["paper_free"] and view["officer_assisted_online"]
    assert view["exceptions_allowed"] == ["postal", "data_conflict", "priority_citizen"]
    assert [r["name"] for r in view["rules"]] == ["Nghệ An: không tiếp nhận hồ sơ giấy"]
    assert "created_by" not in view["rules"][0] and view["message"]["vi"]
    free = channels.summary(await channels.policies_for(OTHER, DAY, POINT), OTHER, DAY, POINT)
    assert free["channels"] == ["online", "counter", "post"] and not free["paper_free"] and free["message"] is None


# ------------------------------------------------------------------ admin CRUD
async def test_crud_normalises_and_round_trips(db: Settings) -> None:
    rule = await _rule(weekdays=[4, 0, 4], channels_allowed=["post", "online"], message={"vi": " x ", "en": ""})
    assert rule.weekdays == [0, 4] and rule.channels_allowed == ["online", "post"] and rule.message == {"vi": "x"}
    stored = await channels.get_policy(rule.id)
    assert stored.start_on == date(2025, 1, 2) and stored.end_on == date(2025, 6, 30)
    assert stored.created_by == "admin"
    updated = await channels.update_policy(rule.id, end_on=None, name="Renamed")
    assert (await channels.get_policy(rule.id)).end_on is None and updated.name == "Renamed"
    assert [p.id for p in await channels.list_policies()] == [rule.id]
    await channels.update_policy(rule.id, active=False)
    assert await channels.list_policies(active_only=True) == []
    await channels.delete_policy(rule.id)
    with pytest.raises(NotFound):
        await channels.get_policy(rule.id)


async def test_validation_reports_every_field(db: Settings) -> None:
    with pytest.raises(InvalidData) as bad:
        await channels.create_policy(created_by="admin", name=" ", procedure_codes="1.001193",
                                     start_on="2025-13-01", weekdays=[7, True], channels_allowed=[],
                                     exceptions_allowed=["holiday"], message={"fr": "x"}, active="yes", colour=1)
    assert set(bad.value.params["fields"]) == {
        "name", "procedure_codes", "start_on", "weekdays", "channels_allowed", "exceptions_allowed", "message",
        "active", "colour"}
    with pytest.raises(InvalidData) as missing:
        await channels.create_policy(created_by="admin")
    assert set(missing.value.params["fields"]) == {"name", "start_on", "channels_allowed"}
    with pytest.raises(InvalidData) as reversed_range:
        await _rule(start_on="2025-06-30", end_on="2025-01-02")
    assert reversed_range.value.params["fields"] == {"end_on": ["on or after start_on"]}
    rule = await _rule()
    with pytest.raises(InvalidData) as late:
        await channels.update_policy(rule.id, start_on="2025-07-01")
    assert set(late.value.params["fields"]) == {"end_on"}
    assert await ChannelPolicy.all().count() == 1
