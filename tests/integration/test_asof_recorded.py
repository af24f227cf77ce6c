""""As of" counts an audit event from when it was recorded, not from the time it claims: a
coordinator's late entry (recorded today, for 20/03) is not part of what was known on 01/06, by
the real clock, on SQLite and PostgreSQL — on the board, in the read model and in its history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.calendar import default_calendar, local_date
from agencyflow.domain.clock import Clock
from agencyflow.services import clock
from agencyflow.services.assignments import moves, views
from agencyflow.services.board import asof
from agencyflow.services.board import listing as board
from tests.conftest import real_clock
from tests.factories import at, start_cycle, store_plan
from tests.lifecycle_plan import COORDINATOR, WALK_PLAN, assignment_id

#: A year that has begun by the real clock, so that a late entry can be dated in it.
YEAR = datetime.now(UTC).year - (1 if datetime.now(UTC).month <= 4 else 0)
CLAIMED = at(YEAR, 3, 20, 10)  # the day the paper record says the work was done
CALENDAR = default_calendar()


def _late_completion(engine: Engine) -> int:
    """MARKET of the first quarter (due 31/03), completed by a late entry recorded now."""
    version = store_plan(engine, text=WALK_PLAN.replace("from_year: 2027", f"from_year: {YEAR}"))
    start_cycle(engine, version, YEAR)
    aid = assignment_id(engine, "MARKET", period=f"{YEAR}-Q1", year=YEAR)
    with session_scope(real_clock(engine)) as session:
        clock.use(session, Clock(late_reason="Biên bản giấy ngày 20/3"))
        moves.complete(session, assignment_id=aid, actor=COORDINATOR, now=CLAIMED,
                       calendar=CALENDAR)
    return aid


def _seen(session: Session, aid: int, moment: datetime) -> tuple[str, str, str | None, int]:
    shown = views.show(session, aid, COORDINATOR, now=moment, calendar=CALENDAR)
    status = board.status_of(session, aid, today=local_date(moment), calendar=CALENDAR,
                             known_at=moment)
    assert status.value == shown["board_status"]
    return (shown["board_status"], shown["assignment"]["status"],
            shown["assignment"]["completed_on"], len(shown["history"]))


def test_a_late_entry_is_known_from_when_it_was_recorded(engine: Engine) -> None:
    aid = _late_completion(engine)
    recorded = datetime.now(UTC)
    with Session(engine) as session:
        [event] = [e for e in views.history(session, aid) if e["claim"] == "late"]
        assert event["at"][:10] == f"{YEAR}-03-20" and event["recorded_at"] >= event["at"]
        between = max(CLAIMED + timedelta(days=30), recorded - timedelta(days=1))
        assert CLAIMED < between < recorded
        before, after = _seen(session, aid, between), _seen(session, aid, recorded + timedelta(
            minutes=1))
        assert not asof.is_current(session, between)
        assert asof.row(session, aid, between) is not None
    assert before[:3] == ("overdue", "open", None)
    assert after[:3] == ("done_on_time", "done", f"{YEAR}-03-20")
    assert after[3] == before[3] + 1  # the completion's event, in the history only once known
