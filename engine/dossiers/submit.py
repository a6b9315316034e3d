"""Submission: check the request, run the start of the workflow, and insert the dossier with its
code (the agency's counter of the day), projections and events: one transaction (`store.create`;
one statement on PostgreSQL). `clean` is the form check every command's data goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError

from engine import agencies, channels
from engine import events as ev
from engine.dossiers.applicant import applicant_columns, attachment_rows, unreachable
from engine.dossiers.row import DossierRow
from engine.dossiers.store import STATUS_OF_ENGINE, Change, Loaded, create, load, workflow_change
from engine.errors import InvalidData
from engine.models import User
from engine.models.dossier import CHANNELS, NOTIFY_CHOICES, SUBMITTER_KINDS
from engine.versions import VersionInfo, current_version_info
from engine.workflow import runner
from engine.workflow.serializer import SERIALIZER_VERSION

if TYPE_CHECKING:
    from engine.runtime import Runtime

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _json_native(value: Any, path: str = "data") -> None:
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _json_native(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or key == "typename":
                raise InvalidData("Invalid data key", fields={path: [f"invalid key {key!r}"]})
            _json_native(item, f"{path}.{key}")
        return
    raise InvalidData("Data must be JSON", fields={path: ["not a JSON value"]})


def clean(rt: Runtime, schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """The form's visible, writable fields of `data`, normalised; InvalidData (422) naming every bad
    or unknown key. Without a form check configured (tests of the engine alone) data passes as is."""
    if not isinstance(data, dict):
        raise InvalidData("Invalid data", fields={"data": ["must be an object"]})
    _json_native(data)
    if schema is None or rt.form_check is None:
        return data
    cleaned, errors = rt.form_check(schema, data)
    if errors:
        raise InvalidData("Some fields are invalid", fields=errors)
    return cleaned


# ------------------------------------------------------------------ submit
async def _replay(scoped_key: str) -> DossierRow | None:
    found = await load("d.idempotency_key", scoped_key)
    return found.dossier if found else None


async def submit_once(
    rt: Runtime,
    procedure_code: str,
    data: dict[str, Any],
    *,
    now: datetime,
    channel: str = "online",
    submitter_kind: str = "citizen",
    user: User | None = None,
    idempotency_key: str | None = None,
    agency_code: str = "000.00.00.H00",
    version: VersionInfo | None = None,
    reception_point: str = "",
    agency: str = "",
    channel_exception: dict[str, Any] | None = None,
    notify: Sequence[str] = (),
) -> tuple[DossierRow, bool]:
    """Start a dossier of the procedure's current version and run it until it waits.
    `notify`: how the citizen wants to be told (NOTIFY_CHOICES); `agency`: the agency the applicant
    sends it to, when the procedure names a level (engine.agencies.receiving_choices). Returns (dossier, replayed):
    replayed = an earlier request with the same key made it."""
    problems: dict[str, list[str]] = {}
    if not isinstance(notify, list | tuple) or not all(isinstance(c, str) and c in NOTIFY_CHOICES for c in notify):
        problems["notify"] = [f"a list of {', '.join(NOTIFY_CHOICES)}"]
    if channel not in CHANNELS:
        problems["channel"] = [f"one of {', '.join(CHANNELS)}"]
    if submitter_kind not in SUBMITTER_KINDS:
        problems["submitter_kind"] = [f"one of {', '.join(SUBMITTER_KINDS)}"]
    if not isinstance(data, dict):
        problems["data"] = ["must be an object"]
    if not isinstance(reception_point, str) or len(reception_point) > 100:
        problems["reception_point"] = ["text, at most 100 characters"]
    if problems:
        raise InvalidData("Invalid submission", fields=problems)
    scoped_key = f"{user.id if user else '-'}:{idempotency_key}" if idempotency_key else None
    if scoped_key and (existing := await _replay(scoped_key)):
        return existing, True
    if version is None or version.procedure_code != procedure_code:
        version = await current_version_info(procedure_code)
    data = clean(rt, version.start_form(), data)
    if missing := unreachable(version, data, notify):
        raise InvalidData("A notification channel without an address", fields={"notify": [
            f"{channel}: fill in data.{key}" if key else f"{channel}: this procedure's form asks for no address"
            for channel, key in missing.items()]})
    actor = user.username if user else "anonymous"
    await rt.fresh_calendar()
    policies = await rt.policies.fresh()
    exception_record = await channels.check_intake(
        procedure_code,
        channel,
        channels.local_date(now),
        reception_point,
        submitter_kind,
        channel_exception,
        actor=actor,
        policies=policies,
    )
    placed = await agencies.agency_for_dossier(procedure_code, reception_point, user, version.procedure_agency,
                                               chosen=agency)
    result = runner.start(version.spec, version.subprocess_specs, data, engine=rt.script_engine)
    now = now.astimezone(UTC)
    values: dict[str, Any] = {
        "procedure_version_id": version.id,
        "status": STATUS_OF_ENGINE[result.status],
        "revision": 1,
        "state": result.state,
        "serializer_version": SERIALIZER_VERSION,
        "channel": channel,
        "submitter_kind": submitter_kind,
        "submitted_by_id": user.id if user else None,
        "idempotency_key": scoped_key,
        "error": result.error,
        "next_timer_at": min((t.due_at for t in result.timers), default=None),
        "created_at": now,
        "updated_at": now,
        "completed_at": now if result.status == "completed" else None,
        "lifecycle_status": 1,
        "reception_point": reception_point,
        "agency_code": placed,
        "channel_exception": exception_record,
        "accepted_at": None,
        "due_original_at": None,
        "due_adjusted_at": None,
        "extension": None,
        "supplement_requests": 0,
        "supplement_overridden": False,
        "late_flag": False,
        "late_reason": "",
        "pauses": [],
        "refusal": None,
        "result_at": None,
        "returned_at": None,
        **applicant_columns(rt, version, data),
        "notify_channels": ",".join(c for c in NOTIFY_CHOICES if c in notify),
    }
    blank = DossierRow(**{**values, "id": 0, "code": "", "next_timer_at": None, "status": "processing"})
    loaded = Loaded(blank, version)
    change = Change()
    change.event(
        ev.Submitted,
        blank,
        1,
        now,
        actor,
        procedure_code=procedure_code,
        channel=channel,
        submitter_kind=submitter_kind,
    )
    if exception_record is not None:
        change.event(ev.ChannelException, blank, 1, now, actor, details=exception_record)
    workflow_change(rt, loaded, result, now, actor, 1, change=change)
    change.columns.clear()  # the INSERT has them
    files = attachment_rows(version, data, now, "upload" if channel == "online" else "counter_scan")
    if files:
        change.event(
            ev.AttachmentsAdded,
            blank,
            1,
            now,
            actor,
            components=tuple(sorted({f["component"] for f in files})),
            source=files[0]["source"],
        )

    # ND118 art. 28: the receiving agency's identifier code + the day of receipt + its sequence that day
    # (one counter per agency and day); `agency_code` (MOTCUA_AGENCY_CODE) when the dossier has no agency
    prefix, day = placed or agency_code, now.astimezone(LOCAL_TZ).strftime("%y%m%d")
    try:
        dossier = await create(rt, values, change, now, f"{prefix}|{day}", f"{prefix}-{day}-", attachments=files)
    except IntegrityError:
        if scoped_key and (existing := await _replay(scoped_key)):
            return existing, True  # a concurrent request with the same key won
        raise
    return dossier, False


async def submit(rt: Runtime, procedure_code: str, data: dict[str, Any], **kwargs: Any) -> DossierRow:
    """`submit_once` without the replay flag."""
    dossier, _replayed = await submit_once(rt, procedure_code, data, **kwargs)
    return dossier
