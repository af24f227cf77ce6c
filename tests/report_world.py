"""A small world for the report, export, import and calendar tests: the walk plan with a target,
its users, and a 2027 cycle lived up to mid-April through the real use cases.

On 2027-04-15 (``TODAY``): PLAN done on time (approved 12/03, due 15/03); EVAL of XA-A done on
time with a 75-point product; EVAL of XA-B extended to 30/04 (approved) and in progress; EVAL of
XA-C overdue (due 26/03); MARKET Q1 done late (05/04, due 31/03); the rest in progress or
waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from agencyflow.db import session_scope
from agencyflow.services.assignments import extensions
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.people import users
from tests.factories import CALENDAR, SYSTEM, at, start_cycle, store_plan
from tests.lifecycle_plan import (
    COORDINATOR,
    KTHT_OFFICER,
    NN_OFFICER,
    WALK_PLAN,
    assignment_id,
    commune_officer,
)

TARGETS = """\
targets:
  - id: T-1
    title: {vi: "Sản phẩm 3–4 sao", en: "3–4 star products"}
    indicator: {steps: [EVAL], output: products, aggregate: count_distinct, field: product,
                where: {stars: [3, 4]}}
    periods:
      - {each_year: {from: 2027, to: 2028}, min: 2}
"""
PLAN_TEXT = WALK_PLAN + TARGETS
TODAY = date(2027, 4, 15)
PEOPLE = [("dieu.phoi", "coordinator", "NN"), ("chu.tich", "leader", "UBND-HUYEN"),
          ("can.bo.nn", "officer", "NN"), ("can.bo.ktht", "officer", "KTHT"),
          ("can.bo.xa-a", "officer", "XA-A"), ("can.bo.xa-b", "officer", "XA-B"),
          ("can.bo.xa-c", "officer", "XA-C")]


@dataclass(frozen=True)
class World:
    """The ids the tests look at."""

    cycle_id: int
    plan: int
    eval_a: int
    eval_b: int
    eval_c: int
    market_q1: int
    extension: int


def build(engine: Engine) -> World:
    """Load the plan, add the people, start 2027 and live it up to ``TODAY``."""
    version = store_plan(engine, text=PLAN_TEXT)
    cycle = start_cycle(engine, version, 2027)
    with session_scope(engine) as session:
        for name, role, agency in PEOPLE:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=SYSTEM)
    plan = assignment_id(engine, "PLAN")
    with session_scope(engine) as s:
        assignments.submit(s, assignment_id=plan, actor=NN_OFFICER, now=at(2027, 3, 10),
                           calendar=CALENDAR, outputs={"plan_document": "https://kt.vn/kh",
                                                       "budget": 12.5})
    with session_scope(engine) as s:
        assignments.approve(s, assignment_id=plan, actor=COORDINATOR, now=at(2027, 3, 12),
                            calendar=CALENDAR)
    a, b, c = (assignment_id(engine, "EVAL", m) for m in ("XA-A", "XA-B", "XA-C"))
    with session_scope(engine) as s:
        assignments.complete(s, assignment_id=a, actor=commune_officer("XA-A"),
                             now=at(2027, 3, 20), calendar=CALENDAR, outputs={"products": [
                                 {"product": "Chè xanh", "producer": "HTX A", "score": 75}]})
    with session_scope(engine) as s:
        ext = extensions.request_extension(s, assignment_id=b, actor=commune_officer("XA-B"),
                                           now=at(2027, 3, 22), new_due=date(2027, 4, 30),
                                           reason="Chờ kết quả kiểm nghiệm")
        extension = ext.id or 0
    with session_scope(engine) as s:
        extensions.decide_extension(s, extension_id=extension, actor=COORDINATOR,
                                    now=at(2027, 3, 23), approve=True, reason="Đồng ý")
    market = assignment_id(engine, "MARKET", period="2027-Q1")
    with session_scope(engine) as s:
        assignments.complete(s, assignment_id=market, actor=KTHT_OFFICER, now=at(2027, 4, 5),
                             calendar=CALENDAR)
    return World(cycle.id or 0, plan, a, b, c, market, extension)


__all__ = ["NN_OFFICER", "TODAY", "World", "build"]
