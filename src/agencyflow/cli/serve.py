"""`agencyflow serve`: the scheduled flows under ``prefect.serve`` — the only place the CLI
imports Prefect (imported when the command runs, never when the CLI loads)."""

from __future__ import annotations

from agencyflow.cli.common import console, err_console
from agencyflow.config import Settings
from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.services import outbox, wiring


def _warn_missing_channels(settings: Settings) -> None:
    """Say at start which agencies would receive nothing."""
    if settings.apprise_config is None:
        err_console.print("warning: AGENCYFLOW_APPRISE_CONFIG is not set; dispatch will fail")
        return
    with session_scope(wiring.engine(settings)) as session:
        missing = outbox.check_channels(wiring.notifier(settings), session)
    if missing:
        err_console.print(f"warning: no channel for tags: {', '.join(missing)}")


def run(settings: Settings) -> None:
    """Serve ``reminder-sweep`` (cron, Vietnam time) and ``dispatch-notifications``
    (interval) until interrupted."""
    _warn_missing_channels(settings)
    from prefect import serve
    from prefect.schedules import Cron, Interval

    from agencyflow.flows.dispatch_notifications import dispatch_notifications
    from agencyflow.flows.reminder_sweep import reminder_sweep

    sweep = reminder_sweep.to_deployment(
        name="reminder-sweep", schedule=Cron(settings.sweep_cron, timezone=str(TIMEZONE)))
    deliver = dispatch_notifications.to_deployment(
        name="dispatch-notifications", schedule=Interval(settings.dispatch_interval_seconds))
    console.print(f"serving reminder-sweep ({settings.sweep_cron}) and dispatch-notifications "
                  f"(every {settings.dispatch_interval_seconds} s); Ctrl+C to stop")
    serve(sweep, deliver)  # type: ignore[arg-type]  # sync context: never a coroutine
