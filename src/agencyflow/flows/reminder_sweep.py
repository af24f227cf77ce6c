"""``reminder_sweep``: write the due notices to the outbox, one task per batch of lead agencies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from agencyflow.domain.calendar import TIMEZONE
from agencyflow.services import delivery, reminders
from agencyflow.tasks.reminder_tasks import sweep_task


def agency_batches(due: dict[str, int], per_task: int) -> list[list[str]]:
    """Agency codes (sorted) cut into batches of ``per_task``."""
    codes = sorted(due)
    return [codes[i:i + per_task] for i in range(0, len(codes), max(per_task, 1))]


@flow(name="reminder-sweep")
def reminder_sweep(now: datetime | None = None, database_url: str | None = None,
                   agencies_per_task: int = 25, cycle_id: int | None = None) -> dict[str, Any]:
    """Sweep every assignment with a notice due at ``now``; returns the merged counts."""
    when = now or datetime.now(TIMEZONE)
    settings = delivery.settings_for(database_url)
    due = reminders.due_by_agency(delivery.engine(settings), now=when, cycle_id=cycle_id)
    futures = [sweep_task(batch, sum(due[c] for c in batch)).submit(batch, when, database_url,
                                                                    cycle_id)
               for batch in agency_batches(due, agencies_per_task)]
    total: dict[str, Any] = {"tasks": len(futures), "written": 0, "scanned": 0,
                             "by_kind": {}, "by_agency": {}, "in_office_hours": False}
    for future in futures:
        _add(total, future.result())
    return total


def _add(total: dict[str, Any], part: dict[str, Any]) -> None:
    total["written"] += part["written"]
    total["scanned"] += part["scanned"]
    total["in_office_hours"] = total["in_office_hours"] or part["in_office_hours"]
    for kind, n in part["by_kind"].items():
        total["by_kind"][kind] = total["by_kind"].get(kind, 0) + n
    for agency, kinds in part["by_agency"].items():
        mine = total["by_agency"].setdefault(agency, {})
        for kind, n in kinds.items():
            mine[kind] = mine.get(kind, 0) + n

