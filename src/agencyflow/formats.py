"""How people read dates, times and numbers — in the CLI, the web pages and the reports alike:
dd/mm/yyyy, Vietnam time. (JSON and CSV keep ISO 8601 with the offset.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from agencyflow.domain.calendar import TIMEZONE


def as_date(value: Any) -> date | None:
    """A date from a date, a datetime (in Vietnam time) or an ISO string; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.astimezone(TIMEZONE).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    if "T" in text:
        return as_date(datetime.fromisoformat(text))
    return date.fromisoformat(text[:10])


def ddmmyyyy(value: Any) -> str:
    """``dd/mm/yyyy`` (empty for None)."""
    if type(value) is date:  # the common case: a page or a listing writes thousands of them
        return _day_text(value)
    day = as_date(value)
    return _day_text(day) if day else ""


@lru_cache(maxsize=4096)
def _day_text(day: date) -> str:
    """A day's ``dd/mm/yyyy`` text (a listing has few distinct due dates)."""
    return day.strftime("%d/%m/%Y")


def ddmmyyyy_hhmm(value: Any, *, utc: bool = False) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time (empty for None); ``utc``: a value without an offset
    is UTC (as the database stores times), else it is already Vietnam time."""
    if value is None or value == "":
        return ""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if when.tzinfo is None and utc:
        when = when.replace(tzinfo=UTC)
    if when.tzinfo:
        when = when.astimezone(TIMEZONE)
    return when.strftime("%d/%m/%Y %H:%M")


def number(value: Any) -> str:
    """A number as Vietnamese offices write it: ``1.234`` thousands, ``3,5`` decimals."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
