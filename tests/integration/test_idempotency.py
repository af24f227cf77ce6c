"""Idempotency keys (services.idempotency) on SQLite and PostgreSQL: a retry racing the first
request waits for it and gets its answer; nothing is done twice; keys are per actor."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import ValidationError
from agencyflow.models import IdempotentRequest
from agencyflow.services import idempotency
from tests.factories import at

NOW = at(2027, 2, 1)


def _begin(session: Session) -> None:
    """What the API's writing requests do first (SQLite: take the write lock)."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def test_a_racing_retry_waits_and_gets_the_first_answer(engine: Engine) -> None:
    claimed, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def first() -> None:
        with session_scope(engine) as session:
            _begin(session)
            row = idempotency.claim(session, actor="lan", key="k-1", fingerprint="f", now=NOW)
            assert isinstance(row, IdempotentRequest)
            claimed.set()
            release.wait(10)
            idempotency.answer(session, row, status_code=200, body='{"ok": 1}', etag='"4"')

    def retry() -> None:
        claimed.wait(10)
        with session_scope(engine) as session:
            _begin(session)  # SQLite waits here, PostgreSQL on the unique index
            seen["answer"] = idempotency.claim(session, actor="lan", key="k-1",
                                               fingerprint="f", now=NOW)

    threads = [threading.Thread(target=first), threading.Thread(target=retry)]
    for t in threads:
        t.start()
    claimed.wait(10)
    release.set()
    for t in threads:
        t.join(30)
    assert seen["answer"] == idempotency.Replay(200, '{"ok": 1}', '"4"')


def test_keys_are_per_actor_and_bound_to_their_request(engine: Engine) -> None:
    with session_scope(engine) as session:
        row = idempotency.claim(session, actor="lan", key="k", fingerprint="f1", now=NOW)
        assert isinstance(row, IdempotentRequest)
        idempotency.answer(session, row, status_code=201, body="{}")
        theirs = idempotency.claim(session, actor="an", key="k", fingerprint="f1", now=NOW)
        assert isinstance(theirs, IdempotentRequest)
    with Session(engine) as session, pytest.raises(ValidationError, match="another request"):
        idempotency.claim(session, actor="lan", key="k", fingerprint="f2", now=NOW)
    with Session(engine) as session:
        for bad in ("", "a b", "x" * 201, "khóa"):
            with pytest.raises(ValidationError, match="Idempotency-Key"):
                idempotency.claim(session, actor="lan", key=bad, fingerprint="f", now=NOW)


def test_a_refused_change_leaves_no_key(engine: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        idempotency.claim(session, actor="lan", key="k", fingerprint="f", now=NOW)
        raise RuntimeError("the move was refused")
    with session_scope(engine) as session:
        again = idempotency.claim(session, actor="lan", key="k", fingerprint="f", now=NOW)
    assert isinstance(again, IdempotentRequest)
