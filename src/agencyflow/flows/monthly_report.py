"""``monthly_report``: on the first working day of a month, last month's report to the leader.

``serve`` runs it by cron on the first days of the month (:data:`~agencyflow.services.reports.
monthly.CRON`); the flow acts only on the month's first working day of the domain calendar
(Tết or a holiday on the 1st moves it), unless ``force``. One task per plan renders and queues
the report (unique per plan and month: a rerun queues nothing); one dispatch batch then sends
it, like every notice — retried and dead-lettered by the outbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow

from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.services import delivery, reports
from agencyflow.tasks.reminder_tasks import dispatch_batch
from agencyflow.tasks.report_tasks import plans_with_cycles, queue_monthly_report


@flow(name="monthly-report")
def monthly_report(plan: str | None = None, now: datetime | None = None,
                   database_url: str | None = None, force: bool = False) -> dict[str, Any]:
    """Queue and send last month's report of ``plan`` (default: every plan with a cycle)."""
    when = now or datetime.now(TIMEZONE)
    today = local_date(when)
    settings = delivery.settings_for(database_url)
    if not force and not reports.is_first_working_day(today, delivery.calendar(settings)):
        return {"skipped": f"{today.isoformat()} is not the month's first working day"}
    last_month = reports.periods.previous_month(today)
    keys = [plan] if plan else plans_with_cycles(database_url, last_month.year)
    queued = [queue_monthly_report.with_options(task_run_name=f"report {k} {last_month.slug}")(
        k, when, database_url) for k in keys]
    sent = dispatch_batch(when, delivery.worker_id("monthly-report"), database_url)
    return {"queued": queued, "dispatch": sent}
