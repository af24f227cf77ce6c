"""A one-off plan from November to April of the next year, written with its real dates: the
cycle runs across the new year, fixed dates move off Sundays and Tết, the district's summary
opens only when every commune has reported (or, with ``needs``, when enough have)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import PlanError, ValidationError
from agencyflow.models import Assignment, Cycle
from agencyflow.services import cycles
from agencyflow.services.assignments import moves as assignments
from tests.factories import CALENDAR, FIXTURES, SYSTEM, at, store_plan

WINTER = (FIXTURES / "one-off-winter.yaml").read_text(encoding="utf-8")


def _start(engine: Engine, text: str = WINTER, year: int = 2030) -> Cycle:
    version = store_plan(engine, text=text)
    with session_scope(engine) as session:
        return cycles.start(session, version=version, year=year, now=at(2030, 11, 15),
                            actor=SYSTEM, calendar=CALENDAR).cycle


def _rows(engine: Engine, step: str) -> list[Assignment]:
    with Session(engine) as session:
        stmt = select(Assignment).where(Assignment.step_id == step).order_by(Assignment.member)
        return list(session.execute(stmt).scalars())


def _complete(engine: Engine, a: Assignment, day: date) -> None:
    with session_scope(engine) as session:
        assignments.complete(session, assignment_id=a.id or 0, actor=SYSTEM,
                             now=at(day.year, day.month, day.day), calendar=CALENDAR)


def test_the_cycle_is_the_plan_period_and_due_dates_are_its_real_dates(engine: Engine) -> None:
    cycle = _start(engine)
    assert (cycle.year, cycle.start_date, cycle.end_date) == (
        2030, date(2030, 11, 15), date(2031, 4, 30))
    kickoff, = _rows(engine, "KICKOFF")
    assert kickoff.due_current == date(2030, 11, 18)  # 17/11/2030 is a Sunday
    assert kickoff.period == "2030-2031"
    reports = _rows(engine, "COMMUNE-REPORT")
    assert [r.due_current for r in reports] == [date(2031, 1, 28)] * 3  # 23/01/2031 is Tết
    province, = _rows(engine, "PROVINCE-REPORT")
    assert province.due_current == date(2031, 3, 17)  # 16/03/2031 is a Sunday
    summary, = _rows(engine, "DISTRICT-SUMMARY")
    assert (summary.status, summary.due_current) == ("waiting", None)


def test_the_district_step_opens_when_all_communes_are_done(engine: Engine) -> None:
    _start(engine)
    first, second, third = _rows(engine, "COMMUNE-REPORT")
    _complete(engine, first, date(2031, 1, 10))
    _complete(engine, second, date(2031, 1, 15))
    assert _rows(engine, "DISTRICT-SUMMARY")[0].status == "waiting"
    _complete(engine, third, date(2031, 1, 20))
    summary, = _rows(engine, "DISTRICT-SUMMARY")
    assert (summary.status, summary.opened_on) == ("open", date(2031, 1, 20))
    # ten working days after 20/01/2031: Tết (21–27/01) and weekends not counted
    assert summary.due_current == date(2031, 2, 10)


def test_needs_opens_the_district_step_when_two_of_three_are_done(engine: Engine) -> None:
    text = WINTER.replace("    depends_on: [COMMUNE-REPORT]\n",
                          "    depends_on: [COMMUNE-REPORT]\n    needs: {COMMUNE-REPORT: 2}\n")
    _start(engine, text)
    first, second, _third = _rows(engine, "COMMUNE-REPORT")
    _complete(engine, first, date(2031, 1, 10))
    assert _rows(engine, "DISTRICT-SUMMARY")[0].status == "waiting"
    _complete(engine, second, date(2031, 1, 15))
    assert _rows(engine, "DISTRICT-SUMMARY")[0].status == "open"


def test_any_of_opens_on_the_first_done(engine: Engine) -> None:
    text = WINTER.replace("    depends_on: [COMMUNE-REPORT]\n",
                          "    depends_on: [COMMUNE-REPORT]\n    needs: {COMMUNE-REPORT: any}\n")
    _start(engine, text)
    _complete(engine, _rows(engine, "COMMUNE-REPORT")[1], date(2031, 1, 9))
    assert _rows(engine, "DISTRICT-SUMMARY")[0].status == "open"


def test_only_the_plan_period_has_a_cycle(engine: Engine) -> None:
    with pytest.raises(ValidationError, match="2030-11-15..2031-04-30"):
        _start(engine, year=2031)


def test_a_working_day_deadline_after_the_period_end_is_refused_at_start(engine: Engine) -> None:
    text = WINTER.replace("deadline: {kind: fixed_date, date: 2031-03-16}",
                          "deadline: {kind: after_cycle_start, working_days: 200}")
    with pytest.raises(ValidationError, match="PROVINCE-REPORT.*2031-04-30"):
        _start(engine, text)
    with Session(engine) as session:
        assert session.execute(select(Cycle)).first() is None  # nothing was created


@pytest.mark.parametrize(("written", "field", "why"), [
    ("{kind: fixed_date, date: 2030-11-01}", "steps[0].deadline.date",
     "step KICKOFF would be due on 2030-11-01, before the period starts (2030-11-15)"),
    ("{kind: fixed_date, date: 2031-05-02}", "steps[0].deadline.date",
     "step KICKOFF would be due on 2031-05-02, after the period ends (2031-04-30)"),
    ("{kind: fixed_date, month: 6, day: 1}", "steps[0].deadline",
     "step KICKOFF would be due on 2031-06-01, after the period ends (2031-04-30)"),
    ("{kind: month_end, month: 5}", "steps[0].deadline",
     "step KICKOFF would be due on 2031-05-31, after the period ends (2031-04-30)"),
])
def test_a_deadline_outside_the_period_names_the_step(written: str, field: str,
                                                     why: str) -> None:
    from agencyflow.domain.plan_loader import load_plan_text

    text = WINTER.replace("{kind: fixed_date, date: 2030-11-17}", written)
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "winter.yaml")
    problem, = caught.value.problems
    assert (problem.file, problem.line, problem.field, problem.message) == (
        "winter.yaml", 34, field, why)


def test_the_board_names_members_by_the_plans_own_group(engine: Engine) -> None:
    from agencyflow.services.board.members import members

    text = WINTER.replace('name: {vi: "Các xã", en: "Communes"}',
                          'name: {vi: "Các đơn vị cấp xã", en: "Commune-level units"}')
    cycle = _start(engine, text)
    with Session(engine) as session:
        found = members(session, cycle.id or 0)
    assert (found.label("vi"), found.label("en")) == ("Các đơn vị cấp xã", "Commune-level units")
    assert [code for code, _ in found.options] == ["XA-A", "XA-B", "XA-C"]
