"""Issue 9 finding 1 through the CLI, on SQLite and PostgreSQL, by the real clock (no
simulation): officers cannot backdate, a coordinator's late entry carries a reason and shows as
"recorded later", nothing is dated after the real clock, and the audit trail is in real-clock
order whatever the business times claim."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at, start_cycle, store_plan
from tests.lifecycle_plan import WALK_PLAN, assignment_id, get

#: The walk plan, for a year that has begun by the real clock (the session runs in late 2026).
YEAR = 2026
PEOPLE = [("dieu.phoi", "coordinator", "NN"), ("pho.phong", "coordinator", "NN"),
          ("can.bo.nn", "officer", "NN"), ("can.bo.ktht", "officer", "KTHT")]


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The cycle of YEAR (set up as a simulation, like every test world), then the CLI by the
    real clock."""
    version = store_plan(engine, text=WALK_PLAN.replace("from_year: 2027", f"from_year: {YEAR}"))
    start_cycle(engine, version, YEAR)
    with session_scope(engine) as session:
        for name, role, agency in PEOPLE:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(YEAR, 1, 4), actor=SYSTEM)
    yield cli_for(engine, monkeypatch, tmp_path, simulation=False)
    get_settings.cache_clear()


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def market_q1(engine: Engine) -> str:
    """MARKET of the first quarter (KTHT): open since 4 January, due 31 March."""
    return str(assignment_id(engine, "MARKET", period=f"{YEAR}-Q1", year=YEAR))


def test_an_officer_cannot_backdate_nor_date_ahead(cli: Invoke, engine: Engine) -> None:
    aid = market_q1(engine)
    refused(cli("assignment", "complete", aid, "--as", "can.bo.ktht", "--now", f"{YEAR}-03-01"),
            "may not date a change in the past")
    refused(cli("assignment", "complete", aid, "--as", "can.bo.ktht", "--now", f"{YEAR}-03-01",
                "--late-reason", "giấy"), "only a coordinator")
    refused(cli("assignment", "start", aid, "--as", "can.bo.ktht", "--now", f"{YEAR + 1}-03-01"),
            "after the real clock")
    assert get(engine, int(aid)).version == 1  # nothing was written
    assert "in progress" in ok(cli("assignment", "start", aid, "--as", "can.bo.ktht"))
    assert json.loads(ok(cli("board", "--year", str(YEAR), "--now", f"{YEAR}-02-01",
                             "--format", "json")))  # reads travel in time freely


def test_a_coordinators_late_entry_needs_a_reason_and_shows(cli: Invoke, engine: Engine) -> None:
    aid = market_q1(engine)
    refused(cli("assignment", "complete", aid, "--as", "dieu.phoi", "--now", f"{YEAR}-03-20"),
            "--late-reason")
    refused(cli("assignment", "complete", aid, "--as", "dieu.phoi", "--now", f"{YEAR - 1}-12-20",
                "--late-reason", "Biên bản giấy"), "cannot be dated before")
    started = datetime.now(UTC)
    ok(cli("assignment", "complete", aid, "--as", "dieu.phoi", "--now", f"{YEAR}-03-20",
           "--late-reason", "Biên bản giấy ngày 20/3"))
    row = get(engine, int(aid))
    assert (row.status, row.completed_on.isoformat(), row.recorded_late_by) == (
        "done", f"{YEAR}-03-20", "dieu.phoi")
    assert row.recorded_at is not None and row.recorded_at >= started
    board = json.loads(ok(cli("board", "--year", str(YEAR), "--format", "json")))
    [mine] = [r for r in board if str(r["id"]) == aid]
    assert (mine["board_status"], mine["recorded_later_by"]) == ("done_on_time", "dieu.phoi")
    shown = json.loads(ok(cli("assignment", "show", aid, "--format", "json")))
    assert shown["recorded_later"]["by"] == "dieu.phoi"
    assert shown["recorded_later"]["reason"] == "Biên bản giấy ngày 20/3"
    assert shown["history"][-1]["claim"] == "late"
    text = ok(cli("assignment", "show", aid))
    assert "recorded later by dieu.phoi" in text and "Biên bản giấy ngày 20/3" in text
    log = json.loads(ok(cli("audit", "log", "--as", "pho.phong", "--format", "json")))
    late = log[-1]
    assert (late["claim"], late["claim_reason"], late["at"][:10]) == (
        "late", "Biên bản giấy ngày 20/3", f"{YEAR}-03-20")
    assert late["recorded_at"] > log[-2]["recorded_at"] > late["at"]


def test_the_trail_is_in_real_clock_order_whatever_is_claimed(cli: Invoke,
                                                             engine: Engine) -> None:
    """The issue's trail: #21 dated before #20 — by business time only; recorded times are in
    sequence order, and verify checks it."""
    first, second = market_q1(engine), str(assignment_id(engine, "PLAN", year=YEAR))
    ok(cli("assignment", "start", first, "--as", "can.bo.ktht"))
    ok(cli("assignment", "start", second, "--as", "dieu.phoi", "--now", f"{YEAR}-02-01",
           "--late-reason", "Sổ giao việc"))
    with Session(engine) as session:
        events = audit.log(session, limit=None)
        count = audit.verify(session)
    assert count == len(events)
    recorded = [e.recorded_at for e in events if e.recorded_at is not None]
    assert len(recorded) >= 2 and recorded == sorted(recorded)
    assert events[-1].at < events[-2].at  # the business times are out of order, honestly
    assert events[-1].recorded_at - events[-1].at > timedelta(days=30)
    ok(cli("audit", "verify", "--as", "pho.phong"))
