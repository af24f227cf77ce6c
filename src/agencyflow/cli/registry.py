"""Commands that load when they run: a table of where each command is, and a typer group that
imports a command's module only when that command is invoked.

Importing every command module (the services, SQLAlchemy, the SQLModel tables, the templates, the
demo) costs a second or more; ``agencyflow --help`` needs none of it and ``agencyflow board``
needs one module. So the root group, and any group listed with its own commands, knows its
commands from an :class:`Entry` table: a help listing prints each entry's ``help`` (the first
paragraph of the command's own help, kept equal to it by a test) and imports nothing; invoking a
command imports its module and builds its click command (the pattern of click's "lazily loading
subcommands", with help that does not load them).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from importlib import import_module
from typing import Any, ClassVar

import typer
import typer.main
from typer._click.exceptions import UsageError
from typer.core import TyperCommand, TyperGroup

from agencyflow.cli.chrome import LocalContext, language_in, localize_tree, usage_errors
from agencyflow.i18n import _, language


@dataclass(frozen=True)
class Entry:
    """Where a command is and what a help listing says of it.

    ``module`` (under :mod:`agencyflow.cli`) and ``attribute`` name a command function or a
    ``typer.Typer`` group. In a group listed with ``commands``, an entry whose attribute is a
    ``typer.Typer`` stands for the command of the entry's name in that group. ``commands``: the
    group's own commands, each loaded alone (the group's ``module`` is then not imported).
    """

    module: str
    attribute: str
    help: str
    commands: Mapping[str, Entry] = field(default_factory=dict)


def _click_command(entry: Entry, name: str, *, member: bool) -> Any:
    """The click command of ``entry`` (importing its module), its help and usage errors in the
    invocation's language (:mod:`agencyflow.cli.chrome`); ``member``: the entry is in a lazily
    listed group, so a ``typer.Typer`` attribute means its command called ``name``."""
    return localize_tree(_build(entry, name, member=member))


def _build(entry: Entry, name: str, *, member: bool) -> Any:
    if entry.commands:
        return lazy_group(entry.commands, members=True)(name=name, help=entry.help,
                                                        no_args_is_help=True)
    target = getattr(import_module(f"agencyflow.cli.{entry.module}"), entry.attribute)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        if member:
            return group.commands[name]
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_group(single).commands[name]


class LazyGroup(TyperGroup):
    """A typer group whose commands are the :attr:`entries` table, each loaded when invoked."""

    context_class = LocalContext
    entries: ClassVar[Mapping[str, Entry]] = {}
    #: Whether an entry naming a ``typer.Typer`` means its command of the entry's name (the
    #: commands of a group listed with its own commands) rather than the whole group.
    members: ClassVar[bool] = False
    #: Whether the commands are loaded to list them in a help text (never: they are described
    #: by their entries).
    _listing = False

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        """Run the command line in the language it asks for (``--lang``, else the context's):
        its help and usage errors are printed before the command itself runs."""
        argv = list(sys.argv[1:] if args is None else args)
        with language(language_in(argv)):
            return super().main(argv, *rest, **extra)

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        """As click's, a usage error printed in our words."""
        with usage_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        """As click's, a usage error of a command below printed in our words."""
        with usage_errors():
            return super().invoke(ctx)

    def list_commands(self, ctx: Any) -> list[str]:
        """The table's commands in its order."""
        return list(self.entries)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command ``cmd_name``: its description while a help text lists it, else the
        command itself, its module imported now."""
        entry = self.entries.get(cmd_name)
        if entry is None:
            return None
        if self._listing:
            return TyperCommand(name=cmd_name, help=_(entry.help))
        if cmd_name not in self.commands:
            self.commands[cmd_name] = _click_command(entry, cmd_name, member=self.members)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The help text, listing the commands from the table."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As typer's, its "did you mean" taken from the table (nothing is loaded yet)."""
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as exc:
            matches = get_close_matches(args[0], list(self.entries)) if args else []
            if matches:  # typer's own words (translated with them when printed)
                suggestions = ", ".join(f"{m!r}" for m in matches)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {suggestions}?"
            raise


def lazy_group(entries: Mapping[str, Entry], *, members: bool = False) -> type[LazyGroup]:
    """A :class:`LazyGroup` class over ``entries`` (for ``typer.Typer(cls=...)``)."""
    return type("LazyGroup", (LazyGroup,), {"entries": entries, "members": members})


def load(entries: Mapping[str, Entry], path: list[str]) -> Any:
    """The click command at ``path`` (names from the root table), every module on the way
    imported: what a test compares an entry's help with."""
    entry = entries[path[0]]
    command = _click_command(entry, path[0], member=False)
    for name in path[1:]:
        command = command.get_command(None, name)
    return command
