"""A small plan across Tết 2027 and helpers shared by the reminder tests.

Agencies: the leader (LANH-DAO), the coordinator's office (VP), one office (NN) and a communes
group of two communes — XA-A in digest mode (the default for communes), XA-B not. Assignments,
in id order once :func:`start` ran (cycle start Mon 18/01/2027):

==  =======  =====  ==========  ==================================
id  step     lead   due         notes
==  =======  =====  ==========  ==================================
1   PLAN     NN     29/01/2027
2   SURVEY   XA-A   19/02/2027  fan-out over the communes
3   SURVEY   XA-B   19/02/2027
4   REPORT   XA-A   26/02/2027
5   REPORT   XA-B   26/02/2027
6   MODEL    NN     12/02/2027  the Friday after Tết (Thu 4/2 – Wed 10/2 off)
==  =======  =====  ==========  ==================================

Reminders: opened, 5 and 2 working days before, due today, overdue every 3 working days;
escalation to the leader after 3 working days overdue (level 1), to the coordinator after 6
(level 2).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import Engine, select, text
from sqlmodel import Session

from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE, default_calendar
from agencyflow.domain.permissions import Actor, Role
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.models import Notification
from agencyflow.models.types import dumps
from agencyflow.services import cycles
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.plans import store as plans
from agencyflow.services.reminders import sweeps
from agencyflow.services.reminders.notice_context import RenderContexts

ACTOR = Actor("system:test", Role.SYSTEM)
#: Who decides what ACTOR asked for (four eyes: nobody decides their own request).
DECIDER = Actor("dieu.phoi", Role.COORDINATOR, "NN")
CALENDAR = default_calendar()

PLAN = """\
format: 1
plan:
  key: tet-ocop
  title: {vi: "Kế hoạch thử nghiệm qua Tết", en: "Test plan across Tet"}
  authority: {vi: "UBND huyện Thử", en: "Thu District People's Committee"}
  document: {number: "7/KH-UBND", date: 2027-01-04}
  period: {from_year: 2027, to_year: 2027}
  leader: LANH-DAO
  coordinator: VP
agencies:
  - {code: LANH-DAO, name: {vi: "Đồng chí Phó Chủ tịch UBND huyện"}, kind: leader}
  - {code: VP, name: {vi: "Văn phòng HĐND và UBND huyện"}, kind: office}
  - {code: NN, name: {vi: "Phòng Nông nghiệp", en: "Agriculture Office"}, kind: office}
  - {code: XA-A, name: {vi: "Xã An"}, kind: commune}
  - {code: XA-B, name: {vi: "Xã Bình"}, kind: commune, digest: false}
groups:
  communes:
    name: {vi: "Các xã"}
    members: [XA-A, XA-B]
steps:
  - id: PLAN
    clauses: ["Mục II.1"]
    title: {vi: "Xây dựng kế hoạch năm"}
    lead: NN
    deadline: {kind: fixed_date, month: 1, day: 29}
  - id: SURVEY
    clauses: ["Mục II.2"]
    title: {vi: "Khảo sát sản phẩm"}
    fan_out: communes
    cooperating: [NN]
    deadline: {kind: fixed_date, month: 2, day: 19}
  - id: REPORT
    clauses: ["Mục II.3"]
    title: {vi: "Báo cáo kết quả"}
    fan_out: communes
    deadline: {kind: fixed_date, month: 2, day: 26}
  - id: MODEL
    clauses: ["Mục II.4"]
    title: {vi: "Xây dựng mô hình điểm"}
    lead: NN
    deadline: {kind: fixed_date, month: 2, day: 12}
defaults:
  reminders:
    before: [5, 2]
    on_due: true
    overdue_every: 3
    escalations:
      - {after: 3, to: leader, level: 1}
      - {after: 6, to: coordinator, level: 2}
  office_hours: {start: "07:30", end: "17:00"}
"""

PLAN_ID, SURVEY_A, SURVEY_B, REPORT_A, REPORT_B, MODEL_ID = 1, 2, 3, 4, 5, 6


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in Vietnam time."""
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE)


def start(engine: Engine, *, year: int = 2027, start_date: date = date(2027, 1, 18)) -> int:
    """Load the plan and start its cycle; return the cycle id."""
    now = vn(2027, 1, 15)
    with session_scope(engine) as session:
        version, _ = plans.store(session, load_plan_text(PLAN, "tet.yaml"), now=now,
                                 actor=ACTOR)
        started = cycles.start(session, version=version, year=year, now=now, actor=ACTOR,
                               calendar=CALENDAR, start_date=start_date)
    return started.cycle.id or 0


def complete(engine: Engine, assignment_id: int, now: datetime) -> None:
    """The lead completes the assignment at ``now``."""
    with session_scope(engine) as session:
        assignments.complete(session, assignment_id=assignment_id, actor=ACTOR, now=now,
                             calendar=CALENDAR)


def extend(engine: Engine, assignment_id: int, new_due: date, now: datetime) -> None:
    """The lead asks for ``new_due`` and the coordinator approves, at ``now``."""
    with session_scope(engine) as session:
        ext = extensions.request_extension(session, assignment_id=assignment_id, actor=ACTOR,
                                           now=now, new_due=new_due, reason="Thiếu số liệu")
        extensions.decide_extension(session, extension_id=ext.id or 0, actor=DECIDER, now=now,
                                    approve=True)


def reassign(engine: Engine, assignment_id: int, new_lead: str, now: datetime) -> None:
    """The coordinator hands the assignment to ``new_lead`` at ``now``."""
    with session_scope(engine) as session:
        extensions.reassign(session, assignment_id=assignment_id, actor=ACTOR, now=now,
                            new_lead=new_lead, reason="Điều chỉnh phân công")


def notifications(engine: Engine, where: str = "1=1") -> list[dict]:
    """Outbox rows (as dicts with typed values: aware datetimes, decoded JSON), by id."""
    with Session(engine) as session:
        stmt = select(Notification).where(text(where)).order_by(Notification.id)
        return [n.model_dump() for n in session.execute(stmt).scalars()]


def render_context(engine: Engine, key: str) -> dict | None:
    """The context the dispatcher renders the notification ``key`` with (dates as ISO text)."""
    with engine.connect() as conn:
        [row] = [r for r in notifications(engine) if r["key"] == key]
        [context] = RenderContexts().of(conn, [row])
    return None if context is None else json.loads(dumps(context))


def queue_opened(engine: Engine, copies: int = 0) -> int:
    """Start the cycle, queue its six opening notices, and ``copies`` more notices for NN
    (copies of the PLAN assignment's own, with their own keys); return how many are queued."""
    start(engine)
    assert sweeps.sweep(engine, now=vn(2027, 1, 18), calendar=CALENDAR).written == 6
    if copies:
        with engine.begin() as conn:
            source = conn.execute(text(
                "SELECT id FROM notification WHERE recipient_code = 'NN' AND assignment_id = 1"
            )).scalar_one()
            conn.execute(text(
                "INSERT INTO notification (key, assignment_id, cycle_id, kind, \"window\", "
                "scheduled_on, recipient_code, tag, level, days_left, lang, digest, status, "
                "attempts, created_at, next_attempt_at) "
                "SELECT n.key || '-copy-' || CAST(c.i AS VARCHAR), n.assignment_id, n.cycle_id, "
                "n.kind, n.\"window\", "
                "n.scheduled_on, n.recipient_code, n.tag, n.level, n.days_left, n.lang, n.digest, "
                "n.status, n.attempts, n.created_at, n.next_attempt_at "
                "FROM notification n CROSS JOIN (SELECT CAST(:one AS INTEGER) AS i) c "
                "WHERE n.id = :source"), [{"one": i, "source": source} for i in range(copies)])
    return 6 + copies
