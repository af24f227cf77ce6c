"""`agencyflow export board|progress-sheet`: the board and an agency's progress sheet in Excel."""

from __future__ import annotations

from pathlib import Path

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, calendar, console, handle_errors, parse_now
from agencyflow.domain.calendar import local_date
from agencyflow.errors import ValidationError

app = typer.Typer(help="Export the board or a progress sheet to Excel.", no_args_is_help=True)


@app.command("board")
@handle_errors
def board(
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the newest cycle's)."),
    year: int = typer.Option(None, "--year", help="Cycle year (default: the newest cycle)."),
    agency: str = typer.Option(None, "--agency", help="Only what this agency leads or "
                               "cooperates on."),
    commune: str = typer.Option(None, "--commune", help="Only this commune's assignments."),
    status: str = typer.Option(None, "--status", help="Only this board status."),
    now: str = typer.Option(None, help=NOW_HELP),
    fmt: str = typer.Option("xlsx", "--format", help="xlsx."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: "
                                "bang-theo-doi-<plan>-<year>.xlsx)."),
    lang: str = typer.Option("vi", help="vi or en."),
) -> None:
    """The board as an Excel workbook: every assignment with its status on --now (coloured),
    real dates, frozen headers and filters, and a sheet of counts per agency and status.

    Example: agencyflow export board --year 2027 --now 2027-06-30 -o bang-theo-doi.xlsx
    """
    from agencyflow.cli.base import reading
    from agencyflow.services import board as board_service
    from agencyflow.services import reports

    if fmt != "xlsx":
        raise ValidationError(f"--format {fmt!r}: the board exports as xlsx")
    today = local_date(parse_now(now))
    with reading() as conn:
        cycle = board_service.cycle_for(conn, plan, year)
        flt = board_service.BoardFilter(cycle_id=cycle.id, agency=agency, commune=commune,
                                        status=status, late_against=cycle.late_against)
        workdays = calendar()
        rows = board_service.rows(conn, flt, today=today, calendar=workdays)
        counts = board_service.counts(conn, flt, today=today, calendar=workdays)
        names = board_service.agency_names(conn, cycle.plan_key)
    target = output or Path(f"bang-theo-doi-{cycle.plan_key}-{cycle.year}.xlsx")
    target.write_bytes(reports.write_board_xlsx(rows, counts, names, today=today, lang=lang))
    from agencyflow.services.reports import tr

    console.print(tr(lang, "{file}: {n} assignments", file=target, n=len(rows)),
                  highlight=False)


@app.command("progress-sheet")
@handle_errors
def progress_sheet(
    agency: str = typer.Option(..., "--agency", help="The agency that fills the sheet in."),
    plan: str = typer.Option(None, "--plan", help="Plan key (default: the newest cycle's)."),
    cycle: int = typer.Option(None, "--cycle", help="The cycle's year (default: the newest)."),
    output: Path = typer.Option(None, "-o", "--output", help="File to write (default: "
                                "tien-do-<agency>-<year>.xlsx)."),
    now: str = typer.Option(None, help=NOW_HELP),
    lang: str = typer.Option("vi", help="vi or en."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """A sheet for one agency to fill in: its open assignments (id and title locked), a column
    per output, a second sheet for list outputs (products, scores), with data validation.
    Send it back with `agencyflow import progress`.

    Example: agencyflow export progress-sheet --agency XA-KIM-ANH --cycle 2027 -o kim-anh.xlsx
    """
    from agencyflow.cli.common import transaction
    from agencyflow.cli.identity import resolve_actor
    from agencyflow.domain.permissions import Action
    from agencyflow.services import reports

    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when, action=Action.READ)
        rows = reports.rows_for(session, agency=agency, actor=actor, plan_key=plan, year=cycle)
        content = reports.write_progress_sheet(rows, now=when, lang=lang)
    target = output or Path(f"tien-do-{agency.lower()}-{rows.cycle.year}.xlsx")
    target.write_bytes(content)
    from agencyflow.services.reports import tr

    console.print(tr(lang, "{file}: {n} assignments of {agency}", file=target,
                     n=len(rows.assignments), agency=agency), highlight=False)
