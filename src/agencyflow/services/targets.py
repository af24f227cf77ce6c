"""The plan's targets measured from what agencies reported (see :mod:`agencyflow.domain.targets`).

Reads the ``done`` assignments of the plan's cycles — their outputs and their cycle's year — for the
steps the targets count, and evaluates them against the newest stored version of the plan. With a
``today`` in the past only assignments completed by then count, so ``--now`` shows the targets as
they stood on that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session, col

from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.domain.targets import CompletedOutputs, PeriodResult, evaluate, plan_stars
from agencyflow.models import Assignment, Cycle
from agencyflow.services import plans


@dataclass(frozen=True)
class TargetReport:
    """The plan the targets come from and one result per target period."""

    spec: PlanSpec
    plan_version: int
    results: list[PeriodResult]


def completed_outputs(session: Session, plan_key: str, step_ids: set[str], *, today: date
                      ) -> list[CompletedOutputs]:
    """Outputs of the done assignments of ``step_ids`` in the plan's cycles, completed by
    ``today``, with their cycle's year."""
    if not step_ids:
        return []
    stmt = (
        select(col(Cycle.year), col(Assignment.step_id), col(Assignment.outputs))
        .join(Cycle, col(Cycle.id) == Assignment.cycle_id)
        .where(col(Cycle.plan_key) == plan_key, col(Assignment.status) == Status.DONE.value,
               col(Assignment.step_id).in_(sorted(step_ids)),
               or_(col(Assignment.completed_on).is_(None), col(Assignment.completed_on) <= today))
        .order_by(col(Assignment.id))
    )
    return [CompletedOutputs(year, step_id, outputs or {})
            for year, step_id, outputs in session.execute(stmt)]


def report(session: Session, plan_key: str, *, today: date, actor: Actor,
           year: int | None = None) -> TargetReport:
    """Every target period of plan ``plan_key`` (only those covering ``year`` when given)."""
    require(actor, Action.READ, target=f"the targets of plan {plan_key}")
    version = plans.latest(session, plan_key)
    spec = plans.spec_of(version)
    steps = {s for t in spec.targets for s in t.indicator.steps}
    done = completed_outputs(session, plan_key, steps, today=today)
    results = evaluate(spec.targets, done, today=today, stars_of=plan_stars(spec), year=year)
    return TargetReport(spec, version.version, results)
