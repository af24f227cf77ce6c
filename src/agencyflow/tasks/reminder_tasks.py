"""Prefect tasks of the reminder flows: one sweep task per agency batch, dispatch batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from agencyflow.services import delivery, reminders
from agencyflow.tasks.retries import worth_retrying


@task(name="sweep-agency-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=10,
      retry_condition_fn=worth_retrying)
def sweep_agency_batch(agencies: list[str], now: datetime, database_url: str | None = None,
                       cycle_id: int | None = None) -> dict[str, Any]:
    """Sweep the assignments led by ``agencies`` (batched, idempotent: safe to retry)."""
    settings = delivery.settings_for(database_url)
    result = reminders.sweep(delivery.engine(settings), now=now,
                             calendar=delivery.calendar(settings),
                             lang=settings.language, batch_size=settings.sweep_batch_size,
                             cycle_id=cycle_id, leads=agencies)
    return result.as_dict()


def sweep_task(agencies: list[str], assignments: int) -> Any:
    """``sweep_agency_batch`` named by its agencies and tagged with them."""
    name = agencies[0] if len(agencies) == 1 else f"{agencies[0]}…{agencies[-1]}"
    return sweep_agency_batch.with_options(
        task_run_name=f"sweep {name} ({len(agencies)} agencies, {assignments} due)",
        tags=[f"agency:{code}" for code in agencies])


@task(name="dispatch-batch", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[5, 30, 120],
      retry_condition_fn=worth_retrying)
def dispatch_batch(now: datetime, worker_id: str, database_url: str | None = None,
                   batch_size: int = 500) -> dict[str, Any]:
    """Claim and deliver one batch of due notifications (leases make a retry safe)."""
    settings = delivery.settings_for(database_url)
    notifier = delivery.notifier(settings)
    try:
        result = delivery.dispatch_outbox(
            delivery.engine(settings), notifier, delivery.renderer_factory(settings),
            now=now, worker_id=worker_id, max_attempts=settings.dispatch_max_attempts,
            backoff_seconds=settings.dispatch_backoff_seconds,
            concurrency=settings.dispatch_concurrency, batch_size=batch_size, max_batches=1,
            lease_seconds=settings.dispatch_lease_seconds)
    finally:
        close = getattr(notifier, "close", None)
        if close is not None:  # the worker processes end with the task, never orphaned
            close()
    return result.as_dict()
