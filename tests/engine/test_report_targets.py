"""The targets per indicator (engine/report_targets.py): defaults, validation, the audit of each change."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from engine import report_targets, reports
from engine.errors import InvalidData

NOW = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)


async def test_targets_default_to_the_rules_thresholds_and_are_kept(db: Any) -> None:
    assert (await report_targets.targets())["3.3"] == Decimal(50)
    assert await report_targets.set_target("3.3", "65,5", "manager", NOW) == Decimal("65.50")
    kept = await report_targets.targets()
    assert (kept["3.3"], kept["2.1"], kept["5.4"]) == (Decimal("65.50"), Decimal(100), Decimal(90))
    for indicator, value in (
        ("9.9", "10"),
        ("3.3", "abc"),
        ("3.3", "0"),
        ("3.3", "101"),
        ("3.3", "NaN"),
        ("3.3", "Infinity"),
        ("3.3", " "),
    ):
        with pytest.raises(InvalidData):
            await report_targets.set_target(indicator, value, "manager", NOW)
    assert (await report_targets.targets())["3.3"] == Decimal("65.50")
    figure = reports.rate("3.3", 2, 3)  # 66.67 %
    assert report_targets.meets(figure, kept["3.3"]) and not report_targets.meets(figure, Decimal(70))
    assert report_targets.meets(reports.no_data("3.3", "no_dossier"), Decimal(1)) is None


async def test_a_wrong_value_saves_nothing_and_each_change_is_audited_once(db: Any) -> None:
    with pytest.raises(InvalidData) as refused:
        await report_targets.set_targets({"3.3": "60", "2.1": "120", "5.4": "x"}, "manager", NOW)
    assert refused.value.params["fields"] == {"2.1": ["range"], "5.4": ["number"]}
    assert (await report_targets.targets())["3.3"] == Decimal(50) and not await report_targets.history()
    changes = await report_targets.set_targets({"3.3": "60", "2.1": "100", "2.2": "120"}, "manager", NOW)
    assert [(c.indicator, c.old, c.new) for c in changes] == [
        ("3.3", Decimal(50), Decimal(60)),
        ("2.2", Decimal(100), Decimal(120)),
    ]  # 2.1 unchanged
    later = NOW.replace(hour=4)
    await report_targets.set_targets({"3.3": "55"}, "manager2", later)
    rows = [
        (h.indicator, h.old_target, h.new_target, h.changed_by, h.changed_at) for h in await report_targets.history()
    ]
    assert rows[0] == ("3.3", Decimal(60), Decimal(55), "manager2", later)
    assert sorted(rows[1:]) == [
        ("2.2", Decimal(100), Decimal(120), "manager", NOW),
        ("3.3", Decimal(50), Decimal(60), "manager", NOW),
    ]
