"""The `agencyflow` command line. Each group of commands lives in its own module.

Commands are registered from one table. The console script loads only the module of the command
being run (importing every module — services, templates, the demo — would cost a second or more
before `agencyflow board` could answer); ``--help`` and the tests get the whole application.
"""

from __future__ import annotations

import sys
from importlib import import_module

import typer

#: name → (module under agencyflow.cli, attribute, how it is added)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "board": ("board_cmds", "board", "command"),
    "targets": ("targets_cmds", "targets", "command"),
    "report": ("report_cmds", "report", "command"),
    "calendar": ("calendar_cmds", "calendar", "command"),
    "export": ("export_cmds", "app", "group"),
    "import": ("import_cmds", "app", "group"),
    "remind": ("notify_cmds", "remind", "command"),
    "serve": ("notify_cmds", "serve", "command"),
    "dispatch": ("worker_cmds", "dispatch", "command"),
    "sweep": ("worker_cmds", "sweep", "command"),
    "demo": ("demo_cmds", "demo", "command"),
    "web": ("web_cmds", "web", "command"),
    "plan": ("plan_cmds", "app", "group"),
    "cycle": ("cycle_cmds", "app", "group"),
    "assignment": ("assignment_cmds", "app", "group"),
    "user": ("user_cmds", "app", "group"),
    "audit": ("audit_cmds", "app", "group"),
    "notifications": ("notify_cmds", "notifications_app", "group"),
    "channels": ("notify_cmds", "channels_app", "group"),
    "db": ("db_cmds", "app", "group"),
    "products": ("product_cmds", "app", "group"),
}


def build(only: str | None = None) -> typer.Typer:
    """The application with every command, or with just ``only`` when it names one."""
    application = typer.Typer(
        name="agencyflow",
        help="Turn an inter-agency plan into tracked, reminded and audited assignments.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    # A callback keeps it a group even with one command registered (typer would otherwise run
    # that command as the whole program and refuse its name as an extra argument).
    application.callback()(_root)
    for name, (module, attribute, how) in COMMANDS.items():
        if only in COMMANDS and name != only:
            continue
        target = getattr(import_module(f"agencyflow.cli.{module}"), attribute)
        if how == "group":
            application.add_typer(target, name=name)
        else:
            application.command(name)(target)
    return application


def _root() -> None:
    """Turn an inter-agency plan into tracked, reminded and audited assignments."""


def __getattr__(name: str) -> typer.Typer:
    """``agencyflow.cli.app``: the whole application, built on first use (tests, docs)."""
    if name == "app":
        application = build()
        globals()["app"] = application
        return application
    raise AttributeError(name)


def main() -> None:
    """Console-script entry point: load only the command named on the command line."""
    first = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
    build(first)()
