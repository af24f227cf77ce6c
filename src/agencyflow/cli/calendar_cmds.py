"""`agencyflow calendar`: an agency's assignments as an iCalendar (.ics) file with alarms."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, console, handle_errors, parse_now
from agencyflow.cli.base import calendar as workdays


@handle_errors
def calendar(
    agency: str = typer.Option(..., "--agency", help="The agency (lead or cooperating)."),
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the newest cycle's)."),
    year: int = typer.Option(None, "--year", help="Cycle year (default: the newest cycle)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: "
                                "standard output)."),
    now: str = typer.Option(None, help=NOW_HELP),
    lang: str = typer.Option("vi", help="vi or en."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """One all-day event per assignment on its current due date, with an alarm at each
    reminder of its policy (office hours, Vietnam time); import or subscribe in any calendar.

    Example: agencyflow calendar --agency KTHT -o ktht.ics
    """
    from agencyflow.cli.common import settings, transaction
    from agencyflow.cli.identity import resolve_actor
    from agencyflow.domain.permissions import Action
    from agencyflow.services.reports import agency_calendar

    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when, action=Action.READ)
        content = agency_calendar(session, agency=agency, actor=actor, now=when,
                                  calendar=workdays(), plan_key=plan, year=year,
                                  base_url=settings().base_url, lang=lang)
    if output is None:
        sys.stdout.write(content.decode())
        return
    output.write_bytes(content)
    from agencyflow.services.reports import tr

    console.print(tr(lang, "{file}: {n} events", file=output, n=content.count(b"BEGIN:VEVENT")),
                  highlight=False)
