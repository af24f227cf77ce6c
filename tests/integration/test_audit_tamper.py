"""Tampering with the audit trail, on SQLite and PostgreSQL.

Real events are written through the services (a plan load, a cycle start, users and a token).
The database refuses UPDATE/DELETE on ``audit_event``; with its triggers dropped first, raw SQL
edits, deletes, inserts and reorders events, and `audit verify` must fail naming the first broken
event — through the service and through the CLI. Concurrent appends keep the chain linear.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.db import is_sqlite, session_scope
from agencyflow.domain import audit_chain
from agencyflow.errors import AuditError
from agencyflow.models.types import dumps
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at, start_cycle, store_plan

EVENTS = 7  # plan.load, cycle.start, 3 × user.add, token.create, user.disable


@pytest.fixture
def trail(engine: Engine) -> Engine:
    """A database with EVENTS real events."""
    version = store_plan(engine, now=at(2021, 1, 2))
    start_cycle(engine, version, 2021)
    with session_scope(engine) as session:
        users.add_user(session, username="boss", role="coordinator", agency_code="NN",
                       now=at(2021, 1, 5), actor=SYSTEM)
        boss = users.actor_for(session, "boss")
        users.add_user(session, username="insp", role="inspector", now=at(2021, 1, 5),
                       actor=boss)
        users.add_user(session, username="an", role="officer", agency_code="XA-A",
                       now=at(2021, 1, 6), actor=boss)
        users.create_token(session, "an", now=at(2021, 1, 6), actor=boss, name="phone")
        users.disable_user(session, "an", now=at(2021, 2, 1), actor=boss, reason="left")
    return engine


@pytest.fixture
def cli(trail: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The CLI on the trail's database."""
    yield cli_for(trail, monkeypatch, tmp_path)
    get_settings.cache_clear()


def raw(engine: Engine, *statements: str, **params: Any) -> None:
    """Run raw SQL in one transaction."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), params)


def drop_triggers(engine: Engine) -> None:
    """What an attacker with database access does first: drop every trigger of the trail."""
    if is_sqlite(engine):
        with engine.begin() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                      "AND tbl_name IN ('audit_event', 'audit_head')")).scalars()
            for name in list(names):
                conn.execute(text(f"DROP TRIGGER {name}"))
        return
    with engine.begin() as conn:
        rows = conn.execute(text(
            "SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid::regclass::text IN ('audit_event', 'audit_head')")).all()
        for name, table in rows:
            conn.execute(text(f'DROP TRIGGER "{name}" ON {table}'))


def verify_fails(engine: Engine, cli: Invoke, seq: int, why: str) -> None:
    """Both the service and `audit verify` name event #seq and the reason."""
    with Session(engine) as session, pytest.raises(AuditError) as info:
        audit.verify(session)
    assert re.search(rf"event #{seq}\b", str(info.value)), str(info.value)
    assert why in str(info.value)
    result = cli("audit", "verify", "--as", "insp")
    assert result.exit_code == 1, result.output
    assert re.search(rf"event #{seq}\b", result.output), result.output
    assert "audit trail broken at" in result.output and "Traceback" not in result.output


def test_an_untouched_chain_passes(trail: Engine, cli: Invoke) -> None:
    with Session(trail) as session:
        assert audit.verify(session) == EVENTS
        assert [e.action for e in audit.log(session)] == [
            "plan.load", "cycle.start", "user.add", "user.add", "user.add", "token.create",
            "user.disable"]
    result = cli("audit", "verify", "--as", "insp")
    assert result.exit_code == 0, result.output
    assert f"{EVENTS} events, chain intact" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 3",
    "DELETE FROM audit_event WHERE seq = 3",
])
def test_the_database_refuses_update_and_delete(trail: Engine, statement: str) -> None:
    with pytest.raises(DBAPIError, match="append-only"):
        raw(trail, statement)
    with Session(trail) as session:
        assert audit.verify(session) == EVENTS


# PostgreSQL only: SQLite has no TRUNCATE (DELETE is covered above).
@pytest.mark.parametrize("engine", [pytest.param("postgres", marks=pytest.mark.postgres)],
                         indirect=True)
def test_postgres_refuses_truncate(trail: Engine) -> None:
    assert trail.dialect.name == "postgresql"
    with pytest.raises(DBAPIError, match="append-only"):
        raw(trail, "TRUNCATE audit_event")


def edit_role(engine: Engine) -> None:
    """Make the officer added by event #5 look like a coordinator."""
    raw(engine, "UPDATE audit_event SET after = REPLACE(after, 'officer', 'coordinator') "
                "WHERE seq = 5")


def delete_middle(engine: Engine) -> None:
    raw(engine, "DELETE FROM audit_event WHERE seq = 4")


def delete_last(engine: Engine) -> None:
    raw(engine, f"DELETE FROM audit_event WHERE seq = {EVENTS}")


def forged_fields(conn: Connection, seq: int, prev_seq: int) -> dict[str, Any]:
    """A forged event #seq correctly linked to #prev_seq and correctly hashed."""
    prev = conn.execute(text("SELECT hash FROM audit_event WHERE seq = :s"),
                        {"s": prev_seq}).scalar_one()
    fields = {"seq": seq, "at": at(2021, 1, 7), "actor": "boss", "action": "user.add",
              "target_type": "user", "target_id": "ghost", "before": None,
              "after": {"username": "ghost", "role": "coordinator"}, "reason": None,
              "prev_hash": prev}
    return {**fields, "hash": audit_chain.event_hash(fields)}


def insert_forged(conn: Connection, event_id: int, fields: dict[str, Any]) -> None:
    """Insert ``fields`` as stored: naive UTC time, JSON as compact sorted text."""
    conn.execute(text(
        "INSERT INTO audit_event (id, seq, at, actor, action, target_type, target_id, before, "
        "after, reason, prev_hash, hash) VALUES (:id, :seq, :at, :actor, :action, :target_type, "
        ":target_id, NULL, :after, NULL, :prev_hash, :hash)"),
        {**fields, "id": event_id, "at": fields["at"].astimezone(UTC).replace(tzinfo=None),
         "after": dumps(fields["after"])})


def insert_middle(engine: Engine) -> None:
    """Make room after #3 (ids and seqs of #4… shifted by one) and insert a forged #4."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET id = id + 1000, seq = seq + 1000 WHERE seq > 3"))
        conn.execute(text("UPDATE audit_event SET id = id - 999, seq = seq - 999 "
                          "WHERE seq > 1000"))
        insert_forged(conn, 4, forged_fields(conn, 4, 3))


def append_forged(engine: Engine) -> None:
    """A well-formed event after the last one, without moving the head."""
    with engine.begin() as conn:
        insert_forged(conn, EVENTS + 1, forged_fields(conn, EVENTS + 1, EVENTS))


def swap_ids(engine: Engine) -> None:
    """Reorder #2 and #3 in storage order."""
    raw(engine, "UPDATE audit_event SET id = -1 WHERE seq = 2",
        "UPDATE audit_event SET id = 2 WHERE seq = 3",
        "UPDATE audit_event SET id = 3 WHERE id = -1")


SWAPPED = ("at", "actor", "action", "target_type", "target_id", "before", "after", "reason",
           "prev_hash", "hash")


def swap_content(engine: Engine) -> None:
    """Swap everything but id and seq between #2 and #3."""
    with engine.begin() as conn:
        rows = {r.seq: r._mapping for r in conn.execute(
            text(f"SELECT seq, {', '.join(SWAPPED)} FROM audit_event WHERE seq IN (2, 3)"))}
        sets = ", ".join(f"{c} = :{c}" for c in SWAPPED)
        for seq, other in ((2, 3), (3, 2)):
            values = {c: rows[other][c] for c in SWAPPED}
            conn.execute(text(f"UPDATE audit_event SET {sets} WHERE seq = :seq"),
                         {**values, "seq": seq})


TAMPERING: list[tuple[Callable[[Engine], None], int, str]] = [
    (edit_role, 5, "content does not match its hash (edited)"),
    (delete_middle, 5, "sequence number 5 where 4 was expected"),
    (delete_last, EVENTS, "deleted at the end"),
    (insert_middle, 4, "inserted: event #5 links to the event before it"),
    (append_forged, EVENTS + 1, "appended or replaced at the end"),
    (swap_ids, 3, "sequence number 3 where 2 was expected"),
    (swap_content, 2, "prev_hash does not match the previous event"),
]


@pytest.mark.parametrize(("tamper", "seq", "why"), TAMPERING, ids=lambda v: getattr(v, "__name__",
                                                                                  None))
def test_tampering_is_detected_and_named(trail: Engine, cli: Invoke,
                                         tamper: Callable[[Engine], None], seq: int,
                                         why: str) -> None:
    drop_triggers(trail)
    tamper(trail)
    verify_fails(trail, cli, seq, why)


def append(engine: Engine, who: str, count: int, errors: list[BaseException]) -> None:
    """``count`` events by ``who``, one transaction each."""
    try:
        for i in range(count):
            with session_scope(engine) as session:
                audit.record(session, now=at(2021, 3, 1), actor=who, action="test.append",
                             target_type="test", target_id=f"{who}-{i}")
    except BaseException as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    errors: list[BaseException] = []
    verified: list[int] = []
    stop = threading.Event()

    def verifier() -> None:
        while not stop.is_set():
            try:
                with Session(engine) as session:
                    verified.append(audit.verify(session))
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=append, args=(engine, name, 50, errors))
               for name in ("an", "binh")]
    checker = threading.Thread(target=verifier)
    for thread in [*threads, checker]:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    checker.join()
    assert errors == []
    with Session(engine) as session:
        assert audit.verify(session) == 100
        events = audit.log(session, limit=None)
    assert [e.seq for e in events] == list(range(1, 101))
    assert sorted(e.target_id for e in events) == sorted(
        f"{who}-{i}" for who in ("an", "binh") for i in range(50))
    assert verified and all(0 <= n <= 100 for n in verified)
