"""The walkthrough of the issue: an office step and a commune step through every transition.

PLAN (office NN, reviewed): refused moves, start, progress, due soon, an extension refused and one
approved, submit, reject with reason, resubmit, approve → done on time; that opens EVAL in every
commune with its due date counted from the approval. EVAL: XA-A done on time (stars derived),
XA-B reassigned to NN and done late, XA-C cancelled → REPORT opens. MARKET Q1 is cancelled. The
board shows the official status at each ``now``, and the audit chain verifies at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.calendar import local_date
from agencyflow.errors import PermissionDenied, TransitionError, ValidationError
from agencyflow.services.assignments import contributions, extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from agencyflow.services.board import listing as board
from tests.factories import CALENDAR, at
from tests.lifecycle_plan import (
    COORDINATOR,
    KTHT_OFFICER,
    LEADER,
    NN_OFFICER,
    assignment_id,
    commune_officer,
    get,
    setup_cycle,
)


def act(engine: Engine, use_case: Callable[..., Any], **kwargs: Any) -> Any:
    """Run one use case in its own transaction."""
    with session_scope(engine) as session:
        return use_case(session, **kwargs)


def statuses(engine: Engine, cycle_id: int, day: date) -> dict[tuple[str, str, str], str]:
    """(step, member, period) → board status on ``day``."""
    flt = board.BoardFilter(cycle_id=cycle_id, late_against="current")
    with Session(engine) as session:
        rows = board.board(session, flt, today=day, calendar=CALENDAR).rows
    return {(r["step_id"], r["member"], r["period"]): r["board_status"] for r in rows}


def test_office_and_commune_steps_through_every_transition(engine: Engine) -> None:
    cycle = setup_cycle(engine)
    plan_id = assignment_id(engine, "PLAN")
    _plan_step(engine, cycle.id or 0, plan_id)
    evals = {m: assignment_id(engine, "EVAL", m) for m in ("XA-A", "XA-B", "XA-C")}
    _commune_step(engine, cycle.id or 0, evals)
    _report_and_market(engine, cycle.id or 0)
    with Session(engine) as session:
        assert audit.verify(session) > 20
        history = assignments.show(session, plan_id, LEADER, now=at(2027, 5, 3),
                                   calendar=CALENDAR)["history"]
    assert [h["action"] for h in history] == [
        "assignment.start", "assignment.progress", "assignment.extend", "assignment.decide",
        "assignment.extend", "assignment.decide", "assignment.submit", "assignment.reject",
        "assignment.submit", "assignment.approve"]


def _plan_step(engine: Engine, cycle_id: int, plan_id: int) -> None:
    assert statuses(engine, cycle_id, date(2027, 2, 1))[("PLAN", "", "2027")] == "in_progress"
    assert statuses(engine, cycle_id, date(2027, 2, 1))[("EVAL", "XA-A", "2027")] == "waiting"
    with pytest.raises(TransitionError, match=r"assignment \d+ \(PLAN NN\) needs the coordin"):
        act(engine, assignments.complete, assignment_id=plan_id, actor=NN_OFFICER,
            now=at(2027, 2, 1), calendar=CALENDAR)
    with pytest.raises(TransitionError, match=r"is open: cannot approve"):
        act(engine, assignments.approve, assignment_id=plan_id, actor=COORDINATOR,
            now=at(2027, 2, 1), calendar=CALENDAR)
    with pytest.raises(PermissionDenied, match="can.bo.xa-a .*may not start an assignment"):
        act(engine, assignments.start, assignment_id=plan_id, actor=commune_officer("XA-A"),
            now=at(2027, 2, 1))
    act(engine, assignments.start, assignment_id=plan_id, actor=NN_OFFICER, now=at(2027, 2, 1))
    with pytest.raises(TransitionError, match="is in progress: cannot start"):
        act(engine, assignments.start, assignment_id=plan_id, actor=NN_OFFICER,
            now=at(2027, 2, 2))
    act(engine, assignments.progress, assignment_id=plan_id, actor=NN_OFFICER,
        now=at(2027, 3, 1), note="Đã họp các xã", figures={"budget": "120"})
    assert get(engine, plan_id).outputs == {"budget": 120}
    assert statuses(engine, cycle_id, date(2027, 3, 10))[("PLAN", "", "2027")] == "due_soon"
    _extensions(engine, plan_id)
    # late is measured against the approved date: on 16/3 it is not overdue
    assert statuses(engine, cycle_id, date(2027, 3, 16))[("PLAN", "", "2027")] == "in_progress"
    _review(engine, plan_id)


def _extensions(engine: Engine, plan_id: int) -> None:
    first = act(engine, extensions.request_extension, assignment_id=plan_id, actor=NN_OFFICER,
                now=at(2027, 3, 10), new_due=date(2027, 4, 30), reason="Chờ số liệu các xã")
    with pytest.raises(ValidationError, match="already has a pending extension request"):
        act(engine, extensions.request_extension, assignment_id=plan_id, actor=NN_OFFICER,
            now=at(2027, 3, 10), new_due=date(2027, 4, 1), reason="lần hai")
    with pytest.raises(PermissionDenied, match="may not decide an extension"):
        act(engine, extensions.decide_extension, extension_id=first.id, actor=NN_OFFICER,
            now=at(2027, 3, 11), approve=True)
    with pytest.raises(ValidationError, match="reason is required"):
        act(engine, extensions.decide_extension, extension_id=first.id, actor=COORDINATOR,
            now=at(2027, 3, 11), approve=False, reason=" ")
    refused = act(engine, extensions.decide_extension, extension_id=first.id,
                  actor=COORDINATOR, now=at(2027, 3, 11), approve=False,
                  reason="Quá dài, xin tối đa 2 tuần")
    assert refused.status == "refused"
    assert get(engine, plan_id).due_current == date(2027, 3, 15)
    second = act(engine, extensions.request_extension, assignment_id=plan_id, actor=NN_OFFICER,
                 now=at(2027, 3, 12), new_due=date(2027, 3, 26), reason="Xin thêm 2 tuần")
    approved = act(engine, extensions.decide_extension, extension_id=second.id, actor=LEADER,
                   now=at(2027, 3, 12), approve=True)
    row = get(engine, plan_id)
    assert (approved.status, row.due_original, row.due_current) == (
        "approved", date(2027, 3, 15), date(2027, 3, 26))
    assert row.next_notice_on == date(2027, 3, 12)
    with pytest.raises(TransitionError, match="is approved already"):
        act(engine, extensions.decide_extension, extension_id=second.id, actor=LEADER,
            now=at(2027, 3, 12), approve=False, reason="đổi ý")


def _review(engine: Engine, plan_id: int) -> None:
    outputs = {"plan_document": "https://kimthanh.gov.vn/kh-ocop-2027.pdf"}
    act(engine, assignments.submit, assignment_id=plan_id, actor=NN_OFFICER,
        now=at(2027, 3, 17), calendar=CALENDAR, outputs=outputs)
    with pytest.raises(ValidationError, match="reason is required"):
        act(engine, assignments.reject, assignment_id=plan_id, actor=COORDINATOR,
            now=at(2027, 3, 18), reason="")
    with pytest.raises(PermissionDenied):
        act(engine, assignments.approve, assignment_id=plan_id, actor=NN_OFFICER,
            now=at(2027, 3, 18), calendar=CALENDAR)
    act(engine, assignments.reject, assignment_id=plan_id, actor=COORDINATOR,
        now=at(2027, 3, 18), reason="Thiếu dự toán chi tiết")
    row = get(engine, plan_id)
    assert (row.status, row.submitted_at) == ("in_progress", None)
    act(engine, assignments.submit, assignment_id=plan_id, actor=NN_OFFICER,
        now=at(2027, 3, 22), calendar=CALENDAR, outputs={"budget": 150})
    act(engine, assignments.approve, assignment_id=plan_id, actor=COORDINATOR,
        now=at(2027, 3, 24), calendar=CALENDAR)
    row = get(engine, plan_id)
    assert row.status == "done" and row.completed_on == date(2027, 3, 24)
    assert row.completed_by == COORDINATOR.username
    assert row.outputs == {"budget": 150, "plan_document": outputs["plan_document"]}


def _commune_step(engine: Engine, cycle_id: int, evals: dict[str, int]) -> None:
    due = CALENDAR.add_working_days(date(2027, 3, 24), 10)
    for ident in evals.values():
        row = get(engine, ident)
        assert (row.status, row.opened_on, row.due_original, row.due_current) == (
            "open", date(2027, 3, 24), due, due)
    board_then = statuses(engine, cycle_id, date(2027, 3, 25))
    assert board_then[("PLAN", "", "2027")] == "done_on_time"
    assert board_then[("EVAL", "XA-A", "2027")] == "in_progress"
    assert board_then[("REPORT", "", "2027")] == "waiting"
    _eval_xa_a(engine, evals["XA-A"])
    _eval_xa_b(engine, evals["XA-B"], due)
    assert get(engine, assignment_id(engine, "REPORT")).status == "waiting"
    with pytest.raises(PermissionDenied):
        act(engine, assignments.cancel, assignment_id=evals["XA-C"], actor=KTHT_OFFICER,
            now=at(2027, 4, 9), calendar=CALENDAR, reason="x")
    act(engine, assignments.cancel, assignment_id=evals["XA-C"], actor=COORDINATOR,
        now=at(2027, 4, 9), calendar=CALENDAR, reason="Xã C sáp nhập vào xã A")
    with pytest.raises(TransitionError, match="is cancelled: cannot start"):
        act(engine, assignments.start, assignment_id=evals["XA-C"], actor=COORDINATOR,
            now=at(2027, 4, 9))
    board_later = statuses(engine, cycle_id, date(2027, 4, 9))
    assert board_later[("EVAL", "XA-A", "2027")] == "done_on_time"
    assert board_later[("EVAL", "XA-B", "2027")] == "done_late"
    assert board_later[("EVAL", "XA-C", "2027")] == "cancelled"


def _eval_xa_a(engine: Engine, ident: int) -> None:
    officer = commune_officer("XA-A")
    act(engine, contributions.contribute, assignment_id=ident, actor=NN_OFFICER,
        now=at(2027, 3, 30), comment="Phòng NN đã hướng dẫn chấm điểm")
    typed_stars = [{"product": "Nước mắm", "producer": "HTX A", "score": 75, "stars": 4}]
    with pytest.raises(ValidationError, match="stars are derived from the score"):
        act(engine, assignments.complete, assignment_id=ident, actor=officer,
            now=at(2027, 3, 31), calendar=CALENDAR, outputs={"products": typed_stars})
    products = '[{"product": "Nước mắm", "producer": "HTX A", "score": "75"}]'
    act(engine, assignments.complete, assignment_id=ident, actor=officer, now=at(2027, 3, 31),
        calendar=CALENDAR, outputs={"products": products, "meeting_date": "30/03/2027"})
    row = get(engine, ident)
    assert row.outputs == {"meeting_date": "2027-03-30", "products": [
        {"product": "Nước mắm", "producer": "HTX A", "score": 75, "stars": 4}]}
    assert (row.status, row.completed_on, row.completed_by) == (
        "done", date(2027, 3, 31), officer.username)


def _eval_xa_b(engine: Engine, ident: int, due: date) -> None:
    with pytest.raises(ValidationError, match="not an agency of plan walk-ocop"):
        act(engine, extensions.reassign, assignment_id=ident, actor=COORDINATOR,
            now=at(2027, 4, 1), new_lead="XA-Z", reason="x")
    with pytest.raises(PermissionDenied, match="may not reassign an assignment"):
        act(engine, extensions.reassign, assignment_id=ident, actor=commune_officer("XA-B"),
            now=at(2027, 4, 1), new_lead="NN", reason="x")
    act(engine, extensions.reassign, assignment_id=ident, actor=COORDINATOR, now=at(2027, 4, 1),
        new_lead="NN", reason="Xã B thiếu cán bộ, phòng NN làm thay")
    row = get(engine, ident)
    assert (row.lead_code, row.member, row.cooperating) == ("NN", "XA-B", [])
    with pytest.raises(PermissionDenied):
        act(engine, assignments.start, assignment_id=ident, actor=commune_officer("XA-B"),
            now=at(2027, 4, 2))
    late = CALENDAR.add_working_days(due, 1)
    assert statuses(engine, row.cycle_id, late)[("EVAL", "XA-B", "2027")] == "overdue"
    products = [{"product": "Chè", "producer": "Hộ B", "score": 52}]
    act(engine, assignments.complete, assignment_id=ident, actor=NN_OFFICER,
        now=at(late.year, late.month, late.day), calendar=CALENDAR,
        outputs={"products": products})
    assert get(engine, ident).outputs["products"][0]["stars"] == 3


def _report_and_market(engine: Engine, cycle_id: int) -> None:
    report = get(engine, assignment_id(engine, "REPORT"))
    latest_eval = get(engine, assignment_id(engine, "EVAL", "XA-B")).completed_on
    assert latest_eval is not None
    assert (report.status, report.opened_on) == ("open", date(2027, 4, 9))
    assert report.due_current == CALENDAR.add_working_days(latest_eval, 5)
    assert report.next_notice_on == date(2027, 4, 9)
    assert statuses(engine, cycle_id, date(2027, 4, 9))[("REPORT", "", "2027")] == "in_progress"
    soon = CALENDAR.subtract_working_days(report.due_current, 1)
    assert statuses(engine, cycle_id, soon)[("REPORT", "", "2027")] == "due_soon"
    after_due = CALENDAR.add_working_days(report.due_current, 2)
    assert statuses(engine, cycle_id, after_due)[("REPORT", "", "2027")] == "overdue"
    act(engine, assignments.complete, assignment_id=report.id, actor=KTHT_OFFICER,
        now=at(after_due.year, after_due.month, after_due.day), calendar=CALENDAR)
    assert statuses(engine, cycle_id, after_due)[("REPORT", "", "2027")] == "done_late"
    q1 = assignment_id(engine, "MARKET", period="2027-Q1")
    act(engine, assignments.cancel, assignment_id=q1, actor=COORDINATOR, now=at(2027, 3, 1),
        calendar=CALENDAR, reason="Không thực hiện quý 1")
    with pytest.raises(TransitionError, match=r"is cancelled: cannot complete \(allowed: none"):
        act(engine, assignments.complete, assignment_id=q1, actor=COORDINATOR,
            now=at(2027, 3, 2), calendar=CALENDAR)
    counts = _counts(engine, cycle_id, date(2027, 5, 3))
    assert counts["NN"] == {"done_on_time": 1, "done_late": 1}
    assert counts["KTHT"]["cancelled"] == 1 and counts["KTHT"]["done_late"] == 1
    assert local_date(at(2027, 5, 3)) == date(2027, 5, 3)


def _counts(engine: Engine, cycle_id: int, day: date) -> dict[str, dict[str, int]]:
    with Session(engine) as session:
        return board.counts(session, board.BoardFilter(cycle_id=cycle_id), today=day,
                            calendar=CALENDAR)
