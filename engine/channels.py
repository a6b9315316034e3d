"""Channel policies ("paper-free days", RULES.md §5): decide whether a dossier may be received through a
channel on a day, record the exceptions that override a refusal, and manage the rules (admin CRUD).

`decide()` is pure (rules in, decision out); `check_intake()` reads the rules that apply and raises
`ChannelRefused` or returns the exception record to store on the dossier. Officer-assisted online
submission at the counter counts as online. `on` is always the LOCAL date (`local_date(now)`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from engine.errors import InvalidData, MotcuaError, NotFound
from engine.models import ChannelPolicy
from engine.models.channel_policy import EXCEPTIONS
from engine.models.dossier import CHANNELS
from engine.runtime import POLICIES, bump_now

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIELDS = ("name", "procedure_codes", "reception_points", "start_on", "end_on", "weekdays", "channels_allowed",
          "exceptions_allowed", "message", "active")
READ_ONLY = ("id", "created_by", "created_at")
CHANNEL_VI = {"online": "trực tuyến", "counter": "giấy nộp trực tiếp tại Bộ phận Một cửa",
              "post": "giấy gửi qua dịch vụ bưu chính"}
CHANNEL_EN = {"online": "online dossiers", "counter": "paper dossiers at the counter", "post": "paper dossiers by post"}
ONLINE_VI = ("Vui lòng nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia, ứng dụng VNeID hoặc Cổng dịch vụ "
             "công của tỉnh; cán bộ Bộ phận Một cửa sẽ hướng dẫn, hỗ trợ nộp trực tuyến ngay tại quầy.")
ONLINE_EN = ("Please submit online on the National Public Service Portal, the VNeID app or the provincial portal; "
             "the one-stop officers will help you submit online at the counter.")


class ChannelRefused(MotcuaError):
    """The channel is not accepted by a channel policy on that day and no valid exception was recorded.
    params: rule {id, name}, channels_allowed, exceptions_allowed, online_alternative, messages {vi, en},
    and fields {"channel_exception.kind" | "channel_exception.reason": [...]} when an exception was refused."""

    code = "channel_refused"


def local_date(now: datetime) -> date:
    """The Vietnamese calendar date of an instant (a naive datetime is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(LOCAL_TZ).date()


# ------------------------------------------------------------------ the pure decision
@dataclass(frozen=True)
class Decision:
    """allowed; the first rule refusing the channel (None when none does); the exception that overrode it;
    the message {vi, en} naming the rule and the alternative ({} when no rule refuses)."""

    allowed: bool
    rule: ChannelPolicy | None = None
    exception_used: dict[str, Any] | None = None
    message: dict[str, str] = field(default_factory=dict)
    effective_channel: str = "online"
    rules: tuple[ChannelPolicy, ...] = ()  # every rule applying to (procedure, day, reception point)
    problems: dict[str, list[str]] = field(default_factory=dict)  # why a recorded exception was refused


def applies(policy: ChannelPolicy, procedure_code: str, on: date, reception_point: str | None) -> bool:
    """Active, `on` in [start_on, end_on], weekday listed (or none listed), procedure and point in scope
    (an empty scope list = all; an unknown reception point only matches rules without a point scope)."""
    return bool(policy.active and policy.start_on <= on and (policy.end_on is None or on <= policy.end_on)
                and (not policy.weekdays or on.weekday() in policy.weekdays)
                and (not policy.procedure_codes or procedure_code in policy.procedure_codes)
                and (not policy.reception_points or (reception_point or "") in policy.reception_points))


def effective_channel(channel: str, submitter_kind: str) -> str:
    """Officer-assisted submission at the counter is online submission (ND118 art. 13.2.b)."""
    return "online" if channel == "counter" and submitter_kind == "officer_assisted" else channel


def refusal_message(rule: ChannelPolicy, procedure_code: str, channel: str, on: date) -> dict[str, str]:
    """The clear message: which rule, what is not accepted, and the online alternative (+ the rule's own text)."""
    allowed = [c for c in CHANNELS if c in (rule.channels_allowed or [])]
    if "online" in allowed:
        alt_vi, alt_en = ONLINE_VI, ONLINE_EN
    else:
        alt_vi = "Kênh được tiếp nhận: " + (", ".join(CHANNEL_VI[c] for c in allowed) or "không có") + "."
        alt_en = "Accepted channels: " + (", ".join(CHANNEL_EN[c] for c in allowed) or "none") + "."
    custom = rule.message or {}
    vi = (f"Theo quy định “{rule.name}”, ngày {on:%d/%m/%Y} không tiếp nhận hồ sơ "
          f"{CHANNEL_VI.get(channel, channel)} đối với thủ tục {procedure_code}. {alt_vi}")
    en = (f"Under the rule “{rule.name}”, {CHANNEL_EN.get(channel, channel)} are not accepted for procedure "
          f"{procedure_code} on {on.isoformat()}. {alt_en}")
    return {"vi": f"{vi} {custom['vi']}" if custom.get("vi") else vi,
            "en": f"{en} {custom['en']}" if custom.get("en") else en}


def decide(policies: Iterable[ChannelPolicy], procedure_code: str, channel: str, on: date,
           reception_point: str | None, submitter_kind: str, exception: dict[str, Any] | None) -> Decision:
    """Whether a dossier may come in through `channel`; `exception` = {kind, reason} recorded by the officer
    (its kind must be allowed by every refusing rule, "postal" only for post, and the reason non-empty)."""
    rules = tuple(sorted((p for p in policies if applies(p, procedure_code, on, reception_point)),
                         key=lambda p: p.id or 0))
    effective = effective_channel(channel, submitter_kind)
    refusing = [p for p in rules if effective not in (p.channels_allowed or [])]
    if not refusing:
        return Decision(True, effective_channel=effective, rules=rules)
    rule = refusing[0]
    refused = Decision(False, rule, None, refusal_message(rule, procedure_code, channel, on), effective, rules)
    if not exception:
        return refused
    problems: dict[str, list[str]] = {}
    kind, reason = exception.get("kind"), exception.get("reason")
    if kind not in EXCEPTIONS:
        problems["channel_exception.kind"] = [f"one of {', '.join(EXCEPTIONS)}"]
    elif any(kind not in (p.exceptions_allowed or []) for p in refusing):
        allowed = [e for e in EXCEPTIONS if all(e in (p.exceptions_allowed or []) for p in refusing)]
        problems["channel_exception.kind"] = [f"not allowed by the rule “{rule.name}”; allowed: "
                                              f"{', '.join(allowed) or 'none'}"]
    elif kind == "postal" and channel != "post":
        problems["channel_exception.kind"] = ["postal only applies to dossiers received by post"]
    if not isinstance(reason, str) or not reason.strip():
        problems["channel_exception.reason"] = ["required: why the exception applies"]
    elif len(reason) > 1000:
        problems["channel_exception.reason"] = ["at most 1000 characters"]
    if problems:
        return replace(refused, problems=problems)
    assert isinstance(reason, str)
    used = {"kind": kind, "reason": reason.strip(), "rule": {"id": rule.id, "name": rule.name}}
    return replace(refused, allowed=True, exception_used=used)


def refusal_params(decision: Decision) -> dict[str, Any]:
    """The details of a ChannelRefused error for a refused decision."""
    rule = decision.rule
    assert rule is not None
    online = "online" in (rule.channels_allowed or [])
    params: dict[str, Any] = {
        "rule": {"id": rule.id, "name": rule.name}, "channels_allowed": list(rule.channels_allowed or []),
        "exceptions_allowed": list(rule.exceptions_allowed or []), "messages": decision.message,
        "online_alternative": {"channel": "online", "officer_assisted": True, "vi": ONLINE_VI, "en": ONLINE_EN}
        if online else None,
    }
    if decision.problems:
        params["fields"] = decision.problems
    return params


def summary(policies: Sequence[ChannelPolicy], procedure_code: str, on: date,
            reception_point: str | None) -> dict[str, Any]:
    """What a citizen needs to know for a procedure on a day: the channels accepted, the rules, the message."""
    counter = decide(policies, procedure_code, "counter", on, reception_point, "citizen", None)
    rules = counter.rules
    channels = [c for c in CHANNELS if decide(rules, procedure_code, c, on, reception_point, "citizen", None).allowed]
    assisted = decide(rules, procedure_code, "counter", on, reception_point, "officer_assisted", None)
    paper_rules = [p for p in rules if "counter" not in (p.channels_allowed or [])]
    return {
        "procedure": procedure_code, "date": on.isoformat(), "reception_point": reception_point or "",
        "channels": channels, "paper_free": not counter.allowed, "officer_assisted_online": assisted.allowed,
        "exceptions_allowed": [e for e in EXCEPTIONS if all(e in (p.exceptions_allowed or []) for p in paper_rules)]
        if paper_rules else [],
        "rules": [policy_dict(p, public=True) for p in rules],
        "message": counter.message or None,
    }


# ------------------------------------------------------------------ reading the rules
async def policies_for(procedure_code: str, on: date, reception_point: str | None) -> list[ChannelPolicy]:
    """The active rules applying to the procedure at the reception point on the local date `on`."""
    found = await ChannelPolicy.filter(Q(end_on__isnull=True) | Q(end_on__gte=on), active=True,
                                       start_on__lte=on).order_by("id")
    return [p for p in found if applies(p, procedure_code, on, reception_point)]


async def check_intake(procedure_code: str, channel: str, on: date, reception_point: str | None,
                       submitter_kind: str, exception: dict[str, Any] | None, *,
                       actor: str = "", policies: Sequence[ChannelPolicy] | None = None) -> dict[str, Any] | None:
    """Raise ChannelRefused when the channel is refused that day; else return the exception record
    {kind, reason, by, rule} to store on the dossier (None when no exception was needed)."""
    if exception is not None and not isinstance(exception, dict):
        raise InvalidData("channel_exception must be an object",
                          fields={"channel_exception": ["an object {kind, reason}"]})
    if policies is None:
        found = await policies_for(procedure_code, on, reception_point)
    else:  # the runtime's cached active rules (engine.runtime: revisioned)
        found = [p for p in policies if p.start_on <= on and (p.end_on is None or p.end_on >= on)
                 and applies(p, procedure_code, on, reception_point)]
    decision = decide(found, procedure_code, channel, on, reception_point, submitter_kind, exception)
    if not decision.allowed:
        raise ChannelRefused(decision.message["en"], **refusal_params(decision))
    if decision.exception_used is None:
        return None
    return {**decision.exception_used, "by": actor}


# ------------------------------------------------------------------ admin CRUD
def policy_dict(p: ChannelPolicy, *, public: bool = False) -> dict[str, Any]:
    """The JSON form of a rule (`public` leaves out who created it)."""
    out: dict[str, Any] = {
        "id": p.id, "name": p.name, "procedure_codes": p.procedure_codes, "reception_points": p.reception_points,
        "start_on": p.start_on.isoformat(), "end_on": p.end_on.isoformat() if p.end_on else None,
        "weekdays": p.weekdays, "channels_allowed": p.channels_allowed, "exceptions_allowed": p.exceptions_allowed,
        "message": p.message, "active": p.active,
    }
    if not public:
        out["created_by"] = p.created_by
        out["created_at"] = p.created_at.isoformat() if p.created_at else None
    return out


def _bad() -> Any:
    raise ValueError


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        return date.fromisoformat(value)
    raise ValueError


def _strings(value: Any, max_len: int) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v.strip()) <= max_len for v in value):
        raise ValueError
    return list(dict.fromkeys(v.strip() for v in value))


def _choices(value: Any, choices: Sequence[str]) -> list[str]:
    if not isinstance(value, list) or not all(v in choices for v in value):
        raise ValueError
    return [c for c in choices if c in value]


def _message(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not set(value) <= {"vi", "en"} or not all(
            isinstance(v, str) and len(v) <= 1000 for v in value.values()):
        raise ValueError
    return {k: v.strip() for k, v in value.items() if v.strip()}


CHECKS: dict[str, tuple[Any, str]] = {  # field -> (converter raising ValueError/TypeError, message)
    "name": (lambda v: v.strip() if isinstance(v, str) and 0 < len(v.strip()) <= 300 else _bad(),
             "required text, at most 300 characters"),
    "procedure_codes": (lambda v: _strings(v, 32), "a list of procedure codes (empty = every procedure)"),
    "reception_points": (lambda v: _strings(v, 100), "a list of reception points (empty = every point)"),
    "start_on": (_date, "a date YYYY-MM-DD"),
    "end_on": (lambda v: None if v is None else _date(v), "a date YYYY-MM-DD, or null for open-ended"),
    "weekdays": (lambda v: sorted(set(v)) if isinstance(v, list) and all(
        type(d) is int and 0 <= d <= 6 for d in v) else _bad(), "a list of 0 (Monday) to 6 (Sunday)"),
    "channels_allowed": (lambda v: _choices(v, CHANNELS) or _bad(), f"a non-empty list of {', '.join(CHANNELS)}"),
    "exceptions_allowed": (lambda v: _choices(v, EXCEPTIONS), f"a list of {', '.join(EXCEPTIONS)}"),
    "message": (_message, "an object {vi, en} of texts up to 1000 characters"),
    "active": (lambda v: v if isinstance(v, bool) else _bad(), "true or false"),
}


def _clean(values: dict[str, Any], *, required: Sequence[str]) -> dict[str, Any]:
    """Validated, normalised fields; every problem reported at once as InvalidData(fields=...)."""
    problems: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key in READ_ONLY:
            continue
        if key not in CHECKS:
            problems[key] = ["unknown field"]
            continue
        convert, message = CHECKS[key]
        try:
            clean[key] = convert(value)
        except (ValueError, TypeError):
            problems[key] = [message]
    for key in required:
        if key not in values and key not in problems:
            problems[key] = ["required"]
    if problems:
        raise InvalidData("Invalid channel policy", fields=problems)
    return clean


def _check_range(start_on: date, end_on: date | None) -> None:
    if end_on is not None and end_on < start_on:
        raise InvalidData("Invalid channel policy", fields={"end_on": ["on or after start_on"]})


async def create_policy(*, created_by: str, **fields: Any) -> ChannelPolicy:
    """A new rule; name, start_on and channels_allowed are required."""
    clean = _clean(fields, required=("name", "start_on", "channels_allowed"))
    _check_range(clean["start_on"], clean.get("end_on"))
    policy = await ChannelPolicy.create(**clean, created_by=created_by)
    await bump_now(POLICIES)
    return policy


async def get_policy(policy_id: int) -> ChannelPolicy:
    policy = await ChannelPolicy.get_or_none(id=policy_id)
    if policy is None:
        raise NotFound("No such channel policy", id=policy_id)
    return policy


async def update_policy(policy_id: int, /, **fields: Any) -> ChannelPolicy:
    """Change the given fields of a rule (the others stay); `active=False` switches it off."""
    policy = await get_policy(policy_id)
    clean = _clean(fields, required=())
    _check_range(clean.get("start_on", policy.start_on), clean.get("end_on", policy.end_on))
    if clean:
        policy.update_from_dict(clean)
        await policy.save(update_fields=list(clean))
        await bump_now(POLICIES)
    return policy


async def delete_policy(policy_id: int) -> None:
    """Remove a rule (dossiers keep the rule's id and name in their exception record)."""
    policy = await get_policy(policy_id)
    await policy.delete()
    await bump_now(POLICIES)


async def list_policies(*, active_only: bool = False) -> list[ChannelPolicy]:
    query = ChannelPolicy.filter(active=True) if active_only else ChannelPolicy.all()
    return await query.order_by("start_on", "id")


# ------------------------------------------------------------------ the admin page's preview
@dataclass(frozen=True)
class PolicyPreview:
    """What a rule would do before it is saved: the days it covers (the first ones), the procedures
    (empty = every one), and the message the counter intake page shows for a paper dossier."""

    rule: ChannelPolicy
    days: list[date]
    more_days: int  # covered days after the listed ones (-1: open-ended)
    paper_refused: bool
    message: dict[str, str]


def preview_policy(values: dict[str, Any], procedure_codes: Sequence[str], today: date, *,
                   shown: int = 10, horizon: int = 366) -> PolicyPreview:
    """Check `values` as create_policy does (InvalidData) and describe the unsaved rule's effect."""
    clean = _clean(values, required=("name", "start_on", "channels_allowed"))
    _check_range(clean["start_on"], clean.get("end_on"))
    rule = ChannelPolicy(**clean)
    first, last = max(rule.start_on, today), rule.end_on
    covered: list[date] = []
    day, limit = first, first.toordinal() + horizon
    while (last is None or day <= last) and day.toordinal() < limit:
        if not rule.weekdays or day.weekday() in rule.weekdays:
            covered.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    more = -1 if last is None else max(0, len(covered) - shown)
    paper_refused = "counter" not in rule.channels_allowed
    code = (rule.procedure_codes or list(procedure_codes) or ["—"])[0]
    message = refusal_message(rule, code, "counter", covered[0]) if paper_refused and covered else {}
    return PolicyPreview(rule, covered[:shown], more, paper_refused, message)
