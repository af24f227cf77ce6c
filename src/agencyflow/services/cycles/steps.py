"""A started cycle seen step by step: what the ``start_cycle`` flow shows per plan step.

:func:`start_or_find` starts a cycle in one transaction
(``services.cycles.opening.start``) or, when it
was already started, finds it — so a rerun of the flow is harmless. :func:`step_summary` reads
what one step became (assignments, states, due dates) with one small GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.permissions import Action, Actor
from agencyflow.errors import CycleExists
from agencyflow.models import Assignment
from agencyflow.services.cycles import opening as cycles
from agencyflow.services.plans import store as plans

A = Assignment


@dataclass(frozen=True)
class StepInfo:
    """A plan step as the flow names it: id, lead (agency code or ``group:<name>``), tags."""

    step_id: str
    lead: str
    agencies: tuple[str, ...]
    first_due: date | None = None

    def label(self) -> str:
        """``NN-2 · NN · hạn 31/01/2027`` — the task run name in the Prefect UI."""
        due = f" · hạn {self.first_due:%d/%m/%Y}" if self.first_due else ""
        return f"{self.step_id} · {self.lead}{due}"


def start_or_find(session: Session, *, plan: str, year: int, now: datetime, actor: Actor,
                  calendar: DayCounter, start_date: date | None = None
                  ) -> tuple[int, bool, list[StepInfo]]:
    """Start (or find the already started) cycle; return (cycle id, created, steps in
    dependency order)."""
    version = plans.ensure_loaded(session, plan, now=now, actor=actor,
                                  purpose=Action.CYCLE_START)
    spec = plans.spec_of(version)
    try:
        started = cycles.start(session, version=version, year=year, now=now, actor=actor,
                               calendar=calendar, start_date=start_date)
        cycle_id, created = started.cycle.id or 0, True
    except CycleExists:  # raised before anything of the cycle is written
        cycle = cycles.find(session, spec.key, year)
        cycle_id, created = (cycle.id if cycle else 0) or 0, False
    dues = _first_dues(session, cycle_id)
    steps = [StepInfo(s.id, f"group:{s.fan_out}" if s.fan_out else s.lead or "",
                      tuple(spec.members(s.fan_out)) if s.fan_out else (s.lead or "",),
                      dues.get(s.id))
             for s in spec.steps_in_dependency_order()]
    return cycle_id, created, steps


def _first_dues(session: Session, cycle_id: int) -> dict[str, date]:
    stmt = (select(col(A.step_id), func.min(col(A.due_current)))
            .where(col(A.cycle_id) == cycle_id).group_by(col(A.step_id)))
    return {step: due for step, due in session.execute(stmt) if due is not None}


def step_summary(session: Session, cycle_id: int, step_id: str) -> dict[str, Any]:
    """Assignments of one step in a cycle: how many per state, and the due-date range."""
    stmt = (select(col(A.status), func.count(), func.min(col(A.due_current)),
                   func.max(col(A.due_current)))
            .where(col(A.cycle_id) == cycle_id, col(A.step_id) == step_id)
            .group_by(col(A.status)))
    states: dict[str, int] = {}
    dues: list[date] = []
    for status, n, first, last in session.execute(stmt):
        states[status] = n
        dues += [d for d in (first, last) if d is not None]
    return {"step": step_id, "assignments": sum(states.values()), "states": states,
            "first_due": min(dues).isoformat() if dues else None,
            "last_due": max(dues).isoformat() if dues else None}
