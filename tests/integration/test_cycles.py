"""Starting cycles on SQLite and PostgreSQL: fan-out, due dates, waiting, idempotence, history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import CycleExists, PermissionDenied, ValidationError
from agencyflow.models import Assignment, AuditEvent, Cycle, PlanVersion
from agencyflow.services import cycles
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import cycle_queries
from agencyflow.services.plans import store as plans
from tests.factories import CALENDAR, PLANS, at, start_cycle, store_plan


def assignments(engine: Engine) -> list[Assignment]:
    with Session(engine) as session:
        return list(session.execute(select(Assignment).order_by(Assignment.id)).scalars())


def test_cycle_start_creates_every_assignment_with_due_dates(engine: Engine) -> None:
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    rows = assignments(engine)
    by_step: dict[str, list[Assignment]] = {}
    for row in rows:
        by_step.setdefault(row.step_id, []).append(row)
    assert cycle.assignment_count == len(rows) == 8
    assert sorted(a.lead_code for a in by_step["EVAL"]) == ["XA-A", "XA-B"]
    assert all(a.member == a.lead_code for a in by_step["EVAL"])
    assert [a.period for a in by_step["MARKET"]] == [f"2021-Q{q}" for q in range(1, 5)]
    plan_row = by_step["PLAN"][0]
    # 31/1/2021 is a Sunday → Monday 1/2/2021; group:communes expanded, lead not cooperating.
    assert plan_row.due_current == plan_row.due_original == date(2021, 2, 1)
    assert plan_row.cooperating == ["XA-A", "XA-B"] and plan_row.status == "open"
    assert plan_row.opened_on == date(2021, 1, 1) and plan_row.next_notice_on == date(2021, 1, 1)
    # EVAL waits for COUNCIL (after_step): no due date, not opened yet.
    assert {(a.status, a.due_current, a.opened_on) for a in by_step["EVAL"]} == {
        ("waiting", None, None)}
    # Quarterly assignments open at their quarter's start.
    assert by_step["MARKET"][2].opened_on == date(2021, 7, 1)


def test_starting_the_same_cycle_twice_creates_nothing(engine: Engine) -> None:
    version = store_plan(engine)
    start_cycle(engine, version, 2021)
    with pytest.raises(CycleExists, match="already started"):
        start_cycle(engine, version, 2021)
    assert len(assignments(engine)) == 8
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(Cycle)).scalar() == 1


def test_years_outside_the_plan_and_unauthorised_actors_are_refused(engine: Engine) -> None:
    version = store_plan(engine)
    with pytest.raises(ValidationError, match="2020–2022"):
        start_cycle(engine, version, 2027)
    officer = Actor("an", Role.OFFICER, "XA-A")
    with pytest.raises(PermissionDenied, match="an"), session_scope(engine) as session:
        cycles.start(session, version=version, year=2021, now=at(2021, 1, 4), actor=officer,
                     calendar=CALENDAR)
    assert assignments(engine) == []


def test_a_changed_plan_is_a_new_version_and_old_cycles_keep_theirs(engine: Engine) -> None:
    text = (PLANS / "valid.yaml").read_text(encoding="utf-8")
    v1 = store_plan(engine, text=text)
    start_cycle(engine, v1, 2021)
    v2 = store_plan(engine, text=text.replace("Xây dựng kế hoạch năm", "Kế hoạch năm (sửa)"))
    again = store_plan(engine, text=text)
    assert (v1.version, v2.version, again.version) == (1, 2, 1)
    assert v1.content_hash != v2.content_hash
    start_cycle(engine, v2, 2022)
    with Session(engine) as session:
        years = {c.year: (c.plan_version, c.plan_hash) for c in cycle_queries.list_cycles(session)}
        titles = {(a.year, a.title_vi) for a in assignments(engine) if a.step_id == "PLAN"}
        stored = session.execute(select(PlanVersion.text).where(PlanVersion.version == 1))
        assert "Kế hoạch năm (sửa)" not in stored.scalar_one()
    assert years == {2021: (1, v1.content_hash), 2022: (2, v2.content_hash)}
    assert titles == {(2021, "Xây dựng kế hoạch năm"), (2022, "Kế hoạch năm (sửa)")}


def test_cycle_start_is_audited_with_a_digest_of_what_it_created(engine: Engine) -> None:
    version = store_plan(engine)
    start_cycle(engine, version, 2021)
    with Session(engine) as session:
        events = list(session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars())
        assert audit.verify(session) == 2
    assert [e.action for e in events] == ["plan.load", "cycle.start"]
    after = events[1].after or {}
    assert after["assignments"] == 8 and len(after["assignments_sha256"]) == 64
    assert after["hash"] == version.content_hash


def test_bundled_plan_starts_a_cycle_with_one_assignment_per_commune(engine: Engine) -> None:
    with session_scope(engine) as session:
        version = plans.ensure_loaded(session, "kim-thanh-ocop", now=at(2027, 1, 2),
                                      actor=Actor("system:test", Role.SYSTEM))
        spec = plans.spec_of(version)
        result = cycles.start(session, version=version, year=2027, now=at(2027, 1, 4),
                              actor=Actor("system:test", Role.SYSTEM), calendar=CALENDAR)
    communes = [a.code for a in spec.agencies if a.kind.value == "commune"]
    rows = assignments(engine)
    assert result.assignments == len(rows) > len(spec.steps)
    for step in spec.steps:
        mine = [a for a in rows if a.step_id == step.id]
        if step.fan_out:
            assert {a.lead_code for a in mine} == set(communes), step.id
        else:
            assert {a.lead_code for a in mine} == {step.lead}, step.id
    assert all(a.due_current is not None for a in rows if a.status == "open")
