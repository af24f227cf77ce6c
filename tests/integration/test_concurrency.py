"""Two officers acting on the same assignment at once: one wins, the other gets ConflictError.

Nothing of the loser is written (no outputs, no evidence row, no audit event) and the audit chain
still verifies — on SQLite and PostgreSQL, with interleaved sessions, and on PostgreSQL also with
real threads racing through the whole use case.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import ConflictError
from agencyflow.models import AuditEvent, Evidence
from agencyflow.services.assignments import core as assignment_core
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from tests.factories import CALENDAR, at
from tests.lifecycle_plan import KTHT_OFFICER, assignment_id, get, setup_cycle


def _complete(session: Session, ident: int, link: str, version: int | None = 1) -> None:
    assignments.complete(session, assignment_id=ident, actor=KTHT_OFFICER, now=at(2027, 3, 1),
                         calendar=CALENDAR, links=[link], note=link, expected_version=version)


def _events(session: Session, ident: int) -> list[str]:
    stmt = select(AuditEvent.action).where(AuditEvent.target_id == str(ident))
    return list(session.execute(stmt).scalars())


def _check_one_winner(engine: Engine, ident: int, winner: str) -> None:
    row = get(engine, ident)
    assert (row.status, row.version, row.note) == ("done", 2, winner)
    with Session(engine) as session:
        links = session.execute(select(Evidence.link).where(Evidence.assignment_id == ident))
        assert list(links.scalars()) == [winner]
        assert _events(session, ident) == ["assignment.complete"]
        assert audit.verify(session) == session.execute(
            select(func.count()).select_from(AuditEvent)).scalar_one()


def test_both_read_the_same_version_and_the_second_write_conflicts(engine: Engine) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    with Session(engine) as first, Session(engine) as second:
        mine = assignment_core.load(first, ident)
        theirs = assignment_core.load(second, ident)
        assert mine.version == theirs.version == 1
        assignment_core.write(first, mine, {"note": "first"})
        first.commit()
        with pytest.raises(ConflictError, match=r"assignment \d+ \(MARKET KTHT\) was changed"):
            assignment_core.write(second, theirs, {"note": "second"})
        second.rollback()
    row = get(engine, ident)
    assert (row.note, row.version) == ("first", 2)


def test_two_officers_complete_the_same_version(engine: Engine) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    with session_scope(engine) as session:
        _complete(session, ident, "https://a.example/1")
    with pytest.raises(ConflictError, match="you acted on version 1"), \
            session_scope(engine) as session:
        _complete(session, ident, "https://b.example/2")
    _check_one_winner(engine, ident, "https://a.example/1")


@pytest.mark.postgres
def test_real_threads_race_on_postgres(pg_engine: Engine) -> None:
    setup_cycle(pg_engine)
    ident = assignment_id(pg_engine, "MARKET", period="2027-Q1")
    barrier = threading.Barrier(4)
    results: dict[str, Any] = {}

    def run(link: str) -> None:
        barrier.wait()
        try:
            with session_scope(pg_engine) as session:
                _complete(session, ident, link)
            results[link] = "won"
        except ConflictError as exc:
            results[link] = exc

    links = [f"https://officer{i}.example/x" for i in range(4)]
    threads = [threading.Thread(target=run, args=(link,)) for link in links]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    winners = [link for link, r in results.items() if r == "won"]
    assert len(winners) == 1 and len(results) == 4
    assert all(isinstance(r, ConflictError) for r in results.values() if r != "won")
    _check_one_winner(pg_engine, ident, winners[0])
