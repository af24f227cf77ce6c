"""`agencyflow remind`, `notifications`, `channels check` and `serve`.

`remind` runs one sweep and one dispatch in this process, without Prefect (for cron users and
tests). `serve` is the only command that imports Prefect: it runs the flows on their schedules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from agencyflow.cli.attention import print_attention
from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    console,
    emit,
    err_console,
    handle_errors,
    parse_now,
)
from agencyflow.cli.common import engine, settings, transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import WorkingCalendar, local_date
from agencyflow.i18n import _, ngettext
from agencyflow.labels import label
from agencyflow.services import delivery, reminders

notifications_app = typer.Typer(help="The notification outbox: list, and send again.")
channels_app = typer.Typer(help="Notification channels (apprise configuration).",
                           no_args_is_help=True)

LIST_COLUMNS = ["id", "status", "kind", "recipient", "tag", "assignment", "scheduled_on",
                "attempts", "next_attempt_at", "last_error"]
REMIND_COLUMNS = ["agency", "queued", "kinds", "sent", "failed", "dead"]
PLAN_COLUMNS = ["recipient", "kind", "assignment", "scheduled_on", "digest", "key"]


@handle_errors
def remind(
    now: str = typer.Option(None, help=NOW_HELP),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; write nothing."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """Run one reminder sweep and one dispatch now, in this process (no Prefect needed).

    Example: agencyflow remind --now 2027-03-15 --dry-run
    """
    when, cfg = parse_now(now), settings()
    eng, cal = engine(), delivery.calendar(cfg)
    kwargs: dict[str, Any] = {"now": when, "calendar": cal, "lang": cfg.language,
                              "batch_size": cfg.sweep_batch_size}
    if dry_run:
        planned = reminders.preview(eng, **kwargs)
        window_note(planned, when, cal)
        emit([_planned_row(p) for p in planned.planned], PLAN_COLUMNS, fmt,
             words={"kind": "notice"}, title=ngettext(
                 "Would queue {n} notification ({existing} already queued)",
                 "Would queue {n} notifications ({existing} already queued)", planned.written
             ).format(n=planned.written, existing=planned.existing))
        return
    swept = reminders.sweep(eng, **kwargs)
    window_note(swept, when, cal)
    attention_note(swept)
    sent = _dispatch(eng, cfg, when)
    emit(_remind_rows(swept, sent, human=fmt is Format.table), REMIND_COLUMNS, fmt,
         title=_("Reminders {time}: {queued} queued, {sent} sent").format(
             time=f"{when:%d/%m/%Y %H:%M}", queued=swept.written, sent=sent.sent if sent else 0))


def _dispatch(eng: Any, cfg: Any, when: datetime) -> delivery.DispatchResult | None:
    if cfg.apprise_config is None:
        err_console.print(_("no channels configured (AGENCYFLOW_APPRISE_CONFIG): notifications "
                            "stay pending"), highlight=False)
        return None
    return delivery.dispatch_outbox(
        eng, delivery.notifier(cfg), delivery.renderer_factory(cfg), now=when,
        worker_id=delivery.worker_id("remind"), max_attempts=cfg.dispatch_max_attempts,
        backoff_seconds=cfg.dispatch_backoff_seconds, concurrency=cfg.dispatch_concurrency,
        lease_seconds=cfg.dispatch_lease_seconds)


def attention_note(swept: reminders.SweepResult) -> None:
    """Say how many assignments the sweep could not handle (each keeps its reason)."""
    if swept.needs_attention:
        err_console.print(ngettext(
            "{n} assignment could not be swept and needs attention (see `agencyflow "
            "notifications`); every other one was",
            "{n} assignments could not be swept and need attention (see `agencyflow "
            "notifications`); every other one was", swept.needs_attention
        ).format(n=swept.needs_attention), highlight=False)


def window_note(result: reminders.SweepResult, when: datetime, cal: WorkingCalendar) -> None:
    """Why nothing goes out now: a public holiday (named), a day off, or the time of day."""
    if result.in_office_hours or result.next_window is None:
        return
    day, until = local_date(when), f"{result.next_window:%d/%m/%Y %H:%M}"
    holiday = None if cal.is_working_day(day) else cal.holiday_name(day)
    if holiday:
        why = _("{day} is a public holiday ({holiday})").format(day=f"{day:%d/%m/%Y}",
                                                                holiday=holiday)
    elif not cal.is_working_day(day):
        why = _("{day} is not a working day").format(day=f"{day:%d/%m/%Y}")
    else:
        why = _("{time} is outside office hours").format(time=f"{when:%d/%m/%Y %H:%M}")
    err_console.print(_("{why}: no reminders go out; nothing is due before {until}").format(
        why=why, until=until))


def _planned_row(p: Any) -> dict[str, Any]:
    return {"recipient": p.recipient_code, "kind": p.kind, "assignment": p.assignment_id,
            "scheduled_on": p.scheduled_on, "digest": p.digest, "key": p.key}


def _remind_rows(swept: reminders.SweepResult, sent: delivery.DispatchResult | None, *,
                 human: bool) -> list[dict[str, Any]]:
    delivered = sent.by_agency if sent else {}
    rows = []
    for agency in sorted(set(swept.by_agency) | set(delivered)):
        kinds = swept.by_agency.get(agency, {})
        outcome = delivered.get(agency, {})
        rows.append({"agency": agency, "queued": sum(kinds.values()),
                     "kinds": ", ".join(f"{label('notice', k) if human else k} {n}"
                                        for k, n in sorted(kinds.items())),
                     "sent": outcome.get("sent", 0), "failed": outcome.get("failed", 0),
                     "dead": outcome.get("dead", 0)})
    return rows


@notifications_app.callback(invoke_without_command=True)
@handle_errors
def notifications(
    ctx: typer.Context,
    status: str = typer.Option(None, help="pending, sent, failed, dead, superseded, digested."),
    limit: int = typer.Option(100, help="Show at most this many (newest first); 0: all."),
    now: str = typer.Option(None, help="Act as if it were this day (YYYY-MM-DD or "
                     "dd/mm/yyyy, optionally THH:MM; Vietnam time): the outbox as it was then."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List notifications (newest first), e.g. the dead ones with their last error; with --now,
    those written by then, each with its status then.

    Example: agencyflow notifications --status dead --format csv
    """
    if ctx.invoked_subcommand is not None:
        return
    when = parse_now(now) if now else None
    with transaction() as session:
        rows = [_notification_row(n) for n in delivery.list_notifications(
            session, status=status, limit=limit or None, known_at=when)]
        counts = delivery.counts(session, known_at=when)
        print_attention(session)
    summary = ", ".join(f"{label('outbox', k)} {v}" for k, v in sorted(counts.items()))
    emit(rows, LIST_COLUMNS, fmt, words={"status": "outbox", "kind": "notice"},
         title=_("Notifications ({summary})").format(summary=summary or _("none")))


def _notification_row(n: Any) -> dict[str, Any]:
    return {"id": n.id, "status": n.status, "kind": n.kind, "recipient": n.recipient_code,
            "tag": n.tag, "assignment": n.assignment_id, "scheduled_on": n.scheduled_on,
            "attempts": n.attempts,
            "next_attempt_at": n.next_attempt_at,
            "last_error": n.last_error}


@notifications_app.command("retry")
@handle_errors
def retry(
    ids: list[int] = typer.Argument(None, help="Notification ids."),
    all_dead: bool = typer.Option(False, "--all-dead", help="Every dead notification."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Queue dead (or failed) notifications again; the next dispatch sends them.

    Example: agencyflow notifications retry --all-dead
    """
    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when)
        queued = delivery.retry_as(session, actor, ids=ids or None, all_dead=all_dead, now=when)
    console.print(ngettext("{n} notification queued again: {ids}",
                           "{n} notifications queued again: {ids}", len(queued)).format(
                               n=len(queued), ids=", ".join(map(str, queued)) or _("none")),
                  highlight=False)


@channels_app.command("check")
@handle_errors
def channels_check() -> None:
    """List agencies whose notification tag matches no channel (exit code 1 if any).

    Example: AGENCYFLOW_APPRISE_CONFIG=channels.yaml agencyflow channels check
    """
    cfg = settings()
    notifier = delivery.notifier(cfg)
    with transaction() as session:
        missing = delivery.check_channels(notifier, session)
        owners = delivery.agency_tags(session)
    for problem in getattr(notifier, "load_problems", []):
        err_console.print(f"{cfg.apprise_config}: {problem}", highlight=False)
    if not missing:
        console.print(ngettext("every agency has a channel ({n} tag checked)",
                               "every agency has a channel ({n} tags checked)", len(owners)
                               ).format(n=len(owners)), highlight=False)
        return
    for tag in missing:
        console.print(_("no channel for tag \"{tag}\": {agencies}").format(
            tag=tag, agencies=", ".join(owners.get(tag, []))), highlight=False)
    raise typer.Exit(code=1)


@handle_errors
def serve(
    web: bool = typer.Option(False, "--web", help="Also serve the web app (agencyflow web)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address of the web app (--web)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port of the web app."),
) -> None:
    """Run the flows on their schedules with Prefect (sweep: AGENCYFLOW_SWEEP_CRON, dispatch:
    every AGENCYFLOW_DISPATCH_INTERVAL_SECONDS) until stopped; with --web, the web app beside.

    Example: agencyflow serve --web --port 8000
    """
    from agencyflow.cli.serve import run

    engine()  # the database is there and AGENCYFLOW_TOKEN, when set, is valid
    run(settings(), web=(host, port) if web else None)
