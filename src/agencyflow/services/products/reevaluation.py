"""Opening a re-evaluation before a certificate expires (part of every reminder sweep).

A certificate whose expiry falls within the plan's ``registry.notice_days`` of today — and that
is the newest certificate of its product, and has no re-evaluation yet — gets one assignment of
the plan's ``registry.reevaluation_step`` (an ``on_demand`` step) in the plan's cycle running
today: led by the producer's commune, period ``SP-<product id>``, due the step's
``after_cycle_start`` working days after today, open today. Its ``opened`` notice is then
written to the outbox by the same sweep like every other notice (unique key: idempotent), so
the commune is told. The row's ``reevaluation_id`` records the assignment: a rerun opens
nothing, and the assignment's unique slot (cycle, step, period, member) stops two concurrent
sweeps from opening it twice. A certificate whose commune is not in the step's group, or whose
plan has no cycle running today, is left for a later sweep and counted as ``waiting``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from agencyflow.domain.calendar import local_date
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Actor, Role
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.models import Assignment, Cycle, Product
from agencyflow.services.audit import trail as audit
from agencyflow.services.plans import store as plans


class DayCounter(Protocol):
    """The working-day arithmetic a re-evaluation's due date needs."""

    def add_working_days(self, d: date, n: int) -> date: ...


#: Who opens re-evaluations (recorded as the actor of their audit events).
SWEEP = Actor("system:registry", Role.SYSTEM)


@dataclass
class Reevaluations:
    """What one pass opened (assignment ids) and how many certificates had to wait."""

    opened: list[int] = field(default_factory=list)
    waiting: int = 0


def open_due(session: Session, *, now: datetime, calendar: DayCounter,
             actor: Actor = SWEEP) -> Reevaluations:
    """Open the re-evaluations due today, for every plan with a registry (one flush and one
    audit append for all of a plan's)."""
    today, result = local_date(now), Reevaluations()
    keys = session.execute(select(col(Product.plan_key)).where(
        col(Product.reevaluation_id).is_(None), col(Product.expires_on).is_not(None)
    ).distinct()).scalars().all()
    for key in sorted(keys):
        spec = plans.spec_of(plans.latest(session, key))
        if spec.registry is None:
            continue
        cycle = _running_cycle(session, key, today)
        due = _due(session, key, today + timedelta(days=spec.registry.notice_days))
        made = [(row, a) for row in due
                if cycle is not None and (a := _new(spec, cycle, row, today, calendar))]
        result.waiting += len(due) - len(made)
        result.opened += _record(session, made, now=now, actor=actor)
    return result


def _running_cycle(session: Session, plan_key: str, today: date) -> Cycle | None:
    stmt = (select(Cycle).where(col(Cycle.plan_key) == plan_key, col(Cycle.start_date) <= today,
                                col(Cycle.end_date) >= today).order_by(col(Cycle.year).desc()))
    return session.execute(stmt).scalars().first()


def _due(session: Session, plan_key: str, cutoff: date) -> list[Product]:
    """Newest certificates of their product expiring by ``cutoff`` without a re-evaluation."""
    newer = aliased(Product)
    superseded = (select(func.count()).select_from(newer).where(
        col(newer.plan_key) == col(Product.plan_key),
        col(newer.product_key) == col(Product.product_key),
        col(newer.decision_date) > col(Product.decision_date)).scalar_subquery())
    stmt = (select(Product).where(
        col(Product.plan_key) == plan_key, col(Product.reevaluation_id).is_(None),
        col(Product.expires_on).is_not(None), col(Product.expires_on) <= cutoff,
        superseded == 0).order_by(col(Product.expires_on), col(Product.id)).with_for_update())
    return list(session.execute(stmt).scalars())


def _new(spec: PlanSpec, cycle: Cycle, row: Product, today: date,
         calendar: DayCounter) -> Assignment | None:
    """The re-evaluation of ``row``, open today; None when its commune cannot lead it."""
    assert spec.registry is not None
    step = spec.step(spec.registry.reevaluation_step)
    if row.commune not in spec.members(step.fan_out or ""):
        return None
    due = calendar.add_working_days(today, getattr(step.deadline, "working_days", 0))
    return Assignment(cycle_id=cycle.id or 0, plan_key=spec.key, year=cycle.year,
                      step_id=step.id, period=f"SP-{row.id}", member=row.commune,
                      lead_code=row.commune,
                      cooperating=[c for c in step.cooperating if c != row.commune],
                      clauses=list(step.clauses), title_vi=f"{step.title.vi}: {row.product}",
                      title_en=f"{step.title.en}: {row.product}" if step.title.en else None,
                      review=step.review, due_original=due, due_current=due, opened_on=today,
                      status=Status.OPEN.value, next_notice_on=today)


def _record(session: Session, made: list[tuple[Product, Assignment]], *, now: datetime,
            actor: Actor) -> list[int]:
    """Store the new assignments, link their products, append two audit events each."""
    session.add_all([a for _, a in made])
    session.flush()
    entries: list[audit.Entry] = []
    for row, a in made:
        row.reevaluation_id = a.id
        why = f"certificate of {row.product} ({row.producer}) expires on {row.expires_on}"
        entries += [
            audit.Entry(now, actor, "assignment.create", "assignment", a.id or 0, None,
                        {"step": a.step_id, "lead": a.lead_code, "due": a.due_current,
                         "product": row.id}, why, a.opened_on),
            audit.Entry(now, actor, "product.reevaluation", "product", row.id or 0, None,
                        {"assignment": a.id, "expires_on": row.expires_on}, why)]
    session.flush()
    audit.record_many(session, entries)
    return [a.id or 0 for _, a in made]
