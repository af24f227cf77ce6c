"""Prefect tasks of the ``start_cycle`` flow: create the cycle once, then one task per plan step."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.services import cycles, delivery
from agencyflow.tasks.retries import worth_retrying


@task(name="create-cycle", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5,
      retry_condition_fn=worth_retrying)
def create_cycle(plan: str, year: int, now: datetime, start_date: date | None = None,
                 database_url: str | None = None, actor: str = "system:prefect"
                 ) -> dict[str, Any]:
    """Start the cycle in one transaction (or find it when it exists): idempotent."""
    settings = delivery.settings_for(database_url)
    with session_scope(delivery.engine(settings)) as session:
        cycle_id, created, steps = cycles.start_or_find(
            session, plan=plan, year=year, now=now, actor=Actor(actor, Role.SYSTEM),
            calendar=delivery.calendar(settings), start_date=start_date)
    return {"cycle_id": cycle_id, "created": created,
            "steps": [{"step_id": s.step_id, "lead": s.lead, "agencies": list(s.agencies),
                       "label": s.label()} for s in steps]}


@task(name="start-cycle-step", cache_policy=NO_CACHE)
def start_cycle_step(cycle_id: int, step_id: str, lead: str,
                     database_url: str | None = None) -> dict[str, Any]:
    """One plan step of a started cycle: its assignments per state and due dates."""
    settings = delivery.settings_for(database_url)
    with session_scope(delivery.engine(settings)) as session:
        return {"lead": lead, **cycles.step_summary(session, cycle_id, step_id)}


def step_task(step: dict[str, Any]) -> Any:
    """``start_cycle_step`` named by the step id, lead agency and deadline, tagged with the
    agencies it concerns."""
    tags = [f"agency:{code}" for code in step["agencies"]] + [f"step:{step['step_id']}"]
    return start_cycle_step.with_options(name=f"step {step['step_id']} · {step['lead']}",
                                         task_run_name=step["label"], tags=tags)
