"""``start_cycle``: create a yearly cycle, then one task per plan step so the Prefect UI shows
the plan's responsibilities (step id, lead agency, deadline) — the DB work stays one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow

from agencyflow.domain.calendar import TIMEZONE
from agencyflow.tasks.cycle_tasks import create_cycle, step_task


@flow(name="start-cycle", log_prints=False)
def start_cycle(plan: str, year: int, now: datetime | None = None,
                start_date: date | None = None, database_url: str | None = None,
                actor: str = "system:prefect") -> dict[str, Any]:
    """Start the cycle of ``year`` for ``plan`` (idempotent: a rerun finds the cycle)."""
    when = now or datetime.now(TIMEZONE)
    created = create_cycle(plan, year, when, start_date, database_url, actor)
    futures = [step_task(step).submit(created["cycle_id"], step["step_id"], step["lead"],
                                      database_url)
               for step in created["steps"]]
    steps = [future.result() for future in futures]
    return {"cycle_id": created["cycle_id"], "created": created["created"],
            "assignments": sum(s["assignments"] for s in steps), "steps": steps}
