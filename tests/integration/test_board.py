"""The board: the SQL status agrees with the domain rule, filters, counts, and time travel.

The board's SQL runs on a SQLAlchemy session (services, web) and on a plain DBAPI connection
(``agencyflow board``): the rule is checked through both, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from agencyflow import dbapi
from agencyflow.db import session_scope
from agencyflow.domain.status import BoardStatus, board_status
from agencyflow.errors import ValidationError
from agencyflow.models import Assignment
from agencyflow.services.board import listing as board
from tests.factories import CALENDAR, start_cycle, store_plan

D = date(2021, 3, 10)
DAYS = [D - timedelta(days=3), D, D + timedelta(days=2)]


@contextmanager
def connected(engine: Engine, via: str) -> Iterator[Any]:
    """A SQLAlchemy session, or the DBAPI connection ``agencyflow board`` reads with."""
    if via == "session":
        with Session(engine) as session:
            yield session
        return
    conn = dbapi.open_current(engine.url.render_as_string(hide_password=False))
    assert conn is not None, "the test database is migrated: the fast path must open it"
    try:
        yield conn
    finally:
        conn.close()


def _cases() -> list[dict[str, object]]:
    out = []
    for status, due, opened, done in itertools.product(
        ["waiting", "open", "in_progress", "submitted", "done", "cancelled"],
        [None, D - timedelta(days=1), D, D + timedelta(days=1), D + timedelta(days=7)],
        [None, D - timedelta(days=10), D + timedelta(days=1)],
        [None, D - timedelta(days=2), D + timedelta(days=3)],
    ):
        if (status == "done") != (done is not None):
            continue
        out.append({"status": status, "due": due, "opened_on": opened, "completed_on": done})
    return out


@pytest.mark.parametrize("via", ["session", "dbapi"])
@pytest.mark.parametrize("late_against", ["current", "original"])
def test_sql_status_agrees_with_the_domain_rule(engine: Engine, late_against: str,
                                                via: str) -> None:
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    cases = _cases()
    with session_scope(engine) as session:
        for i, case in enumerate(cases):
            session.add(Assignment(
                cycle_id=cycle.id or 0, plan_key="tiny-ocop", year=2021, step_id="X",
                period=str(i), lead_code="NN", title_vi="x", status=str(case["status"]),
                due_original=case["due"], due_current=case["due"],
                opened_on=case["opened_on"], completed_on=case["completed_on"]))
    for today in DAYS:
        soon = CALENDAR.add_working_days(today, board.DUE_SOON_WORKING_DAYS)
        with connected(engine, via) as conn:
            result = board.board(conn, board.BoardFilter(cycle_id=cycle.id,
                                 late_against=late_against), today=today, calendar=CALENDAR)
            ids = {r["period"]: r["id"] for r in result.rows if r["step_id"] == "X"}
            one_by_one = {period: board.status_of(conn, i, today=today, calendar=CALENDAR,
                                                  late_against=late_against)
                          for period, i in ids.items()}
        got = {r["period"]: r["board_status"] for r in result.rows if r["step_id"] == "X"}
        for i, case in enumerate(cases):
            expected = board_status(status=case["status"], due=case["due"],
                                    opened_on=case["opened_on"],
                                    completed_on=case["completed_on"], today=today,
                                    due_soon_until=soon)
            assert got[str(i)] == expected.value, (today, case)
            assert one_by_one[str(i)] is expected, (today, case)


def test_filters_counts_and_time_travel(engine: Engine) -> None:
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    flt = board.BoardFilter(cycle_id=cycle.id, late_against="original")
    with Session(engine) as session:
        jan = board.board(session, flt, today=date(2021, 1, 15), calendar=CALENDAR)
        march = board.board(session, flt, today=date(2021, 3, 15), calendar=CALENDAR)
        coop = board.board(session, board.BoardFilter(cycle_id=cycle.id, agency="XA-A"),
                           today=date(2021, 3, 15), calendar=CALENDAR)
        commune = board.board(session, board.BoardFilter(cycle_id=cycle.id, commune="XA-B"),
                              today=date(2021, 3, 15), calendar=CALENDAR)
        overdue = board.board(session, board.BoardFilter(cycle_id=cycle.id, status="overdue"),
                              today=date(2021, 3, 15), calendar=CALENDAR)
        with pytest.raises(ValidationError, match="'late'.*done_late"):  # the nearest
            board.board(session, board.BoardFilter(status="late"), today=D, calendar=CALENDAR)
    plan_row = next(r for r in jan.rows if r["step_id"] == "PLAN")
    assert plan_row["board_status"] == BoardStatus.IN_PROGRESS
    assert next(r for r in march.rows if r["step_id"] == "PLAN")["board_status"] == "overdue"
    assert march.counts["NN"]["overdue"] == 2 and march.counts["XA-A"] == {"waiting": 1}
    # XA-A leads its EVAL assignment and cooperates on PLAN.
    assert {r["step_id"] for r in coop.rows} == {"PLAN", "EVAL"}
    assert [r["lead_code"] for r in commune.rows] == ["XA-B"]
    assert {r["step_id"] for r in overdue.rows} == {"PLAN", "COUNCIL"}


def test_done_late_against_original_or_extended_due_date(engine: Engine) -> None:
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    with session_scope(engine) as session:
        session.execute(update(Assignment).where(Assignment.step_id == "PLAN").values(
            status="done", completed_on=date(2021, 2, 10), due_current=date(2021, 2, 26)))
    with Session(engine) as session:
        statuses = {
            against: next(r for r in board.board(session, board.BoardFilter(
                cycle_id=cycle.id, late_against=against), today=date(2021, 3, 1),
                calendar=CALENDAR).rows if r["step_id"] == "PLAN")
            for against in ("original", "current")
        }
    assert statuses["original"]["board_status"] == "done_late"
    assert statuses["current"]["board_status"] == "done_on_time"


def test_a_session_and_a_dbapi_connection_read_the_same_board(engine: Engine) -> None:
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    with session_scope(engine) as session:
        session.execute(update(Assignment).where(Assignment.step_id == "PLAN").values(
            status="done", completed_on=date(2021, 2, 10)))
    boards, names = {}, {}
    for via in ("session", "dbapi"):
        with connected(engine, via) as conn:
            for flt in (board.BoardFilter(cycle_id=cycle.id), board.BoardFilter(agency="XA-A"),
                        board.BoardFilter(cycle_id=cycle.id, status="waiting")):
                boards[via, flt] = board.board(conn, flt, today=date(2021, 3, 15),
                                               calendar=CALENDAR, limit=5)
            names[via] = board.agency_names(conn, "tiny-ocop")
            found = board.cycle_for(conn, "tiny-ocop", 2021)
    assert all(boards["session", f] == boards["dbapi", f] for _, f in boards)
    assert names["session"] == names["dbapi"] and names["dbapi"]["NN"]
    assert (found.id, found.year, found.late_against) == (cycle.id, 2021, cycle.late_against)
    rows = boards["dbapi", board.BoardFilter(cycle_id=cycle.id)].rows
    plan = next(r for r in rows if r["step_id"] == "PLAN")
    assert plan["completed_on"] == date(2021, 2, 10) and isinstance(plan["due_current"], date)
    assert "XA-A" in plan["cooperating"] and plan["clauses"] == ["NN-2"]
    assert len(rows) == 5 and [r["due_current"] for r in rows] == sorted(
        r["due_current"] for r in rows)


@pytest.mark.parametrize("via", ["session", "dbapi"])
def test_streamed_rows_are_the_rows(engine: Engine, via: str) -> None:
    """What `board --format json|csv` writes as it reads, chunk by chunk (here 3 rows a chunk),
    is the board's rows, in order, as of today and as of a moment before a completion."""
    cycle = start_cycle(engine, store_plan(engine), 2021)
    flt = board.BoardFilter(cycle_id=cycle.id)
    with connected(engine, via) as conn:
        listed = board.rows(conn, flt, today=D, calendar=CALENDAR)
        streamed = list(board.stream_rows(conn, flt, today=D, calendar=CALENDAR, chunk=3))
        limited = list(board.stream_rows(conn, flt, today=D, calendar=CALENDAR, chunk=3, limit=4))
    assert len(listed) == 8 and streamed == listed and limited == listed[:4]
