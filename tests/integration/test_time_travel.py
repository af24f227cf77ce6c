"""Time travel: the board, one assignment, the targets and the outbox as they were known at a
moment, on SQLite and PostgreSQL, through a session, the board's DBAPI path and the CLI.

The cycle (tests/reminder_world.py, from Monday 18/01/2027; Tết off 04–10/02) has a
reassignment, an extension, a late completion, an on-time completion and a cancellation; each
date below sees exactly what had been recorded by then.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow import dbapi
from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.board import listing as board
from agencyflow.services.delivery import dispatch, outbox
from agencyflow.services.reminders import sweeps
from tests.cli_helpers import cli_for
from tests.reminder_world import (
    ACTOR,
    CALENDAR,
    DECIDER,
    MODEL_ID,
    PLAN_ID,
    REPORT_A,
    REPORT_B,
    SURVEY_A,
    SURVEY_B,
    complete,
    reassign,
    start,
    vn,
)

#: What was recorded, and when (Vietnam time).
REASSIGNED = vn(2027, 1, 25, 10)  # MODEL: NN → VP
PLAN_DONE = vn(2027, 1, 27, 10)  # PLAN, due 29/01: on time
ASKED = vn(2027, 2, 3, 10)  # SURVEY_B asks to move 19/02 to 05/03 …
EXTENDED = vn(2027, 2, 12, 10)  # … and it is granted
CANCELLED = vn(2027, 2, 22, 10)  # REPORT_A
SURVEY_DONE = vn(2027, 3, 10, 10)  # SURVEY_B, due 05/03: late
MODEL_DONE = vn(2027, 3, 15, 10)  # MODEL, due 12/02: late

#: moment → assignment → (board status, lead, current due date, completed on)
EXPECTED: dict[datetime, dict[int, tuple[str, str, date | None, date | None]]] = {
    vn(2027, 1, 20): {
        PLAN_ID: ("in_progress", "NN", date(2027, 1, 29), None),
        MODEL_ID: ("in_progress", "NN", date(2027, 2, 12), None),
        SURVEY_B: ("in_progress", "XA-B", date(2027, 2, 19), None),
        REPORT_A: ("in_progress", "XA-A", date(2027, 2, 26), None),
    },
    vn(2027, 2, 1): {
        PLAN_ID: ("done_on_time", "NN", date(2027, 1, 29), date(2027, 1, 27)),
        MODEL_ID: ("in_progress", "VP", date(2027, 2, 12), None),
        SURVEY_B: ("in_progress", "XA-B", date(2027, 2, 19), None),
    },
    vn(2027, 2, 16): {
        MODEL_ID: ("overdue", "VP", date(2027, 2, 12), None),
        SURVEY_A: ("due_soon", "XA-A", date(2027, 2, 19), None),
        SURVEY_B: ("in_progress", "XA-B", date(2027, 3, 5), None),
        REPORT_A: ("in_progress", "XA-A", date(2027, 2, 26), None),
    },
    vn(2027, 3, 8): {
        SURVEY_B: ("overdue", "XA-B", date(2027, 3, 5), None),
        REPORT_A: ("cancelled", "XA-A", date(2027, 2, 26), None),
        MODEL_ID: ("overdue", "VP", date(2027, 2, 12), None),
    },
    vn(2027, 3, 10, 9): {  # the morning of the late completion: not recorded yet
        SURVEY_B: ("overdue", "XA-B", date(2027, 3, 5), None),
        MODEL_ID: ("overdue", "VP", date(2027, 2, 12), None),
    },
    vn(2027, 3, 12): {
        SURVEY_B: ("done_late", "XA-B", date(2027, 3, 5), date(2027, 3, 10)),
        MODEL_ID: ("overdue", "VP", date(2027, 2, 12), None),
    },
    vn(2027, 3, 16): {
        PLAN_ID: ("done_on_time", "NN", date(2027, 1, 29), date(2027, 1, 27)),
        MODEL_ID: ("done_late", "VP", date(2027, 2, 12), date(2027, 3, 15)),
        SURVEY_B: ("done_late", "XA-B", date(2027, 3, 5), date(2027, 3, 10)),
        REPORT_A: ("cancelled", "XA-A", date(2027, 2, 26), None),
    },
}


@pytest.fixture
def season(engine: Engine) -> Engine:
    """The cycle with everything above recorded."""
    start(engine)
    reassign(engine, MODEL_ID, "VP", REASSIGNED)
    complete(engine, PLAN_ID, PLAN_DONE)
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=SURVEY_B, actor=ACTOR,
                                           now=ASKED, new_due=date(2027, 3, 5), reason="Tết")
    with session_scope(engine) as session:
        extensions.decide_extension(session, extension_id=ext.id or 0, actor=DECIDER,
                                    now=EXTENDED, approve=True)
    with session_scope(engine) as session:
        assignments.cancel(session, assignment_id=REPORT_A, actor=ACTOR, now=CANCELLED,
                           calendar=CALENDAR, reason="Trùng nhiệm vụ")
    complete(engine, SURVEY_B, SURVEY_DONE)
    complete(engine, MODEL_ID, MODEL_DONE)
    return engine


def _connections(engine: Engine) -> Iterator[Any]:
    with Session(engine) as session:
        yield session
    conn = dbapi.open_current(engine.url.render_as_string(hide_password=False))
    assert conn is not None
    try:
        yield conn
    finally:
        conn.close()


def _seen(rows: list[dict[str, Any]]) -> dict[int, tuple[str, str, date | None, date | None]]:
    return {r["id"]: (r["board_status"], r["lead_code"], r["due_current"], r["completed_on"])
            for r in rows}


def test_the_board_shows_what_was_known_on_each_day(season: Engine) -> None:
    for conn in _connections(season):
        [cycle_id] = {board.cycle_for(conn).id}
        flt = board.BoardFilter(cycle_id=cycle_id)
        for moment, expected in EXPECTED.items():
            result = board.board(conn, flt, today=moment.date(), calendar=CALENDAR,
                                 known_at=moment)
            seen = _seen(result.rows)
            assert {i: seen[i] for i in expected} == expected, moment
            counted = sum(n for by in result.counts.values() for n in by.values())
            assert counted == len(result.rows) == 6
            for i, (status, *_rest) in expected.items():
                assert board.status_of(conn, i, today=moment.date(), calendar=CALENDAR,
                                       known_at=moment) == status


def test_one_assignment_as_it_was_known(season: Engine) -> None:
    with Session(season) as session:
        before = assignments.show(session, SURVEY_B, ACTOR, now=vn(2027, 2, 11),
                                  calendar=CALENDAR)
        extended = assignments.show(session, SURVEY_B, ACTOR, now=vn(2027, 2, 16),
                                    calendar=CALENDAR)
        done = assignments.show(session, SURVEY_B, ACTOR, now=vn(2027, 3, 16),
                                calendar=CALENDAR)
        model = assignments.show(session, MODEL_ID, ACTOR, now=vn(2027, 1, 20),
                                 calendar=CALENDAR)
    assert (before["board_status"], before["assignment"]["due_current"]) == (
        "in_progress", "2027-02-19")
    assert [e["action"] for e in before["history"]] == ["assignment.extend"]  # asked, undecided
    [asked] = before["extensions"]
    assert (asked["status"], asked["decided_by"], asked["new_due"]) == ("pending", None,
                                                                         "2027-03-05")
    assert extended["assignment"]["due_current"] == "2027-03-05"
    assert extended["extensions"][0]["status"] == "approved"
    assert extended["assignment"]["status"] == "open" and extended["assignment"]["outputs"] is None
    assert (done["board_status"], done["assignment"]["status"]) == ("done_late", "done")
    assert done["assignment"]["completed_on"] == "2027-03-10"
    assert [e["action"] for e in done["history"]][-1] == "assignment.complete"
    assert model["lead"]["code"] == "NN" and model["history"] == []


def test_the_cli_travels_on_the_fast_path(season: Engine, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    cli = cli_for(season, monkeypatch, tmp_path)
    try:
        early = cli("board", "--now", "2027-03-10", "--format", "json")
        assert early.exit_code == 0, early.output
        rows = {r["id"]: r for r in json.loads(early.output)}
        assert (rows[SURVEY_B]["board_status"], rows[SURVEY_B]["completed_on"]) == (
            "overdue", None)  # it was completed at 10:00 that day, after 09:00
        assert (rows[MODEL_ID]["lead"], rows[REPORT_A]["board_status"]) == ("VP", "cancelled")
        late = json.loads(cli("board", "--now", "2027-03-10T17:00", "--format", "json").output)
        assert {r["id"]: r["board_status"] for r in late}[SURVEY_B] == "done_late"
        shown = cli("assignment", "show", str(MODEL_ID), "--now", "2027-01-20", "--format",
                    "json")
        assert json.loads(shown.output)["assignment"]["lead_code"] == "NN", shown.output
        overdue = cli("board", "--now", "2027-03-08", "--status", "overdue", "--format", "json")
        assert {r["id"] for r in json.loads(overdue.output)} == {
            SURVEY_A, SURVEY_B, REPORT_B, MODEL_ID}  # REPORT_A was cancelled, PLAN done
    finally:
        get_settings.cache_clear()


def test_the_outbox_as_it_was(season: Engine) -> None:
    sweeps.sweep(season, now=vn(2027, 2, 15), calendar=CALENDAR)
    dispatch.dispatch(season, RecordingNotifier(), Renderer, now=vn(2027, 2, 15, 10),
                      worker_id="t")
    with Session(season) as session:
        before = outbox.list_notifications(session, limit=None, known_at=vn(2027, 2, 15, 9, 30))
        after = outbox.list_notifications(session, limit=None, known_at=vn(2027, 2, 15, 11))
        never = outbox.list_notifications(session, limit=None, known_at=vn(2027, 1, 10))
        counted = outbox.counts(session, known_at=vn(2027, 2, 15, 9, 30))
        now = {n.id: n.status for n in outbox.list_notifications(session, limit=None)}
    assert never == []  # nothing had been written on 10/01
    assert before and {n.status for n in before} == {"pending"}  # the dispatch ran at 10:00
    assert counted == {"pending": len(before)}
    sent = {i for i, s in now.items() if s == "sent"}
    assert sent and {n.id for n in after if n.status == "sent"} == sent
    assert {n.id for n in before} <= {n.id for n in after}
