"""`agencyflow import progress FILE.xlsx`: a filled-in progress sheet back into agencyflow."""

from __future__ import annotations

from pathlib import Path

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, calendar, console, handle_errors, parse_now

app = typer.Typer(help="Import a filled-in progress sheet.", no_args_is_help=True)


@app.command("progress")
@handle_errors
def progress(
    file: Path = typer.Argument(..., help="The .xlsx written by `export progress-sheet`."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
    now: str = typer.Option(None, help=NOW_HELP),
    lang: str = typer.Option("vi", help="Language of the notices written (vi or en)."),
    as_user: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Apply every row (progress, or completion when "Hoàn thành" is có) through the same use
    cases as `agencyflow assignment`, or nothing at all: every problem is listed as
    Sheet!C12: field: message.

    Example: agencyflow import progress kim-anh.xlsx --as can.bo.kim-anh --dry-run
    """
    from agencyflow.cli.common import transaction
    from agencyflow.cli.identity import resolve_actor
    from agencyflow.services.reports import import_progress

    when = parse_now(now)
    with transaction() as session:
        actor = resolve_actor(session, as_user, now=when)
        result = import_progress(session, file, actor=actor, now=when, calendar=calendar(),
                                 dry_run=dry_run, lang=lang)
    from agencyflow.services.reports import tr

    msgid = ("{file}: would apply {n} rows — {completed} completed, {submitted} submitted, "
             "{progressed} progress reports; {unchanged} unchanged") if dry_run else (
             "{file}: applied {n} rows — {completed} completed, {submitted} submitted, "
             "{progressed} progress reports; {unchanged} unchanged")
    console.print(tr(lang, msgid, file=file.name, n=result.applied,
                     completed=len(result.completed), submitted=len(result.submitted),
                     progressed=len(result.progressed), unchanged=result.unchanged),
                  highlight=False)
