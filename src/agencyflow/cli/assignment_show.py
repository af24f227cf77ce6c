"""`agencyflow assignment show`: one assignment as it was known at ``--now``.

A module of its own, apart from the commands that change an assignment
(:mod:`agencyflow.cli.assignment_cmds`), so that showing one loads only what reading needs.
"""

from __future__ import annotations

import json
import sys

import typer

from agencyflow.cli.base import AS_HELP, NOW_HELP, Format, calendar, handle_errors

ID = typer.Argument(..., help="Assignment id (see `agencyflow board`).")
AS = typer.Option(None, "--as", help=AS_HELP)
NOW = typer.Option(None, "--now", help=NOW_HELP)


@handle_errors
def show(assignment_id: int = ID, as_user: str = AS, now: str = NOW,
         fmt: Format = typer.Option(Format.table, "--format", help="table or json."),
         lang: str = typer.Option("vi", help="vi or en.")) -> None:
    """Show an assignment: step, agencies, status on the day, history, extensions, evidence.

    Example: agencyflow assignment show 12 --now 2027-03-15 --format json
    """
    from agencyflow.cli.assignment_view import print_assignment
    from agencyflow.cli.identity import act_as
    from agencyflow.services.assignments import moves as assignments

    data = act_as(as_user, now, lambda s, actor, when: assignments.show(
        s, assignment_id, actor, now=when, calendar=calendar()), reading=True)
    if fmt is not Format.table:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    print_assignment(data, lang)
