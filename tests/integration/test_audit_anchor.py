"""The anchored audit trail, on SQLite and PostgreSQL, tampered with by raw SQL as an attacker
with database access would: the head is protected like the events, every hashed field is
covered, and a checkpoint kept outside the database catches truncation and a rewritten tail even
with every trigger dropped — through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.db import is_sqlite
from agencyflow.domain import audit_chain
from agencyflow.errors import AuditError
from agencyflow.models.types import dumps
from agencyflow.services.audit import trail as audit
from tests.cli_helpers import Invoke, cli_for
from tests.integration.test_audit_tamper import EVENTS, drop_triggers, raw
from tests.integration.test_audit_tamper import trail as trail  # noqa: F401  (the fixture)
from tests.sinks import WebhookSink


@pytest.fixture
def cli(trail: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The CLI on the trail's database."""
    yield cli_for(trail, monkeypatch, tmp_path)
    get_settings.cache_clear()


HEAD_TAMPERING = [
    "UPDATE audit_head SET seq = 3",
    "UPDATE audit_head SET hash = 'ab'",
    "UPDATE audit_head SET seq = seq + 1",  # onto an event that does not exist
    "DELETE FROM audit_head",
]


@pytest.mark.parametrize("statement", HEAD_TAMPERING)
def test_the_database_protects_the_head(trail: Engine, statement: str) -> None:
    with pytest.raises(DBAPIError, match="audit_head"):
        raw(trail, statement)
    with Session(trail) as session:
        assert audit.verify(session) == EVENTS


def test_truncating_the_head_and_inserting_mid_chain_are_refused(trail: Engine) -> None:
    if not is_sqlite(trail):
        with pytest.raises(DBAPIError, match="append-only"):
            raw(trail, "TRUNCATE audit_head")
    with pytest.raises(DBAPIError, match="only the next event after the head"):
        raw(trail, "INSERT INTO audit_event (id, seq, at, actor, action, target_type, target_id, "
                   "prev_hash, hash) SELECT 999, 4, at, actor, action, target_type, target_id, "
                   "prev_hash, hash FROM audit_event WHERE seq = 4")


@pytest.mark.parametrize("statement", [
    "INSERT OR REPLACE INTO audit_event SELECT * FROM audit_event WHERE seq = 3",
    "REPLACE INTO audit_event SELECT * FROM audit_event WHERE seq = 3",
    "INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')",
])
def test_sqlite_refuses_insert_or_replace(trail: Engine, statement: str) -> None:
    if not is_sqlite(trail):
        return  # PostgreSQL has no INSERT OR REPLACE
    with pytest.raises(DBAPIError, match="append-only"):
        raw(trail, statement)
    with Session(trail) as session:
        assert audit.verify(session) == EVENTS


#: Each hashed field of event #3 changed alone, and what verify says.
FIELD_EDITS: list[tuple[str, Any, str]] = [
    ("at", datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None), "edited"),
    ("actor", "someone", "edited"),
    ("action", "user.remove", "edited"),
    ("target_type", "plan", "edited"),
    ("target_id", "99", "edited"),
    ("before", dumps({"x": 1}), "edited"),
    ("after", dumps({"x": 1}), "edited"),
    ("reason", "forged reason", "edited"),
    ("recorded_at", datetime(2000, 1, 1), "edited"),
    ("claim", "late", "edited"),
    ("claim_reason", "on paper", "edited"),
    ("prev_hash", "0" * 64, "prev_hash does not match"),
    ("hash", "0" * 64, "edited"),
    ("seq", 33, "sequence number 33 where 3 was expected"),
]


@pytest.mark.parametrize(("field", "value", "why"), FIELD_EDITS, ids=[f for f, *_ in FIELD_EDITS])
def test_each_hashed_field_alone_is_covered(trail: Engine, field: str, value: Any,
                                            why: str) -> None:
    drop_triggers(trail)
    raw(trail, f"UPDATE audit_event SET {field} = :value WHERE seq = 3", value=value)
    with Session(trail) as session, pytest.raises(AuditError, match=why) as info:
        audit.verify(session)
    assert "event #3" in str(info.value) or "event #33" in str(info.value), str(info.value)


def test_a_recorded_time_moved_back_is_caught_even_rehashed(trail: Engine) -> None:
    drop_triggers(trail)
    with trail.begin() as conn:
        row = dict(conn.execute(text(f"SELECT * FROM audit_event WHERE seq = {EVENTS}"))
                   .mappings().one())
    with Session(trail) as session:
        [event] = [e.model_dump() for e in audit.log(session, limit=1)]
    event["recorded_at"] = datetime(2000, 1, 1, tzinfo=UTC)
    digest = audit_chain.event_hash(event)
    raw(trail, "UPDATE audit_event SET recorded_at = :r, hash = :h WHERE id = :id",
        r=datetime(2000, 1, 1), h=digest, id=row["id"])
    raw(trail, "UPDATE audit_head SET hash = :h", h=digest)
    with Session(trail) as session, pytest.raises(AuditError, match="out of real-clock order"):
        audit.verify(session)


def checkpoint(cli: Invoke, tmp_path: Path) -> Path:
    """`audit checkpoint --file` as the inspector; the file it wrote."""
    path = tmp_path / "outside" / "checkpoints.jsonl"
    done = cli("audit", "checkpoint", "--file", str(path), "--as", "insp")
    assert done.exit_code == 0 and f"checkpoint #{EVENTS} sha256" in done.output, done.output
    return path


def test_a_checkpoint_holds_and_is_refused_without_a_destination(cli: Invoke,
                                                                 tmp_path: Path) -> None:
    path = checkpoint(cli, tmp_path)
    [line] = path.read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data["seq"] == EVENTS and len(data["hash"]) == 64 and data["at"].endswith("Z")
    ok = cli("audit", "verify", "--checkpoint", str(path), "--checkpoint", str(path),
             "--as", "insp")
    assert ok.exit_code == 0 and "2 checkpoints hold" in ok.output, ok.output
    nowhere = cli("audit", "checkpoint", "--as", "insp")
    assert nowhere.exit_code == 1 and "--file FILE and/or --notify" in nowhere.output
    officer = cli("audit", "checkpoint", "--file", str(path), "--as", "an")
    assert officer.exit_code == 1  # disabled (the trail disables "an")


def test_truncation_with_the_triggers_dropped_is_caught_by_a_checkpoint(
        trail: Engine, cli: Invoke, tmp_path: Path) -> None:
    path = checkpoint(cli, tmp_path)
    drop_triggers(trail)
    if is_sqlite(trail):
        raw(trail, "DELETE FROM audit_event", "DELETE FROM audit_head")
    else:
        raw(trail, "TRUNCATE audit_event", "DELETE FROM audit_head")
    blind = cli("audit", "verify", "--as", "insp")
    assert blind.exit_code == 0 and "0 events, chain intact" in blind.output  # without it
    caught = cli("audit", "verify", "--checkpoint", str(path), "--as", "insp")
    assert caught.exit_code == 1, caught.output
    assert f"checkpoint {path}:1" in caught.output and "truncated" in caught.output


def test_a_rewritten_tail_is_caught_by_a_checkpoint(trail: Engine, cli: Invoke,
                                                    tmp_path: Path) -> None:
    """Cut back past the checkpoint and append correctly hashed forgeries, head and all."""
    path = checkpoint(cli, tmp_path)
    drop_triggers(trail)
    raw(trail, f"DELETE FROM audit_event WHERE seq >= {EVENTS - 1}")
    with Session(trail) as session:
        prev = audit.log(session, limit=1)[0].hash
    for seq in (EVENTS - 1, EVENTS):
        fields = {"seq": seq, "at": datetime(2021, 2, 1, tzinfo=UTC), "actor": "boss",
                  "action": "user.add", "target_type": "user", "target_id": f"ghost{seq}",
                  "before": None, "after": {"role": "coordinator"}, "reason": None,
                  "prev_hash": prev}
        prev = audit_chain.event_hash(fields)
        raw(trail, "INSERT INTO audit_event (id, seq, at, actor, action, target_type, target_id, "
                   "after, prev_hash, hash) VALUES (:seq, :seq, :at, 'boss', 'user.add', 'user', "
                   ":target, :after, :prev, :hash)", seq=seq, at=datetime(2021, 2, 1),
            target=f"ghost{seq}", after=dumps({"role": "coordinator"}),
            prev=fields["prev_hash"], hash=prev)
    raw(trail, "UPDATE audit_head SET seq = :seq, hash = :hash", seq=EVENTS, hash=prev)
    blind = cli("audit", "verify", "--as", "insp")
    assert blind.exit_code == 0, blind.output  # the forgery is self-consistent
    caught = cli("audit", "verify", "--checkpoint", str(path), "--as", "insp")
    assert caught.exit_code == 1 and "rewritten" in caught.output, caught.output
    assert f"event #{EVENTS} now hashes to {prev}" in caught.output


def test_a_checkpoint_is_sent_to_the_inspectors_tag(cli: Invoke, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with WebhookSink() as hook:
        channels = tmp_path / "channels.yaml"
        channels.write_text(f"urls:\n  - {hook.json_url('/insp')}:\n      - tag: inspectors\n",
                            encoding="utf-8")
        monkeypatch.setenv("AGENCYFLOW_APPRISE_CONFIG", str(channels))
        sent = cli("audit", "checkpoint", "--notify", "--as", "insp")
        assert sent.exit_code == 0 and "sent to tag inspectors (1 channel)" in sent.output
        [request] = hook.wait_for(1)
        assert f"audit checkpoint #{EVENTS}" in request.body.decode("utf-8")
        monkeypatch.setenv("AGENCYFLOW_AUDIT_TAG", "nobody")
        missing = cli("audit", "checkpoint", "--notify", "--as", "insp")
        assert missing.exit_code == 1 and "no channel for tag 'nobody'" in missing.output


def test_the_daily_flow_appends_a_checkpoint(trail: Engine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """What `serve` runs every day (the flow's body, without a Prefect server)."""
    from agencyflow.flows.audit_checkpoint import audit_checkpoint

    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AGENCYFLOW_APPRISE_CONFIG", raising=False)
    get_settings.cache_clear()
    url = trail.url.render_as_string(hide_password=False)
    try:
        first = audit_checkpoint.fn(database_url=url)
        second = audit_checkpoint.fn(database_url=url)
    finally:
        get_settings.cache_clear()
    lines = (tmp_path / "data" / "audit-checkpoints.jsonl").read_text().splitlines()
    assert [json.loads(line)["seq"] for line in lines] == [EVENTS, EVENTS]
    assert first["hash"] == second["hash"] and first["channels"] == 0
