"""Prefect task of the ``monthly-report`` flow: render and queue one plan's monthly report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from agencyflow.db import session_scope
from agencyflow.services import delivery, reports
from agencyflow.tasks.retries import worth_retrying


@task(name="queue-monthly-report", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=30,
      retry_condition_fn=worth_retrying)
def queue_monthly_report(plan: str, now: datetime, database_url: str | None = None
                         ) -> dict[str, Any]:
    """Render last month's report of ``plan`` and queue it for the leader (idempotent)."""
    settings = delivery.settings_for(database_url)
    with session_scope(delivery.engine(settings)) as session:
        queued = reports.queue_monthly(session, settings, plan_key=plan, now=now,
                                       calendar=delivery.calendar(settings),
                                       lang=settings.language)
    return {"plan": plan, "key": queued.key, "written": queued.written,
            "file": str(queued.path) if queued.path else None}


def plans_with_cycles(database_url: str | None, year: int) -> list[str]:
    """The plans that have a cycle of ``year`` (each gets its report)."""
    from sqlalchemy import select
    from sqlmodel import col

    from agencyflow.models import Cycle

    settings = delivery.settings_for(database_url)
    with session_scope(delivery.engine(settings)) as session:
        found = session.execute(select(col(Cycle.plan_key)).where(col(Cycle.year) == year))
        return sorted({k for (k,) in found})
