"""The `agencyflow` command line. Each group of commands lives in its own module."""

from __future__ import annotations

import typer

from agencyflow.cli import board_cmds, cycle_cmds, db_cmds, plan_cmds

app = typer.Typer(
    name="agencyflow",
    help="Turn an inter-agency plan into tracked, reminded and audited assignments.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(plan_cmds.app, name="plan")
app.add_typer(cycle_cmds.app, name="cycle")
app.add_typer(db_cmds.app, name="db")
app.command("board")(board_cmds.board)


def main() -> None:
    """Console-script entry point."""
    app()
