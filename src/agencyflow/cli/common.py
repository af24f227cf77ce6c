"""What every command shares: settings, the database, the calendar, `--now`, output, errors.

Interactive commands never import Prefect (it costs ~1.5 s to import): flows are imported inside the
commands that run them.
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, time
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from agencyflow.config import Settings, get_settings
from agencyflow.db import engine_from_settings, session_scope
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar, parse_date
from agencyflow.errors import AgencyflowError, CalendarError
from agencyflow.services.calendar_store import calendar_for

console = Console()
err_console = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


class Format(StrEnum):
    """Output formats of listing commands."""

    table = "table"
    json = "json"
    csv = "csv"


NOW_HELP = "Act as if it were this day (YYYY-MM-DD or dd/mm/yyyy, optionally THH:MM; Vietnam time)."
AS_HELP = "Act as this user (or set AGENCYFLOW_TOKEN to an API token)."


def parse_now(value: str | None) -> datetime:
    """``--now``: a date (09:00 that day) or an ISO date-time, in Vietnam time; default: now."""
    if not value:
        return datetime.now(TIMEZONE)
    try:
        if "T" in value or " " in value.strip():
            parsed = datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=TIMEZONE)
        return datetime.combine(parse_date(value), time(9, 0), tzinfo=TIMEZONE)
    except (ValueError, CalendarError):
        raise CalendarError(
            f"--now {value!r} is not a date: use YYYY-MM-DD, dd/mm/yyyy or YYYY-MM-DDTHH:MM"
        ) from None


def settings() -> Settings:
    """The validated settings (ConfigError names a bad variable)."""
    return get_settings()


def engine() -> Engine:
    """The configured database, schema checked (the embedded one is upgraded automatically)."""
    return engine_from_settings(settings())


def calendar() -> WorkingCalendar:
    """The working-day calendar with the configured local overrides."""
    return calendar_for(settings())


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction on the configured database."""
    with session_scope(engine()) as session:
        yield session


def os_actor() -> str:
    """The name recorded as actor when no agencyflow user is given (bootstrap, system jobs)."""
    try:
        return f"system:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return "system"


def handle_errors(func: F) -> F:
    """Turn expected errors into a clear message and exit code 1 (2 for bad plans)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AgencyflowError as exc:
            _error(f"{type(exc).__name__}: {exc}")
            raise typer.Exit(code=2 if type(exc).__name__ == "PlanError" else 1) from None
        except SQLAlchemyError as exc:
            # Not expected input: a database that is unreachable, locked, or on another schema.
            reason = getattr(exc, "orig", None) or exc
            _error(f"database error: {type(reason).__name__}: {reason} "
                   "(is AGENCYFLOW_DATABASE_URL right, and the schema current? "
                   "try `agencyflow db status`)")
            raise typer.Exit(code=1) from None

    return wrapper  # type: ignore[return-value]


def _error(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True,
                      soft_wrap=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format,
         *, title: str | None = None, headers: Sequence[str] | None = None) -> None:
    """Print rows as a rich table, JSON (a list of objects) or CSV (UTF-8, header row)."""
    if fmt is Format.json:
        data = [{c: r.get(c) for c in columns} for r in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is Format.csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(columns)
        for r in rows:
            writer.writerow([r.get(c).isoformat() if isinstance(r.get(c), date) else
                             _cell(r.get(c)) for c in columns])
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for header in headers or columns:
        table.add_column(header, overflow="fold")
    for r in rows:
        table.add_row(*(_cell(r.get(c)) for c in columns))
    console.print(table)
