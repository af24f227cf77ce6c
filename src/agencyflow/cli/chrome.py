"""The words typer and click print around our commands, and the commands' help, in the language
of the invocation — from our catalogs, through :mod:`agencyflow.i18n` like every other word.

Three things are English in the libraries and how each is translated:

- **Help screens** (usage line, panel titles, ``[default: …]``, ``[required]``, the help option's
  own help, every command's docstring and every option's ``help=``): :class:`LocalContext`, the
  context class of every command, renders them with the texts swapped for their translations
  (:func:`localized`) and restores the English afterwards, so the command objects keep the ids
  (tests and the command table compare them). A help text is translated paragraph by paragraph
  (:func:`help_paragraphs`), each paragraph one message id; the extractor
  (:mod:`agencyflow.cli.help_extract`) finds the same paragraphs in the source.
- **Usage errors** (``No such option``, ``Missing argument``, pydantic's ``Input should be a
  valid integer`` …): the vendored click formats them with f-strings, not gettext, so
  :func:`translate_usage` matches the English text against :data:`USAGE_MESSAGES` (the library's
  wording with named placeholders) and formats the translation with the captured parts, which are
  translated the same way (a message inside a message). :func:`report_usage_error` prints the
  usage line, a hint and the one error prefix (``Lỗi:``).
- **The language** is chosen before any of it is printed: :func:`language_in` reads ``--lang``
  from the command line (usage errors and ``--help`` happen before the command runs), else the
  context's language (``AGENCYFLOW_LANGUAGE``, else Vietnamese).

Importing this module costs only typer (already loaded) and :mod:`agencyflow.i18n`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import Any

import typer
from typer._click.formatting import HelpFormatter

from agencyflow.i18n import N_, _, current_language, pgettext, resolve_language

#: The words of typer's help screens (``typer.rich_utils`` translates them with the standard
#: library's gettext when it is imported, so they are English) and of its built-in options.
CHROME: frozenset[str] = frozenset((
    N_("Usage: "), N_("[OPTIONS]"), N_("COMMAND [ARGS]..."), N_("Options"), N_("Commands"),
    N_("Arguments"), N_("Error"), N_("[default: {}]"), N_("[env var: {}]"), N_("[required]"),
    N_("(deprecated) "), N_("Aborted."), N_("(dynamic)"),
    N_("Try [blue]'{command_path} {help_option}'[/] for help."),
    N_("Show this message and exit."), N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
))

#: The value types typer shows beside an option (``<str>``), as words of the current language.
TYPES: frozenset[str] = frozenset((N_("<str>"), N_("<int>"), N_("<float>"), N_("<path>"),
                                   N_("<datetime>")))


def _type_words(shown: Any) -> Any:
    """``param.display_type_rich`` with its type in the current language."""
    def display(ctx: Any) -> Any:
        text = shown(ctx)
        return _(text) if text in TYPES else text
    return display


#: The usage errors of click, typer and pydantic (typer validates values with it), in their
#: English wording with each variable part named. The more specific come first: a text is
#: matched whole against each in turn.
USAGE_MESSAGES: tuple[str, ...] = (
    N_("{problem} (Possible options: {options})"),
    N_("{problem}. Did you mean {suggestions}?"),
    N_("Missing argument {name}. {problem}"),
    N_("Missing option {name}. {problem}"),
    N_("Missing parameter {name}. {problem}"),
    N_("Missing argument {name}."),
    N_("Missing option {name}."),
    N_("Missing parameter {name}."),
    N_("Missing parameter: {name}"),
    N_("Missing command."),
    N_("Choose from:\n\t{choices}"),
    N_("No such option: {name}"),
    N_("No such command {name}."),
    N_("No such command {name}"),
    N_("Got unexpected extra argument(s) ({arguments})"),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {n} values."),
    N_("Invalid value for {name}: {problem}"),
    N_("Invalid value: {problem}"),
    N_("Value error, {problem}"),
    N_("{value} is not one of {choices}."),
    N_("Value {value} is not a valid {kind}."),
    N_("Value must be an iterable."),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid integer, got a number with a fractional part"),
    N_("Input should be a valid integer"),
    N_("Input should be a valid number, unable to parse string as a number"),
    N_("Input should be a valid number"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Input should be a valid boolean"),
    N_("Input should be greater than or equal to {n}"),
    N_("Input should be less than or equal to {n}"),
    N_("Input should be a valid path"),
    N_("File {name} does not exist."),
    N_("Directory {name} does not exist."),
    N_("Path {name} does not exist."),
    N_("File {name} is a directory."),
    N_("Path {name} is a directory."),
    N_("Directory {name} is a file."),
    N_("File {name} is not readable."),
    N_("File {name} is not writable."),
    N_("Path {name} is not writable."),
    N_("Could not open file {name}: {problem}"),
)


def argument_name(name: str) -> str:
    """How an argument is named in usage lines, the arguments panel and usage errors (typer
    shows the parameter's name: ``{assignment_id}``)."""
    names = {
        "assignment_id": pgettext("argument", "assignment_id"),
        "extension_id": pgettext("argument", "extension_id"),
        "feed_id": pgettext("argument", "feed_id"),
        "file": pgettext("argument", "file"),
        "ids": pgettext("argument", "ids"),
        "key": pgettext("argument", "key"),
        "new": pgettext("argument", "new"),
        "old": pgettext("argument", "old"),
        "path": pgettext("argument", "path"),
        "product_id": pgettext("argument", "product_id"),
        "source": pgettext("argument", "source"),
        "token_id": pgettext("argument", "token_id"),
        "username": pgettext("argument", "username"),
    }
    return names.get(name, name)


def language_in(args: Sequence[str]) -> str:
    """The language the invocation asks for: the last ``--lang X`` / ``--lang=X`` before ``--``,
    else the context's. A language we do not speak is the command's error to report (with
    ``--lang`` it raises ConfigError); until then the context's language is used."""
    chosen: str | None = None
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            chosen = args[i + 1]
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2]
    if chosen is not None:
        try:
            return resolve_language(chosen)
        except Exception:  # noqa: BLE001 - ConfigError; the command names it
            pass
    return current_language()


def help_paragraphs(text: str) -> list[str]:
    """The paragraphs of a help text, each one message id: what typer shows (the text before a
    ``\\f`` line), split at blank lines, each paragraph's lines joined by single spaces (typer
    joins them too). A paragraph that starts with ``\\b`` keeps its lines."""
    shown = text.partition("\f")[0]
    body = "\n".join(line.strip() for line in shown.expandtabs().split("\n")).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    return [p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs]


def translate_help(text: str | None) -> str | None:
    """A help text in the current language, paragraph by paragraph."""
    if not text:
        return text
    return "\n\n".join(_(p) for p in help_paragraphs(text))


@contextmanager
def localized(command: Any, ctx: Any, *, panels: bool) -> Iterator[None]:
    """Within the block, ``command``'s help, its parameters' help, its subcommands' help and
    usage metavars (and with ``panels``, typer's panel words) are in the current language; the
    English ids are put back afterwards."""
    saved: list[tuple[Any, str, Any]] = []

    def put(obj: Any, attribute: str, value: Any) -> None:
        saved.append((obj, attribute, getattr(obj, attribute)))
        setattr(obj, attribute, value)

    try:
        for attribute in ("help", "short_help", "epilog"):
            if getattr(command, attribute, None):
                put(command, attribute, translate_help(getattr(command, attribute)))
        for attribute in ("options_metavar", "subcommand_metavar"):
            if getattr(command, attribute, None):
                put(command, attribute, _(getattr(command, attribute)))
        for param in command.get_params(ctx):
            if getattr(param, "help", None):
                put(param, "help", translate_help(param.help))
            if param.param_type_name == "argument" and param.metavar is None and param.name:
                put(param, "metavar", argument_name(param.name))
            if callable(getattr(param, "display_type_rich", None)):
                put(param, "display_type_rich", _type_words(param.display_type_rich))
        for sub in getattr(command, "commands", {}).values():
            for attribute in ("help", "short_help"):
                if getattr(sub, attribute, None):
                    put(sub, attribute, translate_help(getattr(sub, attribute)))
        if panels:
            from typer import rich_utils

            for name, value in list(vars(rich_utils).items()):
                if name.isupper() and isinstance(value, str) and value in CHROME:
                    put(rich_utils, name, _(value))
        yield
    finally:
        for obj, attribute, value in reversed(saved):
            setattr(obj, attribute, value)


class LocalFormatter(HelpFormatter):
    """click's formatter with the usage line's prefix translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        """``Cách dùng: agencyflow board [TÙY CHỌN]`` (``Usage: …`` in English)."""
        super().write_usage(prog, args, _("Usage: ") if prefix is None else prefix)


class LocalContext(typer.Context):
    """The context of every agencyflow command: its help and usage in the current language."""

    formatter_class = LocalFormatter

    def get_help(self) -> str:
        """The help screen, translated (see :func:`localized`)."""
        with localized(self.command, self, panels=True):
            return super().get_help()

    def get_usage(self) -> str:
        """The usage line, translated."""
        with localized(self.command, self, panels=False):
            return super().get_usage()


def localize_tree(command: Any) -> Any:
    """Give ``command`` and every command under it the :class:`LocalContext`; returns it."""
    command.context_class = LocalContext
    for sub in getattr(command, "commands", {}).values():
        localize_tree(sub)
    return command


@lru_cache(maxsize=len(USAGE_MESSAGES))
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)"
                              for i, p in enumerate(parts)), re.S)


def translate_usage(text: str) -> str:
    """A usage error's English text in the current language (unchanged when it is none of
    :data:`USAGE_MESSAGES`: then it is ours, already translated)."""
    for template in USAGE_MESSAGES:
        match = _pattern(template).fullmatch(text)
        if match:
            return _(template).format(**{k: _part(v) for k, v in match.groupdict().items()})
    return text


def _part(value: str) -> str:
    """A captured part translated in turn (a message may hold another, its period dropped)."""
    translated = translate_usage(value)
    if translated == value and not value.endswith("."):
        with_period = translate_usage(value + ".")
        if with_period != value + ".":
            return with_period.rstrip(".")
    return translated


def report_usage_error(exc: Any) -> None:
    """Print a usage error as every error is printed: the usage line, where to find help, and
    ``Lỗi: <the problem>`` on standard error."""
    from agencyflow.cli.base import _error

    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        typer.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            typer.echo(_("See `{command} {option}` for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]), err=True)
    command = getattr(ctx, "command", None)
    with localized(command, ctx, panels=False) if command is not None else nullcontext():
        _error(translate_usage(exc.format_message()))  # an argument by its translated name


@contextmanager
def usage_errors() -> Iterator[None]:
    """Usage errors and aborts raised in the block printed in our words; exit 2 (1 for an
    abort). The help shown when a group is called without a command passes through."""
    from typer._click.exceptions import ClickException

    try:
        yield
    except ClickException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            raise
        report_usage_error(exc)
        raise typer.Exit(code=exc.exit_code) from None
    except typer.Abort:
        from agencyflow.cli.base import _error

        _error(_("Aborted."))
        raise typer.Exit(code=1) from None
