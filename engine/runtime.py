"""The runtime: the one object a process builds to run dossiers (the composition of the engine).

`Runtime.build(settings, …)` is called once by `web.app.create_app` and once by the worker; every
command takes it as its first argument. It holds what used to be process-global or registered on
import:

    settings, clock        passed in
    calendars              the working calendar (national data + the province's overrides), with
                           the database revision it was built from; reloaded when another process
                           bumps the revision (checked at most every `REVISION_CHECK` seconds)
    policies               the paper-free channel policies, cached the same way
    script_engine          the restricted evaluator with the calendar functions bound to `calendars`
    timer_kinds            what each kind of Timer row does when it fires
    timer_prefetch         reads the dossiers of a batch of due timers at once (engine.timers)
    subscribers            who receives dossier events through the outbox (engine.outbox)
    form_check             the server-side form validation (injected: the engine does not import forms)

Revisions: a change to the calendar or the policies bumps `config_revision` in its own
statement right after it (`bump_now`); readers compare their cached revision with one indexed read per second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from engine import sql
from engine.dossier_lifecycle import DEFAULT_POLICY, Policy
from engine.models import CalendarOverride, ChannelPolicy
from engine.settings import Settings
from engine.workdays import Calendar, Overrides, default_calendar
from engine.workflow import expression_functions, scripting

if TYPE_CHECKING:
    from engine.outbox import Subscriber

REVISION_CHECK = 1.0  # seconds between two revision reads of one cache: changes show within ~1 s
CALENDAR, POLICIES = "calendar", "channel_policies"

TimerHandler = Callable[["Runtime", dict[str, Any], datetime], Awaitable[None]]
#: (dossier ids) → what the handlers of their timers find under the row's "loaded" key, per dossier
TimerPrefetch = Callable[[list[int]], Awaitable[Mapping[int, Any]]]


class FormCheck(Protocol):
    """Validate submitted data against a form-js schema: (clean data, errors by field key).

    The clean data holds only the form's visible, writable fields, normalised (numbers, dates)."""

    def __call__(self, schema: dict[str, Any], data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
        ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_sessions(text: str) -> tuple[tuple[dtime, dtime], ...]:
    """"07:00-11:30,13:30-17:00" → ((07:00, 11:30), (13:30, 17:00)); ValueError when malformed."""
    sessions = []
    for part in text.split(","):
        start, _, end = part.strip().partition("-")
        sessions.append((dtime.fromisoformat(start.strip()), dtime.fromisoformat(end.strip())))
    if not sessions or any(s >= e for s, e in sessions) or any(
            a[1] > b[0] for a, b in zip(sessions, sessions[1:], strict=False)):
        raise ValueError(f"office hours must be ordered HH:MM-HH:MM sessions: {text!r}")
    return tuple(sessions)


async def read_revision(key: str) -> int:
    row = await sql.fetch_one(sql.db(), "SELECT value FROM config_revision WHERE key = ?", [key])
    return int(row["value"]) if row else 0


#: changes made by this process, per key: a cache re-reads at once after a local change (other
#: processes see it by the database revision within REVISION_CHECK)
_local_changes: dict[str, int] = {}


async def bump_now(key: str) -> None:
    """Mark the configuration `key` changed (its own statement, right after the change)."""
    await sql.fetch(sql.db(), "INSERT INTO config_revision (key, value) VALUES (?, 1) ON CONFLICT (key) "
                              "DO UPDATE SET value = config_revision.value + 1 RETURNING value", [key])
    _local_changes[key] = _local_changes.get(key, 0) + 1


class Revisioned:
    """A value loaded from the database and reloaded when its configuration revision moves."""

    def __init__(self, key: str, load: Callable[[], Awaitable[Any]], initial: Any,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.key, self._load, self.value, self._monotonic = key, load, initial, monotonic
        self.revision = -1
        self._checked = float("-inf")
        self._local = -1
        self._lock = asyncio.Lock()

    async def fresh(self) -> Any:
        """The value, re-read when another process changed it (one small read per second at most)."""
        if self._stale():
            async with self._lock:
                if self._stale():
                    self._local = _local_changes.get(self.key, 0)
                    revision = await read_revision(self.key)
                    if revision != self.revision:
                        self.value = await self._load()
                        self.revision = revision
                    self._checked = self._monotonic()
        return self.value

    def _stale(self) -> bool:
        return (self._monotonic() - self._checked >= REVISION_CHECK
                or self._local != _local_changes.get(self.key, 0))

    async def reload(self) -> Any:
        """Re-read now (this process made the change)."""
        async with self._lock:
            self._local = _local_changes.get(self.key, 0)
            self.revision = await read_revision(self.key)
            self.value = await self._load()
            self._checked = self._monotonic()
        return self.value


@dataclass
class Runtime:
    settings: Settings
    clock: Callable[[], datetime]
    calendars: Revisioned
    policies: Revisioned
    script_engine: Any
    timer_kinds: dict[str, TimerHandler] = field(default_factory=dict)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    form_check: FormCheck | None = None
    lifecycle_policy: Policy = DEFAULT_POLICY
    timer_prefetch: TimerPrefetch | None = None

    @classmethod
    def build(cls, settings: Settings, *, clock: Callable[[], datetime] = utc_now,
              subscribers: Iterable[Subscriber] = (), form_check: FormCheck | None = None,
              timer_kinds: Mapping[str, TimerHandler] | None = None) -> Runtime:
        sessions = parse_sessions(settings.office_hours) if settings.office_hours else None

        async def load_calendar() -> Calendar:
            rows = await CalendarOverride.all()
            overrides = Overrides(days_off=frozenset(r.on for r in rows if r.kind == "off"),
                                  working_days=frozenset(r.on for r in rows if r.kind == "working"))
            return default_calendar(overrides=overrides, sessions=sessions)

        async def load_policies() -> list[ChannelPolicy]:
            return await ChannelPolicy.filter(active=True).order_by("id")

        calendars = Revisioned(CALENDAR, load_calendar, default_calendar(sessions=sessions))
        policies = Revisioned(POLICIES, load_policies, [])
        engine = scripting.make_script_engine(expression_functions.bind(lambda: calendars.value))
        prefetch: TimerPrefetch | None = None
        if timer_kinds is None:
            from engine.dossiers import deadlines  # the engine's own kinds: bpmn + the legal clock

            timer_kinds, prefetch = deadlines.TIMER_KINDS, deadlines.prefetch
        rt = cls(settings, clock, calendars, policies, engine, dict(timer_kinds),
                 {s.name: s for s in subscribers}, form_check,
                 Policy(apology_lead_days=Decimal(str(settings.apology_lead_days))), prefetch)
        return rt

    @property
    def calendar(self) -> Calendar:
        """The calendar as last loaded (call `await rt.fresh_calendar()` at a command's start)."""
        value: Calendar = self.calendars.value
        return value

    async def fresh_calendar(self) -> Calendar:
        value: Calendar = await self.calendars.fresh()
        return value

    async def start(self) -> None:
        """Load what is cached from the database (after the database is open)."""
        await self.calendars.reload()
        await self.policies.reload()

    def subscribe(self, subscriber: Subscriber) -> None:
        self.subscribers[subscriber.name] = subscriber
