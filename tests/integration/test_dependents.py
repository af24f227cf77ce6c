"""Opening dependents: the member rule, ``once`` steps across cycles, cancellations, races,
and the reminder hooks on extension approval and reassignment."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.errors import PermissionDenied
from agencyflow.models import AuditEvent, Notification
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.audit import trail as audit
from tests.factories import CALENDAR, at, start_cycle, store_plan
from tests.lifecycle_plan import (
    COORDINATOR,
    KTHT_OFFICER,
    NN_OFFICER,
    assignment_id,
    get,
    setup_cycle,
)

DEPS_PLAN = """\
format: 1
plan:
  key: deps
  title: {vi: "Kế hoạch phụ thuộc"}
  authority: {vi: "UBND huyện"}
  document: {number: "1/KH", date: 2026-12-01}
  period: {from_year: 2027, to_year: 2028}
  leader: UBND
  coordinator: NN
agencies:
  - {code: UBND, name: {vi: "UBND"}, kind: leader}
  - {code: NN, name: {vi: "Phòng NN"}, kind: office}
  - {code: XA-A, name: {vi: "Xã A"}, kind: commune}
  - {code: XA-B, name: {vi: "Xã B"}, kind: commune}
groups:
  communes: {name: {vi: "Các xã"}, members: [XA-A, XA-B]}
steps:
  - {id: SETUP, clauses: [c1], title: {vi: "Thành lập tổ"}, lead: NN, recurrence: once,
     deadline: {kind: after_cycle_start, working_days: 20}}
  - {id: YEARLY, clauses: [c2], title: {vi: "Việc hằng năm"}, lead: NN, depends_on: [SETUP],
     deadline: {kind: after_step, step: SETUP, working_days: 5}}
  - {id: SURVEY, clauses: [c3], title: {vi: "Khảo sát"}, fan_out: communes,
     deadline: {kind: after_cycle_start, working_days: 30}}
  - {id: FOLLOW, clauses: [c4], title: {vi: "Theo dõi"}, fan_out: communes,
     depends_on: [SURVEY], deadline: {kind: after_step, step: SURVEY, working_days: 5}}
  - {id: SUM, clauses: [c5], title: {vi: "Tổng hợp"}, lead: NN, depends_on: [SURVEY],
     deadline: {kind: fixed_date, month: 12, day: 15}}
"""
SYSTEM = Actor("system:test", Role.SYSTEM)


def _complete(engine: Engine, ident: int, day: date) -> None:
    with session_scope(engine) as session:
        assignments.complete(session, assignment_id=ident, actor=SYSTEM,
                             now=at(day.year, day.month, day.day), calendar=CALENDAR)


def test_fan_out_after_fan_out_waits_for_the_same_member_only(engine: Engine) -> None:
    start_cycle(engine, store_plan(engine, text=DEPS_PLAN), 2027)
    _complete(engine, assignment_id(engine, "SURVEY", "XA-A"), date(2027, 2, 1))
    follow_a, follow_b = (get(engine, assignment_id(engine, "FOLLOW", m)) for m in ("XA-A",
                                                                                     "XA-B"))
    assert (follow_a.status, follow_a.opened_on) == ("open", date(2027, 2, 1))
    assert follow_a.due_current == CALENDAR.add_working_days(date(2027, 2, 1), 5)
    assert follow_b.status == "waiting"
    total = get(engine, assignment_id(engine, "SUM"))
    assert total.status == "waiting"  # SUM does not fan out: it waits for every commune
    _complete(engine, assignment_id(engine, "SURVEY", "XA-B"), date(2027, 2, 3))
    total = get(engine, assignment_id(engine, "SUM"))
    assert (total.status, total.due_current, total.next_notice_on) == (
        "open", date(2027, 12, 15), date(2027, 2, 3))
    with Session(engine) as session:
        opened = session.execute(select(AuditEvent).where(
            AuditEvent.action == "assignment.open",
            AuditEvent.target_id == str(total.id))).scalar_one()
        assert opened.actor == SYSTEM.username and "SURVEY XA-B" in (opened.reason or "")
        assert audit.verify(session) > 0


def _cancel(engine: Engine, ident: int, day: date) -> None:
    with session_scope(engine) as session:
        assignments.cancel(session, assignment_id=ident, actor=COORDINATOR,
                           now=at(day.year, day.month, day.day), calendar=CALENDAR, reason="bỏ")


def _opened(engine: Engine, ident: int) -> list[str | None]:
    """The reasons of the ``assignment.open`` events of ``ident``."""
    with Session(engine) as session:
        return [e.reason for e in session.execute(select(AuditEvent).where(
            AuditEvent.action == "assignment.open",
            AuditEvent.target_id == str(ident))).scalars()]


def test_all_prerequisites_cancelled_keeps_dependents_waiting(engine: Engine) -> None:
    version = store_plan(engine, text=DEPS_PLAN)
    start_cycle(engine, version, 2027)
    surveys = [assignment_id(engine, "SURVEY", m) for m in ("XA-A", "XA-B")]
    total = assignment_id(engine, "SUM")
    for ident in surveys:
        _cancel(engine, ident, date(2027, 2, 1))
    assert [get(engine, ident).status for ident in surveys] == ["cancelled", "cancelled"]
    row = get(engine, total)
    assert (row.status, row.opened_on, row.next_notice_on) == ("waiting", None, None)
    assert _opened(engine, total) == []
    # Against that: one cancelled and one done is finished, and SUM opens (the 2028 cycle).
    start_cycle(engine, version, 2028)
    _cancel(engine, assignment_id(engine, "SURVEY", "XA-A", year=2028), date(2028, 2, 1))
    assert get(engine, assignment_id(engine, "SUM", year=2028)).status == "waiting"
    _complete(engine, assignment_id(engine, "SURVEY", "XA-B", year=2028), date(2028, 2, 2))
    opened = get(engine, assignment_id(engine, "SUM", year=2028))
    assert (opened.status, opened.opened_on) == ("open", date(2028, 2, 2))
    assert len(_opened(engine, opened.id or 0)) == 1


def test_a_once_step_done_in_an_earlier_cycle_counts(engine: Engine) -> None:
    version = store_plan(engine, text=DEPS_PLAN)
    start_cycle(engine, version, 2027)
    _complete(engine, assignment_id(engine, "SETUP"), date(2027, 3, 1))
    assert get(engine, assignment_id(engine, "YEARLY")).status == "open"
    start_cycle(engine, version, 2028)
    assert assignment_id(engine, "SETUP", year=2028) == 0  # not repeated
    yearly = get(engine, assignment_id(engine, "YEARLY", year=2028))
    assert (yearly.status, yearly.opened_on) == ("open", date(2028, 1, 4))  # cycle started 4/1
    assert yearly.due_current == CALENDAR.add_working_days(date(2028, 1, 1), 5)


def test_a_once_step_finished_late_opens_the_next_cycle_too(engine: Engine) -> None:
    version = store_plan(engine, text=DEPS_PLAN)
    start_cycle(engine, version, 2027)
    start_cycle(engine, version, 2028)
    assert get(engine, assignment_id(engine, "YEARLY", year=2028)).status == "waiting"
    _complete(engine, assignment_id(engine, "SETUP"), date(2028, 1, 10))
    for year in (2027, 2028):
        row = get(engine, assignment_id(engine, "YEARLY", year=year))
        assert (row.status, row.opened_on) == ("open", date(2028, 1, 10))
        assert row.due_current == CALENDAR.add_working_days(date(2028, 1, 10), 5)


@pytest.mark.postgres
def test_two_communes_finishing_at_once_still_open_the_summary(pg_engine: Engine) -> None:
    start_cycle(pg_engine, store_plan(pg_engine, text=DEPS_PLAN), 2027)
    idents = [assignment_id(pg_engine, "SURVEY", m) for m in ("XA-A", "XA-B")]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(ident: int) -> None:
        barrier.wait()
        try:
            _complete(pg_engine, ident, date(2027, 2, 1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in idents]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert get(pg_engine, assignment_id(pg_engine, "SUM")).status == "open"


def _notice(engine: Engine, ident: int, kind: str, window: str, recipient: str,
            status: str = "pending") -> None:
    with session_scope(engine) as session:
        session.add(Notification(key=f"{ident}:{kind}:{window}", assignment_id=ident, kind=kind,
                                 window=window, recipient_code=recipient,
                                 tag=recipient.lower(), status=status))


def _notices(engine: Engine, ident: int) -> list[tuple[str, str, str, str]]:
    with Session(engine) as session:
        rows = session.execute(select(Notification).where(Notification.assignment_id == ident)
                               .order_by(Notification.id)).scalars()
        return [(n.kind, n.status, n.recipient_code, n.tag) for n in rows]


def test_extension_approval_supersedes_deadline_notices(engine: Engine) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    _notice(engine, ident, "opened", "2027-01-04", "KTHT")
    _notice(engine, ident, "reminder", "before-5:2027-03-31", "KTHT")
    _notice(engine, ident, "due_today", "2027-03-31", "KTHT", status="sent")
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=ident, actor=KTHT_OFFICER,
                                           now=at(2027, 3, 20), new_due=date(2027, 4, 15),
                                           reason="Chờ số liệu")
    with session_scope(engine) as session:
        extensions.decide_extension(session, extension_id=ext.id or 0, actor=COORDINATOR,
                                    now=at(2027, 3, 22), approve=True)
    assert _notices(engine, ident) == [("opened", "pending", "KTHT", "ktht"),
                                       ("reminder", "superseded", "KTHT", "ktht"),
                                       ("due_today", "sent", "KTHT", "ktht"),
                                       ("extension_decided", "pending", "KTHT", "ktht")]
    assert get(engine, ident).next_notice_on == date(2027, 3, 22)


def test_reassignment_readdresses_undelivered_notices(engine: Engine) -> None:
    setup_cycle(engine)
    ident = assignment_id(engine, "MARKET", period="2027-Q1")
    _notice(engine, ident, "opened", "2027-01-04", "KTHT")
    _notice(engine, ident, "reminder", "before-5:2027-03-31", "KTHT", status="sent")
    with session_scope(engine) as session:
        extensions.reassign(session, assignment_id=ident, actor=COORDINATOR, now=at(2027, 2, 1),
                            new_lead="NN", reason="KTHT quá tải")
    assert _notices(engine, ident) == [("opened", "pending", "NN", "nn"),
                                       ("reminder", "sent", "KTHT", "ktht")]
    row = get(engine, ident)
    assert (row.lead_code, row.next_notice_on) == ("NN", date(2027, 2, 1))
    with pytest.raises(PermissionDenied, match="may not start an assignment"), \
            session_scope(engine) as session:
        assignments.start(session, assignment_id=ident, actor=KTHT_OFFICER, now=at(2027, 2, 2))
    with session_scope(engine) as session:
        assignments.start(session, assignment_id=ident, actor=NN_OFFICER, now=at(2027, 2, 2))
