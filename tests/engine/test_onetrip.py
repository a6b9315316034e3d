"""A command's commit as one PostgreSQL statement (engine/dossiers/onetrip.py): taken for the hot
commands, refused where it could change what the writes mean, and all-or-nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from engine import dossiers, sql
from engine.dossiers import onetrip, store
from engine.errors import Conflict
from engine.models import AuditEvent, Dossier, HumanTask, OutboxEvent
from tests.factories import APPLICATIONS, publish_shipped, rt

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
COLUMNS = [("revision", 2)]


def _stmt(query: str, must_touch: bool = False) -> onetrip.Statement:
    return onetrip.Statement(query, [1] * query.count("?"), must_touch)


def test_the_hot_writes_make_one_statement() -> None:
    writes: list[onetrip.Write] = [
        _stmt("UPDATE human_task SET state = 'completed', completed_at = ? WHERE id = ? AND state = 'ready'", True),
        _stmt("UPDATE human_task SET state = 'cancelled', completed_at = ? WHERE id IN (?, ?) AND state = 'ready'"),
        _stmt("DELETE FROM timer WHERE dossier_id = ? AND state = 'pending' AND kind = 'bpmn'"),
        _stmt("UPDATE timer SET state = 'fired' WHERE dossier_id = ? AND state = 'firing' AND kind = 'bpmn'"),
        onetrip.Insert("audit_event", [{"dossier_id": 1, "at": NOW, "details": '{"a":1}'}]),
    ]
    found = onetrip.statement(1, 1, COLUMNS, writes)
    assert found is not None
    query, params = found
    assert query.count("?") == len(params)
    # the cancellation skips the row the completion touched, as it would in sequence
    assert "id NOT IN (SELECT id FROM m)" in query
    assert "id NOT IN (SELECT id FROM w2)" in query  # the firing timers' update after the pending ones' delete
    assert params[-1] == '[{"dossier_id":1,"at":"2026-03-02T02:00:00+00:00","details":{"a":1}}]'


def test_json_rows_embeds_json_text_and_encodes_the_rest() -> None:
    naive = NOW.replace(tzinfo=None)  # a naive instant is UTC, as asyncpg binds it
    rows = [
        {"dossier_id": 1, "at": NOW, "details": '{"tên":"Nguyễn"}', "actor": None},
        {"dossier_id": 2, "at": naive, "details": {"dict": [1, 2]}, "actor": "cán bộ"},  # not text: encoded
        {"dossier_id": 3, "at": NOW, "details": "[]", "actor": 'a "quoted" one'},
    ]
    text = onetrip.json_rows("audit_event", rows)
    assert "Nguyễn" in text and "\\u" not in text  # ensure_ascii off, as PostgreSQL's jsonb keeps it
    assert json.loads(text) == [
        {"dossier_id": 1, "at": "2026-03-02T02:00:00+00:00", "details": {"tên": "Nguyễn"}, "actor": None},
        {"dossier_id": 2, "at": "2026-03-02T02:00:00+00:00", "details": {"dict": [1, 2]}, "actor": "cán bộ"},
        {"dossier_id": 3, "at": "2026-03-02T02:00:00+00:00", "details": [], "actor": 'a "quoted" one'},
    ]
    assert json.loads(onetrip.json_rows("audit_event", [{"details": "{}"}])) == [{"details": {}}]
    assert onetrip.json_rows("audit_event", []) == "[]"


@pytest.mark.parametrize(
    "writes",
    [
        # two writes on rows that stay eligible for each other: only a sequence gives their meaning
        [
            _stmt("UPDATE audit_event SET data_diff = ? WHERE dossier_id = ?"),
            _stmt("UPDATE audit_event SET details = ? WHERE dossier_id = ? AND action = 'channel_exception'"),
        ],
        # a write moving rows into a state another one requires
        [
            _stmt("UPDATE timer SET state = 'pending' WHERE dossier_id = ? AND state = 'firing'"),
            _stmt("UPDATE timer SET state = 'cancelled' WHERE dossier_id = ? AND state = 'pending'"),
        ],
        # two must-touch writes, or one that is not the first on its table
        [
            _stmt("UPDATE human_task SET claimed_by_id = ? WHERE id = ? AND state = 'ready'", True),
            _stmt("UPDATE rating SET comment = '' WHERE id = ?", True),
        ],
        [
            _stmt("UPDATE human_task SET state = 'cancelled' WHERE id = ? AND state = 'ready'"),
            _stmt("UPDATE human_task SET state = 'completed' WHERE id = ? AND state = 'ready'", True),
        ],
        [_stmt("UPDATE dossier SET error = NULL WHERE id = ?")],
    ],
)
def test_writes_whose_meaning_needs_a_sequence_keep_the_transaction(writes: list[onetrip.Write]) -> None:
    assert onetrip.statement(1, 1, COLUMNS, writes) is None


async def _task(users: dict) -> tuple[Dossier, HumanTask]:
    await publish_shipped("birth-registration")
    dossier = await dossiers.submit(
        rt(), "1.001193", APPLICATIONS["birth-registration"], now=NOW, user=users["citizen"]
    )
    return await Dossier.get(id=dossier.id), await HumanTask.get(dossier_id=dossier.id, state="ready")


async def test_claim_and_complete_take_no_transaction_on_postgresql(
    db: object, users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dossier, task = await _task(users)
    opened: list[str] = []
    real = sql.transaction

    async def counted(body: sql.Body[object]) -> object:
        opened.append("BEGIN")
        return await real(body)

    monkeypatch.setattr(sql, "transaction", counted)
    await dossiers.claim(rt(), task.id, users["officer"], NOW)
    await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW)
    # SQLite commits in one hop on its writer thread; PostgreSQL in one statement, no BEGIN … COMMIT
    assert opened == ([] if sql.is_postgres(sql.db()) else ["BEGIN", "BEGIN"])
    assert (await HumanTask.get(id=task.id)).state == "completed"


async def test_a_stale_revision_writes_nothing(users: dict) -> None:
    dossier, task = await _task(users)
    loaded = await store.load_task(task.id)
    await dossiers.claim(rt(), task.id, users["officer"], NOW)  # moves the revision on
    events = await AuditEvent.filter(dossier_id=dossier.id).count()
    outbox = await OutboxEvent.filter(dossier_id=dossier.id).count()
    with pytest.raises(Conflict):  # the completion read before the claim
        await dossiers.complete_task(rt(), task.id, {"intake_decision": "accept"}, users["officer"], NOW, loaded=loaded)
    after = await Dossier.get(id=dossier.id)
    assert after.revision == dossier.revision + 1
    assert (await HumanTask.get(id=task.id)).state == "ready"
    assert await AuditEvent.filter(dossier_id=dossier.id).count() == events
    assert await OutboxEvent.filter(dossier_id=dossier.id).count() == outbox
    assert await HumanTask.filter(dossier_id=dossier.id).count() == 1


async def test_an_untouched_task_writes_nothing_not_even_the_revision(users: dict) -> None:
    dossier, task = await _task(users)
    loaded = await store.load_task(task.id)
    await HumanTask.filter(id=task.id).update(state="cancelled")  # behind the command's back, revision kept
    with pytest.raises(Conflict):
        await dossiers.claim(rt(), task.id, users["officer"], NOW, loaded=loaded)
    assert (await Dossier.get(id=dossier.id)).revision == dossier.revision
    assert await AuditEvent.filter(dossier_id=dossier.id, action="task_claimed").count() == 0


class _Probe:
    name = "probe"
    kinds: frozenset[str] | None = None

    async def deliver(self, delivery: object) -> None:
        return None


async def test_a_submission_writes_its_new_id_and_code_into_every_row(
    users: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rt().subscribers, "probe", _Probe())
    first, _task1 = await _task(users)
    second, _task2 = await _task(users)
    assert first.code[-4:] == "0001" and second.code[-4:] == "0002"  # the day's counter, in the same statement
    for dossier in (first, second):
        actions = [e.action for e in await AuditEvent.filter(dossier_id=dossier.id).order_by("id")]
        assert actions[:2] == ["submitted", "task_opened"]
        sent = await OutboxEvent.filter(dossier_id=dossier.id, subscriber="probe").order_by("id")
        assert [o.key for o in sent] == [f"{dossier.code}:1:{n}" for n in range(len(actions))]
        assert {o.payload["dossier_code"] for o in sent} == {dossier.code}
        assert (await HumanTask.get(dossier_id=dossier.id)).state == "ready"
