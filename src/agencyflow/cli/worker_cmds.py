"""`agencyflow dispatch` and `agencyflow sweep`: the two halves of `remind`, each on its own.

They let an operator run dispatchers and sweepers as plain processes on several machines
(systemd units, cron), beside or instead of the Prefect flows: sweeps are idempotent and can be
split into shards, dispatchers claim outbox rows with leases from the real clock. Neither
imports Prefect.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from datetime import datetime
from types import FrameType
from typing import Any

import typer

from agencyflow.cli.base import NOW_HELP, Format, emit, handle_errors, parse_now
from agencyflow.cli.common import engine, settings
from agencyflow.cli.notify_cmds import attention_note, window_note
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label
from agencyflow.services import delivery, reminders

DISPATCH_COLUMNS = ["agency", "sent", "failed", "dead"]
SWEEP_COLUMNS = ["agency", "queued", "kinds"]


class _Stop:
    """Set by SIGTERM/SIGINT: a looping dispatcher finishes the batch it is sending (its
    results recorded) and exits; a second signal exits at once."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.event.is_set():
            raise SystemExit(128 + signum)
        self.event.set()


@handle_errors
def dispatch(
    now: str = typer.Option(None, help="Act as if it were this day (YYYY-MM-DD or "
                     "dd/mm/yyyy, optionally THH:MM; Vietnam time); default: the real clock, "
                     "each run."),
    loop: bool = typer.Option(False, "--loop", help="Keep dispatching every "
                              "AGENCYFLOW_DISPATCH_INTERVAL_SECONDS until stopped (SIGTERM)."),
    limit: int = typer.Option(None, "--limit", min=1,
                              help="Claim at most about this many notifications per run."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Deliver the notifications that are due: a dispatcher on its own (several may run at
    once on several machines; each claims rows with a lease).

    Example: agencyflow dispatch --loop
    """
    cfg = settings()
    eng = engine()
    notifier = delivery.notifier(cfg)
    renderers = delivery.renderer_factory(cfg)
    worker = delivery.worker_id("dispatch")
    stop = _Stop()
    if loop:
        stop.install()
    try:
        while True:
            when = parse_now(now)
            result = delivery.dispatch_outbox(
                eng, notifier, renderers, now=when, worker_id=worker,
                max_attempts=cfg.dispatch_max_attempts,
                backoff_seconds=cfg.dispatch_backoff_seconds,
                concurrency=cfg.dispatch_concurrency, limit=limit,
                lease_seconds=cfg.dispatch_lease_seconds,
                max_batches=1 if loop else None)
            if result.claimed or not loop:
                _report(result, when, fmt)
            if not loop or stop.event.is_set():
                return
            if not result.claimed:
                stop.event.wait(cfg.dispatch_interval_seconds)
            if stop.event.is_set():
                return
    finally:
        close = getattr(notifier, "close", None)
        if close is not None:
            close()


def _report(result: delivery.DispatchResult, when: datetime, fmt: Format) -> None:
    rows = [{"agency": agency, "sent": counts.get("sent", 0), "failed": counts.get("failed", 0),
             "dead": counts.get("dead", 0)} for agency, counts in sorted(result.by_agency.items())]
    if fmt is Format.json:
        print(_dumps(result.as_dict()))
        return
    emit(rows, DISPATCH_COLUMNS, fmt,
         title=_("Dispatch {time}: {claimed} claimed, {sent} sent, {failed} failed, {dead} dead "
                 "({seconds:.1f} s)").format(time=f"{when:%d/%m/%Y %H:%M}", claimed=result.claimed,
                                             sent=result.sent, failed=result.failed,
                                             dead=result.dead, seconds=result.seconds))


def parse_shard(value: str | None) -> tuple[int, int] | None:
    """``--shard i/n`` → ``(i, n)`` with 0 ≤ i < n; None when not given."""
    if not value:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise ValidationError(_("--shard \"{value}\": write it as i/n, e.g. 0/4").format(
            value=value)) from None
    if count < 1 or not 0 <= index < count:
        raise ValidationError(_("--shard \"{value}\": i must be between 0 and n-1 (n ≥ 1)")
                              .format(value=value))
    return index, count


@handle_errors
def sweep(
    now: str = typer.Option(None, help=NOW_HELP),
    shard: str = typer.Option(None, "--shard", help="Sweep only assignments with id % n == i "
                              "(i/n, e.g. 0/4); run the other shards elsewhere."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Queue the reminders, escalations and other notices that are due (a sweep on its own;
    idempotent, so overlapping or repeated runs write nothing twice).

    Example: agencyflow sweep --shard 0/2
    """
    when, cfg, part = parse_now(now), settings(), parse_shard(shard)
    started, cal = time.perf_counter(), delivery.calendar(cfg)
    result = reminders.sweep(engine(), now=when, calendar=cal, lang=cfg.language,
                             batch_size=cfg.sweep_batch_size, shard=part)
    window_note(result, when, cal)
    attention_note(result)
    if fmt is Format.json:
        print(_dumps(result.as_dict()))
        return
    rows: list[dict[str, Any]] = [
        {"agency": agency, "queued": sum(kinds.values()),
         "kinds": ", ".join(f"{label('notice', k)} {n}" for k, n in sorted(kinds.items()))}
        for agency, kinds in sorted(result.by_agency.items())]
    which = " " + _("(shard {i}/{n})").format(i=part[0], n=part[1]) if part else ""
    emit(rows, SWEEP_COLUMNS, fmt, title=_(
        "Sweep {time}{shard}: {queued} queued, {existing} already queued ({seconds:.1f} s)"
    ).format(time=f"{when:%d/%m/%Y %H:%M}", shard=which, queued=result.written,
             existing=result.existing, seconds=time.perf_counter() - started))


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)
