"""Event notices written by the use cases: the lead hears how its extension request was decided,
the coordinator hears that an assignment was completed (plans: tests/reminder_world.py, where VP
coordinates, and tests/lifecycle_plan.py, where NN coordinates and leads the reviewed PLAN)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.errors import TransitionError
from agencyflow.models import Assignment
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.delivery import dispatch
from agencyflow.services.reminders import sweeps
from tests.factories import CALENDAR as LIFE_CALENDAR
from tests.factories import at
from tests.lifecycle_plan import COORDINATOR, KTHT_OFFICER, NN_OFFICER, assignment_id, setup_cycle
from tests.reminder_world import (
    ACTOR,
    CALENDAR,
    DECIDER,
    MODEL_ID,
    PLAN_ID,
    SURVEY_B,
    complete,
    extend,
    notifications,
    reassign,
    start,
    vn,
)

DECIDED = vn(2027, 2, 12, 10)


def _send(engine: Engine, notifier: RecordingNotifier, now=DECIDED) -> dispatch.DispatchResult:  # type: ignore[no-untyped-def]
    return dispatch.dispatch(engine, notifier, Renderer, now=now, worker_id="events")


def _refuse(engine: Engine, ident: int, reason: str) -> int:
    """The lead asks to move ``ident`` to 5/3/2027, the coordinator refuses; return the id."""
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=ident, actor=ACTOR,
                                           now=DECIDED, new_due=date(2027, 3, 5),
                                           reason="Thiếu số liệu")
        extensions.decide_extension(session, extension_id=ext.id or 0, actor=DECIDER,
                                    now=DECIDED, approve=False, reason=reason)
        return ext.id or 0


def test_an_approved_extension_tells_the_lead_its_new_date_once(engine: Engine) -> None:
    start(engine)
    extend(engine, SURVEY_B, date(2027, 3, 5), DECIDED)
    [row] = notifications(engine)
    assert (row["key"], row["kind"], row["recipient_code"], row["tag"], row["digest"]) == (
        f"a{SURVEY_B}:extension_decided:1", "extension_decided", "XA-B", "xa-b", False)
    assert row["context"]["decision"] == "approved"
    assert row["context"]["assignment"]["due"] == "2027-03-05"
    notifier = RecordingNotifier()
    assert _send(engine, notifier).sent == 1
    [(tag, message)] = notifier.sent
    assert tag == "xa-b"
    assert message.subject.startswith("[Chấp thuận gia hạn] Khảo sát sản phẩm")
    assert "05/03/2027" in message.subject and "Hạn hoàn thành mới: 05/03/2027" in message.text
    assert "Kính gửi: Xã Bình" in message.text
    assert _send(engine, notifier, now=DECIDED + timedelta(hours=1)).claimed == 0
    assert len(notifier.sent) == 1


def test_a_refusal_tells_the_lead_why_and_cannot_be_decided_again(engine: Engine) -> None:
    start(engine)
    ext_id = _refuse(engine, SURVEY_B, "Không có căn cứ gia hạn")
    with pytest.raises(TransitionError), session_scope(engine) as session:
        extensions.decide_extension(session, extension_id=ext_id, actor=DECIDER,
                                    now=DECIDED, approve=True)
    [row] = notifications(engine)
    assert row["context"] | {"assignment": None, "plan": None} == {
        "assignment": None, "plan": None, "recipient_name": "Xã Bình", "level": 0,
        "decision": "refused", "new_due": None, "reason": "Không có căn cứ gia hạn"}
    notifier = RecordingNotifier()
    _send(engine, notifier)
    [(tag, message)] = notifier.sent
    assert tag == "xa-b" and message.subject.startswith("[Không chấp thuận gia hạn]")
    assert "Lý do: Không có căn cứ gia hạn" in message.text
    assert "giữ nguyên: 19/02/2027" in message.text


def test_a_completion_tells_the_coordinator_once(engine: Engine) -> None:
    start(engine)
    complete(engine, PLAN_ID, vn(2027, 1, 27, 10))
    [row] = notifications(engine)
    assert (row["key"], row["recipient_code"], row["tag"], row["digest"]) == (
        f"a{PLAN_ID}:completed:VP", "VP", "vp", False)
    assert row["context"]["assignment"]["status"] == "done"
    notifier = RecordingNotifier()
    assert _send(engine, notifier, now=vn(2027, 1, 28)).sent == 1
    [(tag, message)] = notifier.sent
    assert tag == "vp" and message.subject.startswith("[Đã hoàn thành] Xây dựng kế hoạch năm")
    assert "Phòng Nông nghiệp đã báo cáo hoàn thành" in message.text
    sweeps.sweep(engine, now=vn(2027, 1, 29), calendar=CALENDAR)  # the other assignments
    assert _send(engine, notifier, now=vn(2027, 1, 29)).sent > 0
    assert [tag for tag, _ in notifier.sent].count("vp") == 1  # rerun: no second completion
    assert len(notifications(engine, "kind = 'completed'")) == 1


def test_event_notices_are_written_in_the_sites_language(engine: Engine) -> None:
    start(engine)
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=SURVEY_B, actor=ACTOR,
                                           now=DECIDED, new_due=date(2027, 3, 5), reason="x")
        extensions.decide_extension(session, extension_id=ext.id or 0, actor=DECIDER,
                                    now=DECIDED, approve=True, lang="en")
    notifier = RecordingNotifier()
    _send(engine, notifier)
    [(_, message)] = notifier.sent
    assert "has been approved. New due date: 05/03/2027" in message.text


def test_the_coordinator_is_not_told_of_its_own_completion(engine: Engine) -> None:
    start(engine)
    reassign(engine, MODEL_ID, "VP", vn(2027, 1, 18, 10))
    complete(engine, MODEL_ID, vn(2027, 1, 19, 10))
    assert notifications(engine, "kind = 'completed'") == []
    with Session(engine) as session:  # it was completed, by the coordinator as lead
        model = session.get(Assignment, MODEL_ID)
        assert model is not None and (model.status, model.lead_code) == ("done", "VP")
    complete(engine, PLAN_ID, vn(2027, 1, 19, 11))  # NN leads PLAN: the coordinator is told
    assert [(n["assignment_id"], n["recipient_code"])
            for n in notifications(engine, "kind = 'completed'")] == [(PLAN_ID, "VP")]


def test_an_approved_submission_tells_the_coordinator_unless_it_leads(engine: Engine) -> None:
    setup_cycle(engine)
    plan = assignment_id(engine, "PLAN")
    with session_scope(engine) as session:  # NN coordinates and leads PLAN: no notice
        assignments.submit(session, assignment_id=plan, actor=NN_OFFICER, now=at(2027, 3, 1),
                           calendar=LIFE_CALENDAR,
                           outputs={"plan_document": "https://x.gov.vn/kh.pdf", "budget": 120})
        assignments.approve(session, assignment_id=plan, actor=COORDINATOR, now=at(2027, 3, 2),
                            calendar=LIFE_CALENDAR)
    assert notifications(engine, "kind = 'completed'") == []
    market = assignment_id(engine, "MARKET", period="2027-Q1")
    with session_scope(engine) as session:  # KTHT completes: NN is told
        assignments.complete(session, assignment_id=market, actor=KTHT_OFFICER,
                             now=at(2027, 3, 3), calendar=LIFE_CALENDAR)
    [row] = notifications(engine, "kind = 'completed'")
    assert (row["assignment_id"], row["recipient_code"]) == (market, "NN")


def test_the_done_rule_supersedes_a_pending_reminder_not_the_completion(engine: Engine) -> None:
    start(engine)
    sweeps.sweep(engine, now=vn(2027, 1, 18), calendar=CALENDAR)
    complete(engine, PLAN_ID, vn(2027, 1, 18, 10))  # before the opening notice went out
    extend(engine, SURVEY_B, date(2027, 3, 5), vn(2027, 1, 18, 11))
    complete(engine, SURVEY_B, vn(2027, 1, 18, 12))  # done before its decision went out
    notifier = RecordingNotifier()
    _send(engine, notifier, now=vn(2027, 1, 18, 13))
    rows = {(r["assignment_id"], r["kind"]): r["status"] for r in notifications(
        engine, f"assignment_id IN ({PLAN_ID}, {SURVEY_B})")}
    assert rows == {(PLAN_ID, "opened"): "superseded", (PLAN_ID, "completed"): "sent",
                    (SURVEY_B, "opened"): "superseded",
                    (SURVEY_B, "extension_decided"): "sent",
                    (SURVEY_B, "completed"): "sent"}
