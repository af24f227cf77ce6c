"""What every command shares and that costs little to import: output, `--now`, errors, the calendar
and a read connection.

Nothing here imports SQLAlchemy, SQLModel, pydantic-settings or Prefect, so that a read-only
command such as ``agencyflow board`` answers in about half a second; rich (~50 ms) is imported when
something is printed with it, never for JSON or CSV output. The settings, engine and session of the
full path are in :mod:`agencyflow.cli.common`; :func:`reading` and :func:`calendar` take that path
only when they must.
"""

from __future__ import annotations

import csv
import inspect
import io
import json
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, time
from enum import StrEnum
from functools import wraps
from json.encoder import encode_basestring
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar

import typer

from agencyflow import dbapi, locations, storage
from agencyflow.domain import files
from agencyflow.domain.calendar import (
    TIMEZONE,
    WorkingCalendar,
    check_in_calendar,
    local_date,
    parse_date,
)
from agencyflow.errors import AgencyflowError, CalendarError
from agencyflow.formats import ddmmyyyy_hhmm
from agencyflow.i18n import _, current_language, language
from agencyflow.services import people
from agencyflow.services.plans import calendar_for

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    console: Console  # standard output, made on first use (see __getattr__)
    err_console: Console  # standard error, likewise

F = TypeVar("F", bound=Callable[..., Any])

#: (module, exception class) of the database errors reported as such; a module that is not loaded
#: cannot have raised anything, so none of them is imported here.
_DATABASE_ERRORS = (("sqlalchemy.exc", "SQLAlchemyError"), ("sqlite3", "Error"),
                    ("psycopg", "Error"))


class Format(StrEnum):
    """Output formats of listing commands."""

    table = "table"
    json = "json"
    csv = "csv"


LANG_HELP = "Language of the output: vi (the default) or en; or set AGENCYFLOW_LANGUAGE."
NOW_HELP = "Act as if it were this day (YYYY-MM-DD or dd/mm/yyyy, optionally THH:MM; Vietnam time)."
AS_HELP = "Act as this user (or set AGENCYFLOW_TOKEN to an API token)."


def __getattr__(name: str) -> Any:
    """``console`` and ``err_console``: the rich consoles, made when first used."""
    if name in ("console", "err_console"):
        return _console(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _console(name: str) -> Console:
    made = globals().get(name)
    if made is None:
        from rich.console import Console

        # No markup: what people typed (notes, reasons, names) is printed as typed, brackets
        # and all; styled output is built with styled().
        made = globals()[name] = Console(stderr=name == "err_console", markup=False)
    return made


def parse_now(value: str | None) -> datetime:
    """``--now``: a date (09:00 that day) or an ISO date-time, in Vietnam time; default: now."""
    if not value:
        return datetime.now(TIMEZONE)
    try:
        if "T" in value or " " in value.strip():
            parsed = datetime.fromisoformat(value.strip())
            parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=TIMEZONE)
        else:
            parsed = datetime.combine(parse_date(value), time(9, 0), tzinfo=TIMEZONE)
        day = local_date(parsed)
    except (ValueError, CalendarError, OverflowError):
        raise CalendarError(_(
            "--now \"{value}\" is not a date: use YYYY-MM-DD, dd/mm/yyyy or YYYY-MM-DDTHH:MM"
        ).format(value=value)) from None
    check_in_calendar(day, "--now")
    return parsed


def calendar() -> WorkingCalendar:
    """The working-day calendar with the configured local overrides."""
    where = locations.from_environment()
    if where is None:  # only the validated settings can tell (and name a bad variable)
        from agencyflow.cli.common import settings

        return calendar_for(settings())
    return calendar_for(where)


@contextmanager
def reading() -> Iterator[Any]:
    """A connection for reading the configured database, for :func:`agencyflow.dbapi.fetch`.

    A plain DBAPI connection when the database is ready as it is (see
    :func:`agencyflow.dbapi.open_current`); otherwise a session of the full path, which validates
    the settings and upgrades the embedded database or says what is wrong. Either way an
    ``AGENCYFLOW_TOKEN`` that is set must be valid (AuthenticationError otherwise).
    """
    where = locations.from_environment()
    conn = dbapi.open_current(where.resolved_database_url()) if where is not None else None
    if conn is None:
        from agencyflow.cli.common import transaction

        with transaction() as session:  # checks AGENCYFLOW_TOKEN
            yield session
        return
    try:
        if where is not None and where.token:  # an invalid token is an error, reads included
            people.dbapi_token_actor(conn, where.token)
        yield conn
    finally:
        conn.close()


def handle_errors(func: F) -> F:
    """Give the command ``--lang`` and run it in that language (a command with a ``lang``
    parameter of its own gets the language code there); turn expected errors into a clear
    message and exit code 1 (2 for bad plans)."""
    signature = inspect.signature(func)
    takes_lang = "lang" in signature.parameters

    @wraps(func)
    def wrapper(*args: Any, lang: str | None = None, **kwargs: Any) -> Any:
        try:
            # without --lang: the language of the context (a caller's, else
            # AGENCYFLOW_LANGUAGE, else Vietnamese); an unknown --lang is a ConfigError
            with language(lang) if lang else nullcontext(current_language()) as code:
                try:
                    return _run(func, args, {**kwargs, "lang": code} if takes_lang else kwargs)
                except AgencyflowError as exc:
                    _fail(exc)  # in the command's language
        except AgencyflowError as exc:
            _fail(exc)

    option = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, annotation=str,
                               default=typer.Option(None, "--lang", help=LANG_HELP))
    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*(p for p in signature.parameters.values() if p.name != "lang"), option])
    wrapper.__annotations__ = {**func.__annotations__, "lang": str}
    return wrapper  # type: ignore[return-value]


def _fail(exc: AgencyflowError) -> NoReturn:
    """Say what went wrong; exit 1 (2 for a bad plan)."""
    _error(str(exc))
    raise typer.Exit(code=2 if type(exc).__name__ == "PlanError" else 1) from None


def _run(func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """``func(*args, **kwargs)``, the errors that are not agencyflow's turned into messages."""
    try:
        return func(*args, **kwargs)
    except OverflowError:
        # A number beyond what the database holds that no service bounded (the services
        # answer ids, years and limits themselves): a message, never a traceback.
        _error(_("a number given is too large (at most {max})").format(max=2**63 - 1))
        raise typer.Exit(code=1) from None
    except OSError as exc:  # a file a command writes itself (e.g. `audit export --output`)
        where = exc.filename or _("a file")
        problem = storage.file_error(exc, where=where, what=_("the output"))
        if problem is None and exc.filename is None:
            raise  # not a file at all (a refused connection, say): not for this message
        _error(str(problem) if problem else _("cannot write {path}: {reason}").format(
            path=where, reason=files.reason(exc)))
        raise typer.Exit(code=1) from None
    except AgencyflowError:
        raise
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        _database_error(exc)
        raise typer.Exit(code=1) from None


def _database_error(exc: Exception) -> None:
    where = locations.from_environment()
    problem = storage.database_error(exc, where.resolved_database_url()) if where else None
    if problem is not None:
        _error(str(problem))
        return
    # Not expected input: a database that is unreachable, locked, or on another schema.
    reason = getattr(exc, "orig", None) or exc
    _error(_("database error: {reason} (is AGENCYFLOW_DATABASE_URL right, and the schema "
             "current? try `agencyflow db status`)").format(reason=reason))


def _is_database_error(exc: Exception) -> bool:
    for module_name, class_name in _DATABASE_ERRORS:
        module = sys.modules.get(module_name)
        if module is not None and isinstance(exc, getattr(module, class_name)):
            return True
    return False


def _error(message: str) -> None:
    """``Lỗi: message`` (``Error:`` in English) on standard error: the one prefix of errors."""
    _console("err_console").print(styled((_("Error:"), "bold red"), f" {message}"),
                                  highlight=False, soft_wrap=True)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Terminal text from plain strings and (string, style) pairs; nothing in them is read as
    markup."""
    from rich.text import Text

    return Text.assemble(*parts)


def _cell(value: Any) -> str:
    """A value as a person reads it: dd/mm/yyyy, Vietnam time, yes/no, lists joined."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return ddmmyyyy_hhmm(value, utc=True)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def json_default(value: Any) -> Any:
    """JSON for what ``json`` does not know: times as ISO 8601 with the offset, else text."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


#: Exact types whose JSON text is quick to write, as ``json.dumps(..., default=json_default)``
#: writes it.
_JSON_TEXT: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, type(None): lambda _value: "null",
    date: lambda value: encode_basestring(str(value)),
    datetime: lambda value: encode_basestring(value.isoformat(timespec="seconds")),
}


def json_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """``json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, indent=2,
    default=json_default)``, the same text in less than half the time (10,000 board rows: 0.06 s
    instead of 0.15 s; with ``indent`` the standard library encodes in pure Python). Strings,
    integers, None, dates, times and lists of strings are written here; any other value by
    ``json.dumps`` itself.
    """
    out = io.StringIO()
    write_json_rows(rows, columns, out)
    return out.getvalue()


def write_json_rows(rows: Iterable[dict[str, Any]], columns: Sequence[str], out: TextIO,
                    batch: int = 500) -> None:
    """:func:`json_rows` written to ``out`` as the rows come (``batch`` rows a write), so that
    a listing of any length is never held in memory."""
    if not columns or len(set(columns)) != len(columns):
        def encode(r: dict[str, Any]) -> str:
            text = json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False, indent=2,
                              default=json_default)
            return text.replace("\n", "\n  ")
    else:
        pairs = [(("{" if i == 0 else ",") + "\n    " + encode_basestring(c) + ": ", c)
                 for i, c in enumerate(columns)]

        def encode(r: dict[str, Any]) -> str:
            parts = []
            for key, column in pairs:
                value = r.get(column)
                text = _JSON_TEXT.get(type(value))
                parts.append(key + (text(value) if text is not None else _json_value(value)))
            parts.append("\n  }")
            return "".join(parts)
    written: list[str] = []
    count = 0
    for r in rows:
        written.append(("[\n  " if count == 0 else ",\n  ") + encode(r))
        count += 1
        if len(written) >= batch:
            out.write("".join(written))
            written.clear()
    out.write("".join(written) + ("\n]" if count else "[]"))


def _json_value(value: Any, newline: str = "\n    ") -> str:
    """A value inside a row (two levels deep), as ``json.dumps(indent=2)`` writes it there."""
    if type(value) is list and value and all(type(item) is str for item in value):
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(map(encode_basestring, value)) + newline + "]"
    text = json.dumps(value, ensure_ascii=False, indent=2, default=json_default)
    return text.replace("\n", newline)  # a nested value is indented by its depth


def _csv_cell(value: Any) -> str:
    """A value in CSV: ISO 8601 dates and times (with the offset), codes and numbers as they
    are."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return _cell(value)


def emit(rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: Format,
         *, title: str | None = None, headers: Sequence[str] | None = None,
         right: Collection[str] = (), words: Mapping[str, str] | None = None) -> None:
    """Print rows as a table (``right``: the columns aligned right), JSON (a list of objects)
    or CSV (UTF-8, header row). JSON and CSV are written as the rows come, so ``rows`` may be
    an iterator over any number of them; a table needs them all.

    JSON and CSV hold the codes and ISO times; a table is for people: its headers are the
    columns' words (:func:`agencyflow.cli.words.header`, unless ``headers`` are given), the
    codes of the ``words`` columns (column → a kind of :mod:`agencyflow.labels`) are shown in
    words, times in Vietnam time, yes/no for booleans."""
    if fmt is Format.json:
        write_json_rows(rows, columns, sys.stdout)
        sys.stdout.write("\n")
        return
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([_csv_cell(r.get(c)) for c in columns] for r in rows)
        return
    from agencyflow.cli.words import header
    from agencyflow.labels import label

    headers = list(headers) if headers else [header(c) for c in columns]
    if words:
        rows = [{**r, **{c: label(kind, r.get(c)) for c, kind in words.items()}} for r in rows]
    rows = rows if isinstance(rows, Sequence) else list(rows)
    console = _console("console")
    if not console.is_terminal or len(rows) > RICH_MAX_ROWS:
        sys.stdout.write(_plain_table(rows, columns, headers, title, right))
        return
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column, text in zip(columns, headers, strict=True):
        table.add_column(text, overflow="fold", justify="right" if column in right else "left")
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    console.print(table)


#: In a terminal, tables of up to this many rows are drawn by rich (boxed, wrapped to the
#: terminal's width; rich needs about a millisecond a row). Longer tables, and every table
#: written to a pipe or a file, are printed one line per row, so that grep, sort and less work.
RICH_MAX_ROWS = 500


def _plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str],
                 headers: Sequence[str], title: str | None, right: Collection[str] = ()) -> str:
    """The rows as aligned columns, one line each (a cell's line breaks become spaces), under a
    header; widths are terminal cells (rich's measure: wide and combining characters count)."""
    from rich.cells import cell_len

    cells = [[" ".join(_cell(r.get(c)).split()) for c in columns] for r in rows]
    lengths = [[cell_len(v) for v in row] for row in cells]
    widths = [max([cell_len(h), *(n[i] for n in lengths)]) for i, h in enumerate(headers)]

    flush = [c in right for c in columns]

    def line(values: Sequence[str], sizes: Sequence[int]) -> str:
        return "  ".join(" " * (w - n) + v if r else v + " " * (w - n)
                         for v, n, w, r in zip(values, sizes, widths, flush, strict=True)
                         ).rstrip()

    out = [title] if title else []
    out.append(line(headers, [cell_len(h) for h in headers]))
    out.append(line(["-" * w for w in widths], widths))
    out += [line(row, n) for row, n in zip(cells, lengths, strict=True)]
    return "\n".join(out) + "\n"
