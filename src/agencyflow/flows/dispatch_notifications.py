"""``dispatch_notifications``: deliver due notifications, one retried task per batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from agencyflow.domain.calendar import TIMEZONE
from agencyflow.services import delivery
from agencyflow.tasks.reminder_tasks import dispatch_batch

_TOTALS = ("claimed", "sent", "failed", "dead", "digests", "digested")


@flow(name="dispatch-notifications")
def dispatch_notifications(now: datetime | None = None, database_url: str | None = None,
                           batch_size: int = 500, max_batches: int = 50) -> dict[str, Any]:
    """Deliver batches until none is due (at most ``max_batches``); returns the totals."""
    when = now or datetime.now(TIMEZONE)
    worker = delivery.worker_id("prefect")
    total: dict[str, Any] = dict.fromkeys(_TOTALS, 0) | {"batches": 0, "by_agency": {}}
    for _ in range(max_batches):
        part = dispatch_batch(when, worker, database_url, batch_size)
        if not part["claimed"]:
            break
        total["batches"] += 1
        for key in _TOTALS:
            total[key] += part[key]
        for agency, outcomes in part["by_agency"].items():
            mine = total["by_agency"].setdefault(agency, {})
            for outcome, n in outcomes.items():
                mine[outcome] = mine.get(outcome, 0) + n
    return total
