"""The batched use cases (progress_many, complete_many): the same rules as the single-row use
cases, one audit event per row in order, and nothing written when one row is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import ConflictError, PermissionDenied, TransitionError
from agencyflow.models import AuditEvent, Notification
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from tests.factories import CALENDAR, at
from tests.lifecycle_plan import KTHT_OFFICER, NN_OFFICER, assignment_id, get, setup_cycle

QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3")


def markets(engine: Engine) -> list[int]:
    return [assignment_id(engine, "MARKET", period=q) for q in QUARTERS]


def trail(engine: Engine) -> list[tuple[str, str, dict | None]]:
    with Session(engine) as s:
        return [(e.action, e.target_id, e.after) for e in audit.log(s, limit=None)]


def event_count(engine: Engine) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def test_a_batch_writes_one_event_per_row_in_order(engine: Engine) -> None:
    setup_cycle(engine)
    ids = markets(engine)
    before = event_count(engine)
    with session_scope(engine) as s:
        rows = assignments.progress_many(s, [
            assignments.Report(i, note=f"Đã thu thập {n}") for n, i in enumerate(ids)],
            actor=KTHT_OFFICER, now=at(2027, 2, 1))
        assert [r.version for r in rows] == [2, 2, 2]
    events = trail(engine)[before:]
    assert [(a, t) for a, t, _ in events] == [("assignment.progress", str(i)) for i in ids]
    assert events[1][2] == {"status": "in_progress", "started_at": events[1][2]["started_at"],
                            "note": "Đã thu thập 1", "version": 2, "evidence": []}
    for n, i in enumerate(ids):
        row = get(engine, i)
        assert (row.status, row.note, row.version) == ("in_progress", f"Đã thu thập {n}", 2)
        assert row.recorded_at is not None
    with Session(engine) as s:
        assert audit.verify(s) == before + len(ids)


def test_a_single_use_case_is_a_batch_of_one(engine: Engine) -> None:
    """progress() and progress_many() write the same event for the same report."""
    setup_cycle(engine)
    first, second, _ = markets(engine)
    with session_scope(engine) as s:
        assignments.progress(s, assignment_id=first, actor=KTHT_OFFICER, now=at(2027, 2, 1),
                             note="Ghi chú")
    with session_scope(engine) as s:
        assignments.progress_many(s, [assignments.Report(second, note="Ghi chú")],
                                  actor=KTHT_OFFICER, now=at(2027, 2, 1))
    (_, _, one), (_, _, other) = trail(engine)[-2:]
    assert one == other


@pytest.mark.parametrize("refusal", ["permission", "version", "state"])
def test_one_refused_row_writes_nothing(engine: Engine, refusal: str) -> None:
    setup_cycle(engine)
    ids = markets(engine)
    plan = assignment_id(engine, "PLAN")
    reports = [assignments.Report(i, note="Tiến độ") for i in ids]
    expected: type[Exception] = PermissionDenied
    if refusal == "permission":  # the officer of KTHT may not report on NN's PLAN
        reports.append(assignments.Report(plan, note="Tiến độ"))
    elif refusal == "version":
        reports[2] = assignments.Report(ids[2], note="Tiến độ", expected_version=7)
        expected = ConflictError
    else:
        with session_scope(engine) as s:
            assignments.complete(s, assignment_id=ids[1], actor=KTHT_OFFICER,
                                 now=at(2027, 2, 1), calendar=CALENDAR)
        expected = TransitionError
    before = event_count(engine)
    with pytest.raises(expected) as caught, session_scope(engine) as s:
        assignments.progress_many(s, reports, actor=KTHT_OFFICER, now=at(2027, 2, 2))
    named = {"permission": plan, "version": ids[2], "state": ids[1]}[refusal]
    assert f"assignment {named} " in str(caught.value)
    assert event_count(engine) == before
    assert get(engine, ids[0]).note is None


def test_complete_many_tells_the_coordinator_submit_many_checks(engine: Engine) -> None:
    setup_cycle(engine)
    plan = assignment_id(engine, "PLAN")
    ids = markets(engine)
    with session_scope(engine) as s:
        done = assignments.complete_many(
            s, [assignments.Report(i, note="Xong") for i in ids[:2]], actor=KTHT_OFFICER,
            now=at(2027, 2, 3), calendar=CALENDAR)
    assert [d.status for d in done] == ["done", "done"]
    assert all(get(engine, i).completed_by == KTHT_OFFICER.username for i in ids[:2])
    with Session(engine) as s:
        told = s.execute(select(Notification.assignment_id, Notification.recipient_code)
                         .where(Notification.kind == "completed")).all()
    assert sorted(told) == [(i, "NN") for i in ids[:2]]
    with pytest.raises(PermissionDenied), session_scope(engine) as s:
        assignments.submit_many(s, [assignments.Report(plan)], actor=KTHT_OFFICER,
                                now=at(2027, 2, 3), calendar=CALENDAR)
    with session_scope(engine) as s:
        assignments.submit_many(s, [assignments.Report(plan, outputs={
            "plan_document": "https://kt.vn/kh", "budget": 3})], actor=NN_OFFICER,
            now=at(2027, 2, 3), calendar=CALENDAR)
    assert get(engine, plan).status == "submitted"
