"""`agencyflow report`: the progress report of a plan over a year, quarter or month."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, calendar, console, handle_errors, parse_now
from agencyflow.cli.common import settings, transaction
from agencyflow.cli.identity import resolve_actor
from agencyflow.domain.calendar import local_date
from agencyflow.domain.permissions import Action
from agencyflow.domain.status import BoardStatus
from agencyflow.errors import ValidationError


@handle_errors
def report(
    plan: str = typer.Option(..., "--plan", help="Plan key."),
    year: int = typer.Option(None, "--year", help="The whole cycle of this year."),
    quarter: str = typer.Option(None, "--quarter", help="YYYY-QN: assignments due then."),
    month: str = typer.Option(None, "--month", help="YYYY-MM: assignments due then."),
    agency: str = typer.Option(None, "--agency", help="Only what this agency leads or "
                               "cooperates on."),
    now: str = typer.Option(None, help=NOW_HELP),
    fmt: str = typer.Option("docx", "--format", help="docx, xlsx, html or md."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: a name "
                                "in the current directory; md goes to standard output)."),
    lang: str = typer.Option("vi", help="vi or en."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """The progress report with the board's figures as of --now: totals, rates, a table per
    lead agency and per commune, overdue assignments, extensions, targets and a chart.

    Example: agencyflow report --plan kim-thanh-ocop --year 2027 --now 2027-12-31 --format docx
    """
    from agencyflow.services import reports
    from agencyflow.services.reports import FORMATS
    from agencyflow.services.reports import make_report as make

    if fmt not in FORMATS:
        raise ValidationError(f"--format {fmt!r}: one of {', '.join(FORMATS)}")
    if lang not in ("vi", "en"):
        raise ValidationError(f"--lang {lang!r}: vi or en")
    chosen = reports.parse_period(year_=year, quarter_=quarter, month_=month)
    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when, action=Action.READ)
        made = make(session, settings(), plan_key=plan, period=chosen, today=local_date(when),
                    actor=actor, calendar=calendar(), fmt=fmt, agency=agency, lang=lang,
                    known_at=when)
    if output is None and fmt == "md":
        sys.stdout.write(made.content.decode())
        return
    target = output or Path(made.filename())
    target.write_bytes(made.content)
    f = made.data.figures
    from agencyflow.services.reports import tr

    console.print(tr(lang, "{file}: {total} assignments, {done} done, {overdue} overdue",
                     file=target, total=f.total, done=f.done, overdue=f.n(BoardStatus.OVERDUE)),
                  highlight=False)
