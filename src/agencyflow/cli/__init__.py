"""The `agencyflow` command line. Each group of commands lives in its own module."""

from __future__ import annotations

import typer

from agencyflow.cli import (
    assignment_cmds,
    audit_cmds,
    board_cmds,
    cycle_cmds,
    db_cmds,
    demo_cmds,
    notify_cmds,
    plan_cmds,
    targets_cmds,
    user_cmds,
)

app = typer.Typer(
    name="agencyflow",
    help="Turn an inter-agency plan into tracked, reminded and audited assignments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(plan_cmds.app, name="plan")
app.add_typer(cycle_cmds.app, name="cycle")
app.add_typer(db_cmds.app, name="db")
app.add_typer(assignment_cmds.app, name="assignment")
app.command("board")(board_cmds.board)
app.add_typer(user_cmds.app, name="user")
app.add_typer(audit_cmds.app, name="audit")
app.command("targets")(targets_cmds.targets)
notify_cmds.register(app)
app.command("demo")(demo_cmds.demo)


def main() -> None:
    """Console-script entry point."""
    app()
