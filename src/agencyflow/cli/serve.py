"""`agencyflow serve`: the scheduled flows under ``prefect.serve`` — the only place the CLI
imports Prefect (imported when the command runs, never when the CLI loads)."""

from __future__ import annotations

from agencyflow.cli.base import console, err_console
from agencyflow.cli.prefect_server import prefect_api
from agencyflow.config import Settings
from agencyflow.db import session_scope
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.services import outbox, wiring

#: Flow runs `serve` executes at the same time.
MAX_CONCURRENT_RUNS = 2


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
    """Serve ``reminder-sweep`` (cron, Vietnam time), ``dispatch-notifications`` (interval) and
    ``start-cycle`` (on demand) until interrupted."""
    _warn_missing_channels(settings)
    with prefect_api(settings.data_dir / "prefect") as api:
        console.print(f"Prefect API: {api}")
        _serve(settings)


def _serve(settings: Settings) -> None:
    from prefect import serve
    from prefect.schedules import Cron, Interval

    from agencyflow.flows.dispatch_notifications import dispatch_notifications
    from agencyflow.flows.reminder_sweep import reminder_sweep
    from agencyflow.flows.start_cycle import start_cycle

    sweep = reminder_sweep.to_deployment(
        name="reminder-sweep", schedule=Cron(settings.sweep_cron, timezone=str(TIMEZONE)))
    deliver = dispatch_notifications.to_deployment(
        name="dispatch-notifications", schedule=Interval(settings.dispatch_interval_seconds))
    on_demand = start_cycle.to_deployment(name="start-cycle")
    console.print(f"serving reminder-sweep ({settings.sweep_cron}), dispatch-notifications "
                  f"(every {settings.dispatch_interval_seconds} s) and start-cycle (on demand); "
                  "Ctrl+C to stop")
    # Each run is a new process; cap how many run at once so that a short interval on a busy
    # machine queues runs instead of starting ever more processes (sweeps and dispatches are
    # idempotent and batched, so a run that waits loses nothing).
    serve(sweep, deliver, on_demand, limit=MAX_CONCURRENT_RUNS)  # type: ignore[arg-type]
