"""Reading what people type in a sheet: Vietnamese-style numbers and dates, yes/no (pure).

A number cell is taken as it is. Text is read the Vietnamese way — ``.`` groups thousands and
``,`` is the decimal mark: ``1.234,5`` → 1234.5, ``1.234`` → 1234, ``2,5`` → 2.5. A text that
could be read both ways (``1.5``: one and a half, or fifteen hundred badly grouped?) is refused
with a hint, never guessed. Dates: a date cell, or ``15/03/2027`` (dd/mm/yyyy), or ISO.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from agencyflow.domain.calendar import parse_date
from agencyflow.errors import CalendarError
from agencyflow.i18n import _

_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_PLAIN = re.compile(r"[+-]?\d+(,\d+)?")
_TRUE = {"có", "co", "x", "yes", "y", "true", "1", "đúng", "rồi", "đã xong"}
_FALSE = {"không", "khong", "no", "n", "false", "0", "chưa", "sai"}


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds (the message says why)."""


def number(value: Any) -> int | float:
    """A number from a number cell or Vietnamese-style text."""
    if isinstance(value, bool):
        raise BadValue(_("{value} is not a number").format(value=repr(value)))
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else value
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if _GROUPED.fullmatch(text) or _PLAIN.fullmatch(text):
        parsed = float(text.replace(".", "").replace(",", "."))
        return int(parsed) if parsed.is_integer() and "," not in text else parsed
    if re.fullmatch(r"[+-]?\d+\.\d+", text):
        comma = text.replace(".", ",")
        raise BadValue(_("{value} is ambiguous: write the decimal with a comma ({comma}) or "
                         "type it in a number cell").format(value=repr(value), comma=comma))
    raise BadValue(_("{value} is not a number (write it like 1.234,5)").format(
        value=repr(value)))


def day(value: Any) -> date:
    """A date from a date cell, ``dd/mm/yyyy`` or ``YYYY-MM-DD`` text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except CalendarError:
        raise BadValue(_("{value} is not a date (write it as dd/mm/yyyy, e.g. 15/03/2027)")
                       .format(value=repr(value))) from None


def yes_no(value: Any) -> bool:
    """có/không (and yes/no, x, 1/0)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(_("{value} is not có or không").format(value=repr(value)))


def text(value: Any) -> str:
    """A cell as text (a whole number cell without its ``.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def blank(value: Any) -> bool:
    """True for an empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())
