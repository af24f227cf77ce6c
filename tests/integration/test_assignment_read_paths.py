"""One read model, two connections: `services.assignments.views.show` gives the same data on a
SQLAlchemy session and on the plain DBAPI connection `agencyflow assignment show` reads through,
for every assignment of a season (a reassignment, an extension asked and granted, a cancellation,
completions on time and late, a contribution with evidence) on every day of it and as it is now;
and the CLI prints the same, in Vietnamese and in English, on its fast and its full path."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow import dbapi, locations
from agencyflow.db import session_scope
from agencyflow.services.assignments import contributions, views
from tests.cli_helpers import cli_for
from tests.integration.test_time_travel import EXPECTED, season  # noqa: F401  (the fixture)
from tests.reminder_world import ACTOR, CALENDAR, MODEL_ID, PLAN_ID, REPORT_B, SURVEY_B, vn

MOMENTS = [*EXPECTED, vn(2027, 12, 31)]


@pytest.fixture
def lived(season: Engine) -> Engine:  # noqa: F811
    """The season, and a contribution with a link as evidence on 02/03."""
    with session_scope(season) as session:
        contributions.contribute(session, assignment_id=REPORT_B, actor=ACTOR,
                                 now=vn(2027, 3, 2), comment="Đã gửi số liệu",
                                 agency_code="XA-B",
                                 links=["https://example.org/bien-ban.pdf"])
    return season


def _shown(conn: object, assignment_id: int, moment: datetime) -> str:
    data = views.show(conn, assignment_id, ACTOR, now=moment, calendar=CALENDAR)
    return json.dumps(data, ensure_ascii=False, indent=1, default=str)


def test_a_session_and_a_plain_connection_show_the_same(lived: Engine) -> None:
    conn = dbapi.open_current(lived.url.render_as_string(hide_password=False))
    assert conn is not None
    seen = set()
    try:
        with Session(lived) as session:
            ids = [i for (i,) in dbapi.fetch(conn, "SELECT id FROM assignment", {})]
            assert len(ids) >= 6
            for moment in MOMENTS:
                for assignment_id in ids:
                    full = _shown(session, assignment_id, moment)
                    assert _shown(conn, assignment_id, moment) == full, (assignment_id, moment)
                    data = json.loads(full)
                    seen.add((data["board_status"], len(data["history"]),
                              len(data["extensions"]), len(data["contributions"]),
                              len(data["evidence"])))
    finally:
        conn.close()
    statuses = {s for s, *_ in seen}
    assert {"in_progress", "overdue", "done_on_time", "done_late", "cancelled",
            "due_soon"} <= statuses
    assert any(e for _, _, e, _, _ in seen) and any(c and v for _, _, _, c, v in seen)


def test_what_was_known_is_what_is_shown(lived: Engine) -> None:
    with Session(lived) as session:
        before = views.show(session, SURVEY_B, ACTOR, now=vn(2027, 2, 11), calendar=CALENDAR)
        after = views.show(session, SURVEY_B, ACTOR, now=vn(2027, 2, 16), calendar=CALENDAR)
        model = views.show(session, MODEL_ID, ACTOR, now=vn(2027, 1, 20), calendar=CALENDAR)
        plan = views.show(session, PLAN_ID, ACTOR, now=vn(2027, 3, 16), calendar=CALENDAR)
    assert [e["status"] for e in before["extensions"]] == ["pending"]
    assert [e["status"] for e in after["extensions"]] == ["approved"]
    assert after["assignment"]["due_current"] == "2027-03-05"
    assert model["lead"]["code"] == "NN" and model["assignment"]["lead_code"] == "NN"
    assert plan["assignment"]["completed_on"] == "2027-01-27"
    assert plan["step"]["id"] and isinstance(plan["step"]["review"], bool)


@pytest.mark.parametrize("args", [[], ["--lang", "en"], ["--format", "json"],
                                  ["--now", "2027-02-16"], ["--now", "2027-03-12", "--lang", "en"],
                                  ["--now", "2027-01-20", "--format", "json"]],
                         ids=lambda a: " ".join(a) or "(now, vi)")
def test_the_fast_and_the_full_path_print_the_same(
        lived: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    invoke = cli_for(lived, monkeypatch, tmp_path)
    assert locations.from_environment() is not None
    fast = [invoke("assignment", "show", str(i), *args) for i in (SURVEY_B, MODEL_ID, REPORT_B)]
    # The same variable spelled in lower case: only Settings may judge it, so the command takes
    # the full path (a SQLAlchemy session) on the same database.
    monkeypatch.setenv("agencyflow_data_dir", os.environ["AGENCYFLOW_DATA_DIR"])
    assert locations.from_environment() is None
    full = [invoke("assignment", "show", str(i), *args) for i in (SURVEY_B, MODEL_ID, REPORT_B)]
    for one, other in zip(fast, full, strict=True):
        assert one.exit_code == other.exit_code == 0, one.output + other.output
        assert one.output == other.output and "2027" in one.output


def test_an_unknown_assignment_or_user_is_the_same_error_on_both_paths(
        lived: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke = cli_for(lived, monkeypatch, tmp_path)
    fast = [invoke("assignment", "show", "999"), invoke("assignment", "show", "1", "--as", "ai")]
    monkeypatch.setenv("agencyflow_data_dir", os.environ["AGENCYFLOW_DATA_DIR"])
    full = [invoke("assignment", "show", "999"), invoke("assignment", "show", "1", "--as", "ai")]
    assert [r.output for r in fast] == [r.output for r in full]
    assert [r.exit_code for r in fast] == [1, 1]
    assert "999" in fast[0].output and "ai" in fast[1].output and "user list" in fast[1].output
