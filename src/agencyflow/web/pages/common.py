"""Small helpers the page modules share (no rules: those are in the services)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.services import board
from agencyflow.services.board import BoardCycle, Cursor
from agencyflow.services.database import Session
from agencyflow.web.formats import as_date

#: What :func:`day_of` gives for an empty field: a day, or None.
D = TypeVar("D", date, None)


def newest_cycle(session: Session, plan: str | None = None, year: int | None = None
                 ) -> BoardCycle | None:
    """The cycle a page shows by default (None when no cycle was started)."""
    try:
        return board.cycle_for(session, plan, year)
    except NotFound:
        if plan or year:
            raise
        return None


def cursor_of(text: str | None) -> Cursor | None:
    """The page cursor of a query parameter (None for the first page)."""
    return Cursor.decode(text) if text else None


def day_of(text: str | None, default: D) -> date | D:
    """A day typed in a filter (``dd/mm/yyyy`` or ``YYYY-MM-DD``), else ``default``."""
    if not text:
        return default
    from agencyflow.domain.calendar import parse_date

    try:
        return parse_date(text)
    except Exception:  # noqa: BLE001 - CalendarError or ValueError: one message
        raise ValidationError(_("{text!r} is not a date: write dd/mm/yyyy").format(
            text=text)) from None


__all__ = ["as_date", "cursor_of", "day_of", "newest_cycle"]
