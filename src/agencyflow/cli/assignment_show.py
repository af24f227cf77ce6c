"""`agencyflow assignment show`: one assignment as it was known at ``--now``.

A module of its own, apart from the commands that change an assignment
(:mod:`agencyflow.cli.assignment_cmds`), so that showing one loads only what reading needs: when
the database is ready as it is and no ``AGENCYFLOW_TOKEN`` is set (a token's use is recorded,
which the full path does), it reads through a plain DBAPI connection — the same read model
(:func:`agencyflow.services.assignments.views.show`) on it, so the same data and output —
without importing SQLAlchemy, SQLModel, pydantic-settings or Prefect.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import typer

from agencyflow import dbapi, locations
from agencyflow.cli.base import (
    AS_HELP,
    NOW_HELP,
    Format,
    calendar,
    handle_errors,
    json_default,
    parse_now,
)
from agencyflow.domain.permissions import Action

ID = typer.Argument(..., help="Assignment id (see `agencyflow board`).")
AS = typer.Option(None, "--as", help=AS_HELP)
NOW = typer.Option(None, "--now", help=NOW_HELP)


@handle_errors
def show(assignment_id: int = ID, as_user: str = AS, now: str = NOW,
         fmt: Format = typer.Option(Format.table, "--format", help="table or json.")) -> None:
    """Show an assignment: step, agencies, status on the day, history, extensions, evidence.

    Example: agencyflow assignment show 12 --now 2027-03-15 --format json
    """
    data = read(assignment_id, as_user, parse_now(now))
    if fmt is not Format.table:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=json_default)
                         + "\n")
        return
    from agencyflow.cli.assignment_view import print_assignment

    print_assignment(data)


def read(assignment_id: int, as_user: str | None, when: datetime) -> dict[str, Any]:
    """The read model of the assignment as the user sees it at ``when``: on a plain connection
    when the database is ready and no token is set, else in a session of the full path."""
    from agencyflow.cli.identity import resolve_actor
    from agencyflow.services import assignments

    where = locations.from_environment()
    conn = (dbapi.open_current(where.resolved_database_url())
            if where is not None and not where.token else None)
    if conn is None:
        from agencyflow.cli.identity import act_as

        shown: dict[str, Any] = act_as(as_user, when, lambda s, actor, at: assignments.show(
            s, assignment_id, actor, now=at, calendar=calendar()), reading=True)
        return shown
    try:
        actor = resolve_actor(conn, as_user, now=when, action=Action.READ)
        return assignments.show(conn, assignment_id, actor, now=when, calendar=calendar())
    finally:
        conn.close()
