"""`agencyflow cycle …`: start a yearly cycle, list cycles."""

from __future__ import annotations

import typer

from agencyflow.cli import amend_cmds
from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    calendar,
    console,
    emit,
    handle_errors,
    parse_now,
)
from agencyflow.cli.common import transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import parse_date
from agencyflow.i18n import _, ngettext
from agencyflow.services import cycles, plans

app = typer.Typer(help="Start and list cycles (one run of a plan over a year).",
                  no_args_is_help=True)


@app.command("start")
@handle_errors
def start(
    plan: str = typer.Option(..., "--plan", help="Plan key (bundled or stored) or a plan file."),
    year: int = typer.Option(None, "--year", help="The year of the cycle (a plan with its own "
                             "period: its first year, the default)."),
    start_date: str = typer.Option(None, "--start", help="First day of the cycle (default 1/1)."),
    now: str = typer.Option(None, help=NOW_HELP),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Create the year's assignments (fan-out included) with their due dates.

    Example: agencyflow cycle start --plan kim-thanh-ocop --year 2027
    """
    when = parse_now(now)
    first = parse_date(start_date) if start_date else None
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when)
        version, result = cycles.start_plan(session, plan=plan, year=year, now=when,
                                           actor=actor, calendar=calendar(), start_date=first)
    made = ngettext("{n} assignment", "{n} assignments", result.assignments).format(
        n=result.assignments)
    console.print(_("cycle {year} of {plan} (version {version}) started: {made} — {open} open, "
                    "{waiting} waiting").format(year=result.cycle.year, plan=version.key,
                                                version=version.version, made=made,
                                                open=result.open, waiting=result.waiting),
                  highlight=False)


@app.command("list")
@handle_errors
def list_(
    plan: str = typer.Option(None, "--plan", help="Only this plan."),
    fmt: Format = typer.Option(Format.table, "--format", help="Output format."),
) -> None:
    """List cycles with their plan version and number of assignments.

    Example: agencyflow cycle list --plan kim-thanh-ocop
    """
    with transaction() as session:
        rows = [{"id": c.id, "plan": c.plan_key, "year": c.year, "version": c.plan_version,
                 "sha256": c.plan_hash[:12], "start": c.start_date,
                 "assignments": c.assignment_count,
                 "started_at": c.started_at,
                 "started_by": c.started_by}
                for c in plans.list_cycles(session, plan)]
    emit(rows, ["id", "plan", "year", "version", "sha256", "start", "assignments", "started_at",
                "started_by"], fmt, title=_("Cycles"))


app.command("migrate")(amend_cmds.migrate)
