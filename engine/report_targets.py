"""The configurable target per Decision 766 indicator and the audit trail of its changes.

* `targets()`: indicator -> the target in force (``report_target``; default the RULES §4.1 threshold
  of full points; 2.2's target is the average share of the time limit used, 100 %).
* `set_targets(values, by, now)`: the targets typed on /bao-cao/muc-tieu, all checked first (one
  InvalidData naming every wrong indicator: nothing saved), then the changed ones saved and audited
  (``report_target_change``: who, when, the target before and after) in one transaction.
  `set_target` is the one-indicator form.
* `history(limit)`: the latest changes, newest first.
* `meets(figure, target)`: whether a figure reaches its target (None without data).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tortoise.transactions import in_transaction

from engine.errors import InvalidData
from engine.models import ReportTarget, ReportTargetChange
from engine.reports import INDICATORS, SCALE, Figure

#: 2.2 is judged as the share of the time limit used: it may exceed 100 % (a target of 120 % tolerates lateness)
SHARE_OF_LIMIT = "2.2"
CENT = Decimal("0.01")


def upper_bound(indicator: str) -> Decimal:
    return Decimal(1000) if indicator == SHARE_OF_LIMIT else Decimal(100)


def default(indicator: str) -> Decimal:
    return SCALE[indicator][1]


async def targets() -> dict[str, Decimal]:
    out = {k: default(k) for k in INDICATORS}
    out |= {t.indicator: Decimal(str(t.target)) for t in await ReportTarget.all() if t.indicator in out}
    return out


def parse(indicator: str, value: Any) -> Decimal:
    """The target typed for `indicator` ("65,5" or "65.5"), or InvalidData with the problem's code
    (``required``, ``number``, ``range``) under ``fields[indicator]``."""
    if indicator not in INDICATORS:
        raise InvalidData(f"Unknown indicator {indicator!r}", fields={"indicator": ["choice"]})
    text = str(value if value is not None else "").strip().replace(",", ".").rstrip("%").strip()
    if not text:
        raise InvalidData("A target is required", fields={indicator: ["required"]})
    try:
        target = Decimal(text)
        if not target.is_finite():
            raise InvalidOperation
        target = target.quantize(CENT)
    except InvalidOperation:
        raise InvalidData("The target is a number", fields={indicator: ["number"]}) from None
    if not Decimal(0) < target <= upper_bound(indicator):
        raise InvalidData(
            "The target is a percentage above 0", fields={indicator: ["range"]}, maximum=str(upper_bound(indicator))
        )
    return target


@dataclass(frozen=True)
class Change:
    indicator: str
    old: Decimal
    new: Decimal


async def set_targets(values: Mapping[str, Any], by: str, now: datetime) -> list[Change]:
    """Check every value, then save those that differ from the target in force, each with its audit row."""
    parsed: dict[str, Decimal] = {}
    wrong: dict[str, list[str]] = {}
    for indicator, value in values.items():
        try:
            parsed[indicator] = parse(indicator, value)
        except InvalidData as exc:
            wrong |= exc.params.get("fields") or {}
    if wrong:
        raise InvalidData("Some targets are not valid", fields=wrong)
    changes: list[Change] = []
    async with in_transaction():
        current = await targets()
        for indicator, target in parsed.items():
            if target == current[indicator]:
                continue
            await ReportTarget.update_or_create({"target": target, "updated_by": by[:150]}, indicator=indicator)
            await ReportTargetChange.create(
                indicator=indicator,
                old_target=current[indicator],
                new_target=target,
                changed_by=by[:150],
                changed_at=now,
            )
            changes.append(Change(indicator, current[indicator], target))
    return changes


async def set_target(indicator: str, value: Any, by: str, now: datetime) -> Decimal:
    try:
        await set_targets({indicator: value}, by, now)
    except InvalidData as exc:  # the single form names the field `target`
        fields = exc.params.get("fields") or {}
        raise InvalidData(str(exc), fields={"target" if k == indicator else k: v for k, v in fields.items()}) from None
    return (await targets())[indicator]


async def history(limit: int = 50) -> list[ReportTargetChange]:
    return await ReportTargetChange.all().order_by("-changed_at", "-id").limit(limit)


def meets(figure: Figure, target: Decimal) -> bool | None:
    """Whether a figure reaches its target (None without data); 2.2's average share of the time limit
    (``of_limit``) must stay at or below its target."""
    if figure.key == SHARE_OF_LIMIT:
        return None if figure.of_limit is None else figure.of_limit <= target
    return None if figure.value is None else figure.value >= target
