"""A small plan for the assignment lifecycle tests, its actors, and row look-ups.

PLAN (office NN, reviewed) → EVAL (one per commune, 10 working days after PLAN) → REPORT (office
KTHT, 5 working days after every commune's EVAL). MARKET is quarterly and independent.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Assignment, Cycle
from tests.factories import start_cycle, store_plan

WALK_PLAN = """\
format: 1
plan:
  key: walk-ocop
  title: {vi: "Kế hoạch OCOP kiểm thử vòng đời", en: "Lifecycle test plan"}
  authority: {vi: "UBND huyện Thử"}
  document: {number: "9/KH-UBND", date: 2026-12-01}
  period: {from_year: 2027, to_year: 2028}
  leader: UBND-HUYEN
  coordinator: NN
  late_against: current
  rating:
    bands:
      - {min: 0, max: 29, stars: 1}
      - {min: 30, max: 49, stars: 2}
      - {min: 50, max: 69, stars: 3}
      - {min: 70, max: 89, stars: 4}
      - {min: 90, max: 100, stars: 5}
agencies:
  - {code: UBND-HUYEN, name: {vi: "UBND huyện"}, kind: leader}
  - {code: NN, name: {vi: "Phòng Nông nghiệp"}, kind: office}
  - {code: KTHT, name: {vi: "Phòng Kinh tế - Hạ tầng"}, kind: office}
  - {code: XA-A, name: {vi: "Xã A"}, kind: commune}
  - {code: XA-B, name: {vi: "Xã B"}, kind: commune}
  - {code: XA-C, name: {vi: "Xã C"}, kind: commune}
groups:
  communes:
    name: {vi: "Các xã"}
    members: [XA-A, XA-B, XA-C]
steps:
  - id: PLAN
    clauses: [NN-2]
    title: {vi: "Xây dựng kế hoạch năm", en: "Yearly plan"}
    lead: NN
    cooperating: [KTHT]
    review: true
    deadline: {kind: fixed_date, month: 3, day: 15}
    outputs:
      - {name: plan_document, label: {vi: "Văn bản kế hoạch"}, type: link}
      - {name: budget, label: {vi: "Kinh phí (triệu đồng)"}, type: number, min: 0}
  - id: EVAL
    clauses: [XA-4]
    title: {vi: "Đánh giá, phân hạng sản phẩm cấp xã"}
    fan_out: communes
    cooperating: [NN]
    depends_on: [PLAN]
    deadline: {kind: after_step, step: PLAN, working_days: 10}
    outputs:
      - name: products
        label: {vi: "Sản phẩm"}
        type: list
        fields:
          - {name: product, label: {vi: "Tên sản phẩm"}, type: text}
          - {name: producer, label: {vi: "Chủ thể"}, type: text}
          - {name: score, label: {vi: "Điểm"}, type: score}
      - {name: meeting_date, label: {vi: "Ngày họp"}, type: date, required: false}
  - id: REPORT
    clauses: [KTHT-3]
    title: {vi: "Báo cáo tổng hợp"}
    lead: KTHT
    depends_on: [EVAL]
    deadline: {kind: after_step, step: EVAL, working_days: 5}
  - id: MARKET
    clauses: [KTHT-4]
    title: {vi: "Thông tin thị trường"}
    lead: KTHT
    recurrence: quarterly
    deadline: {kind: quarter_end}
"""

COORDINATOR = Actor("dieu.phoi", Role.COORDINATOR, "NN")
LEADER = Actor("chu.tich", Role.LEADER, "UBND-HUYEN")
INSPECTOR = Actor("thanh.tra", Role.INSPECTOR)
NN_OFFICER = Actor("can.bo.nn", Role.OFFICER, "NN")
KTHT_OFFICER = Actor("can.bo.ktht", Role.OFFICER, "KTHT")


def commune_officer(code: str) -> Actor:
    """An officer of commune ``code`` (e.g. ``XA-A``)."""
    return Actor(f"can.bo.{code.lower()}", Role.OFFICER, code)


def setup_cycle(engine: Engine, year: int = 2027) -> Cycle:
    """Store the walk plan and start its cycle of ``year`` (from 4 January)."""
    version = store_plan(engine, text=WALK_PLAN)
    return start_cycle(engine, version, year)


def assignment_id(engine: Engine, step: str, member: str = "", period: str | None = None,
                  year: int = 2027) -> int:
    """The id of the assignment of ``step`` (and ``member`` / ``period``) in ``year``."""
    stmt = select(Assignment.id).where(Assignment.step_id == step, Assignment.member == member,
                                       Assignment.year == year)
    if period is not None:
        stmt = stmt.where(Assignment.period == period)
    with Session(engine) as session:
        return int(session.execute(stmt.order_by(Assignment.id)).scalars().first() or 0)


def get(engine: Engine, ident: int) -> Assignment:
    """A fresh copy of an assignment row."""
    with Session(engine) as session:
        row = session.get(Assignment, ident)
        assert row is not None
        return row
