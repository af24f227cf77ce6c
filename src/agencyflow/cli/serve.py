"""`agencyflow serve`: the scheduled flows under ``prefect.serve`` — the only place the CLI
imports Prefect (imported when the command runs, never when the CLI loads)."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

from agencyflow.cli.base import console, err_console
from agencyflow.cli.prefect_server import prefect_api, wait_until_answering, watch
from agencyflow.config import Settings
from agencyflow.domain.calendar import TIMEZONE
from agencyflow.i18n import _
from agencyflow.services import delivery
from agencyflow.services.database import session_scope

#: Flow runs `serve` executes at the same time.
MAX_CONCURRENT_RUNS = 2


def _warn_missing_channels(settings: Settings) -> None:
    """Say at start which agencies would receive nothing."""
    if settings.apprise_config is None:
        err_console.print(_("warning: AGENCYFLOW_APPRISE_CONFIG is not set; dispatch will fail"),
                          highlight=False)
        return
    with session_scope(delivery.engine(settings)) as session:
        missing = delivery.check_channels(delivery.notifier(settings), session)
    if missing:
        err_console.print(_("warning: no channel for tags: {tags}").format(
            tags=", ".join(missing)), highlight=False)


class _Stop(Exception):
    """SIGINT or SIGTERM before the runner took over its signals."""


def _stop(signum: int, _frame: object) -> None:
    raise _Stop(signal.Signals(signum).name)


def _start_web(settings: Settings, web: tuple[str, int]) -> subprocess.Popen[bytes]:
    """The web app (``agencyflow web``) in its own process, on the same settings."""
    from agencyflow.cli.web_cmds import command
    from agencyflow.services.database import engine_from_settings

    engine_from_settings(settings)  # a bad database is one clear error, before anything starts
    host, port = web
    console.print(_("web app on {url}").format(url=f"http://{host}:{port}/"), highlight=False)
    return subprocess.Popen(command(host, port))


def _say(text: str) -> None:
    err_console.print(text, highlight=False, soft_wrap=True)


def _stop_web(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run(settings: Settings, web: tuple[str, int] | None = None) -> None:
    """Serve ``reminder-sweep`` (cron, Vietnam time), ``dispatch-notifications`` (interval) and
    ``start-cycle`` (on demand) until SIGINT (Ctrl+C) or SIGTERM; the local Prefect server, if
    it started one, stops with it. With ``web`` = (host, port) the web app runs beside, in its
    own process, and stops with it."""
    _warn_missing_channels(settings)
    # Until the runner handles them (and again after it), either signal unwinds this function,
    # so that the local server is stopped: by default SIGTERM ends the process on the spot.
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    web_process = None
    try:
        web_process = _start_web(settings, web) if web else None
        with prefect_api(settings.data_dir / "prefect") as api:
            console.print(_("Prefect API: {url}").format(url=api), highlight=False)
            with watch(api, _say):
                _serve(settings, api)
    except _Stop:
        pass
    finally:
        _stop_web(web_process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    console.print(_("stopped"))


def _deployments(settings: Settings) -> list[Any]:
    from prefect.schedules import Cron, Interval

    from agencyflow.flows.audit_checkpoint import CRON as CHECKPOINT_CRON
    from agencyflow.flows.audit_checkpoint import audit_checkpoint
    from agencyflow.flows.dispatch_notifications import dispatch_notifications
    from agencyflow.flows.monthly_report import monthly_report
    from agencyflow.flows.reminder_sweep import reminder_sweep
    from agencyflow.flows.start_cycle import start_cycle
    from agencyflow.services.reports import CRON as MONTHLY_CRON

    zone = str(TIMEZONE)
    return [
        reminder_sweep.to_deployment(name="reminder-sweep",
                                     schedule=Cron(settings.sweep_cron, timezone=zone)),
        dispatch_notifications.to_deployment(
            name="dispatch-notifications", schedule=Interval(settings.dispatch_interval_seconds)),
        start_cycle.to_deployment(name="start-cycle"),
        monthly_report.to_deployment(name="monthly-report",
                                     schedule=Cron(MONTHLY_CRON, timezone=zone)),
        audit_checkpoint.to_deployment(name="audit-checkpoint",
                                       schedule=Cron(CHECKPOINT_CRON, timezone=zone))]


def _runner(settings: Settings) -> Any:
    from prefect.deployments.runner import RunnerDeployment
    from prefect.runner import Runner

    # Each run is a new process; cap how many run at once so that a short interval on a busy
    # machine queues runs instead of starting ever more processes (sweeps and dispatches are
    # idempotent and batched, so a run that waits loses nothing).
    runner = Runner(limit=MAX_CONCURRENT_RUNS, pause_on_shutdown=True)
    for deployment in _deployments(settings):
        # to_deployment is typed sync-or-async; called outside an event loop it is sync.
        if not isinstance(deployment, RunnerDeployment):
            raise TypeError(f"expected a RunnerDeployment, got {type(deployment).__name__}")
        runner.add_deployment(deployment)
    return runner


def _lost_api(error: BaseException) -> bool:
    """Whether the runner stopped because the Prefect API could not be reached: a network
    error, or Prefect's "Service exceeded error threshold" after repeated failed polls."""
    import httpx

    if isinstance(error, BaseExceptionGroup):
        return all(_lost_api(e) for e in error.exceptions)
    return isinstance(error, httpx.TransportError | OSError) or (
        isinstance(error, RuntimeError) and "error threshold" in str(error))


def _serve(settings: Settings, api: str) -> None:
    """Run the flows until a signal stops the runner. Prefect's runner gives up after
    repeated failed calls to its server; then serve says so, waits until the server answers
    and starts a new runner (the schedules resume; sweeps and dispatches lose nothing)."""
    import asyncio

    from agencyflow.flows.audit_checkpoint import CRON as CHECKPOINT_CRON

    console.print(_("serving reminder-sweep ({cron}), dispatch-notifications (every {seconds} s), "
                    "monthly-report (first working day of the month), audit-checkpoint (daily, "
                    "{checkpoint}) and start-cycle (on demand); Ctrl+C to stop").format(
                        cron=settings.sweep_cron, seconds=settings.dispatch_interval_seconds,
                        checkpoint=CHECKPOINT_CRON), highlight=False)
    while True:
        runner = None
        try:
            runner = _runner(settings)  # registers the deployments with the server
            # Ctrl+C stops the runner the way SIGTERM does (Prefect's handler): no new runs,
            # the running ones cancelled, the schedules paused; a second signal exits at once.
            # Left to asyncio, Ctrl+C cancels the runner's main task, and a cancellation
            # swallowed by a run being submitted at that moment left `serve` running.
            signal.signal(signal.SIGINT, runner.handle_sigterm)
            asyncio.run(runner.start())  # sets Prefect's SIGTERM handler while it runs
            return
        except Exception as error:
            if (runner is not None and runner.stopping) or not _lost_api(error):
                raise
            _say(_("serve's Prefect runner stopped: the server {url} could not be reached "
                   "({error}); serve waits for it and starts the runner again").format(
                url=api, error=type(error).__name__))
        finally:
            signal.signal(signal.SIGINT, _stop)
            signal.signal(signal.SIGTERM, _stop)
        wait_until_answering(api)
