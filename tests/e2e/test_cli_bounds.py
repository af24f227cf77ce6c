"""Numbers and dates people type are bounded where the services take them (issue 9, finding 5/7).

Ids beyond 64 bits were an ``OverflowError`` traceback from the database driver; a due date of
9999-12-31 was accepted and then stopped every reminder sweep. Both are now answered when they
are given, with a message, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at
from tests.lifecycle_plan import assignment_id, get, setup_cycle

HUGE = "99999999999999999999999"  # beyond 64 bits


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    monkeypatch.setenv("AGENCYFLOW_LANGUAGE", "en")  # the messages asserted are the English ids
    yield cli_for(engine, monkeypatch, tmp_path)
    get_settings.cache_clear()


def _people(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, role, agency in [("dieu.phoi", "coordinator", "NN"),
                                   ("chu.tich", "leader", "UBND-HUYEN"),
                                   ("can.bo.nn", "officer", "NN")]:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=SYSTEM)


def refused(result: Any, *fragments: str) -> str:
    out = str(result.output)
    assert result.exit_code == 1, out
    assert "Traceback" not in out and "OverflowError" not in out, out
    for fragment in fragments:
        assert fragment in out, out
    return out


#: A command given a number beyond 64 bits, and what it answers.
TOO_BIG = [
    (["assignment", "show", HUGE], f"assignment {HUGE} does not exist"),
    (["assignment", "decide", HUGE, "--approve", "--as", "chu.tich"],
     f"extension request {HUGE} does not exist"),
    (["user", "token", "revoke", HUGE, "--as", "dieu.phoi"], f"no API token #{HUGE}"),
    (["notifications", "retry", HUGE, "--as", "dieu.phoi"], f"notification {HUGE} does not exist"),
    (["board", "--year", HUGE], f"no cycle {HUGE}"),
    (["cycle", "start", "--plan", "walk-ocop", "--year", HUGE, "--as", "dieu.phoi"],
     f"no cycle for {HUGE}"),
]


def test_ids_and_years_beyond_64_bits_name_no_row_and_limits_mean_no_limit(
        cli: Invoke, engine: Engine) -> None:
    setup_cycle(engine)
    _people(engine)
    for args, message in TOO_BIG:
        refused(cli(*args), message)
    for args in (["board", "--limit", HUGE], ["notifications", "--limit", HUGE],
                 ["audit", "log", "--assignment", HUGE, "--limit", HUGE, "--as", "dieu.phoi"]):
        result = cli(*args)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output


def test_an_extension_beyond_the_calendar_is_refused_when_it_is_requested(
        cli: Invoke, engine: Engine) -> None:
    setup_cycle(engine)
    _people(engine)
    pid = assignment_id(engine, "PLAN")
    refused(cli("assignment", "extend", str(pid), "--to", "9999-12-31", "--reason", "x",
                "--as", "can.bo.nn"),
            "the new due date 9999-12-31 is outside the working-day calendar (2015–2040)")
    assert get(engine, pid).due_current.isoformat() == "2027-03-15"  # nothing was written


def test_a_stored_request_beyond_the_calendar_cannot_be_approved(cli: Invoke,
                                                                 engine: Engine) -> None:
    setup_cycle(engine)
    _people(engine)
    pid = assignment_id(engine, "PLAN")
    with engine.begin() as conn:  # as a database written before dates were bounded holds it
        conn.execute(text(
            "INSERT INTO extension_request (assignment_id, requested_by, requested_at, old_due, "
            "new_due, reason, status) VALUES (:a, 'can.bo.nn', :t, '2027-03-15', '9999-12-31', "
            "'old data', 'pending')"), {"a": pid, "t": at(2027, 2, 1)})
        ext = conn.execute(text("SELECT max(id) FROM extension_request")).scalar_one()
    refused(cli("assignment", "decide", str(ext), "--approve", "--as", "chu.tich"),
            f"extension request {ext} asks for 9999-12-31", "outside the working-day calendar")
    assert get(engine, pid).due_current.isoformat() == "2027-03-15"


def test_now_outside_the_calendar_is_refused_when_it_is_given(cli: Invoke,
                                                              engine: Engine) -> None:
    setup_cycle(engine)
    for now in ("9999-12-31", "1900-01-01", "31/12/2041"):
        refused(cli("board", "--now", now), "--now", "outside the working-day calendar (2015–2040)")
    for now in ("9999-12-31T23:59+00:00", "2027-02-30", "99999-01-01"):
        refused(cli("board", "--now", now), "is not a date")
