"""One page of the board at a time, by keyset: fast on any page of 200,000 assignments.

Rows come in the board's order — due date, then id, the assignments without a due date (waiting
for a step) last, by id — and a page is the ``limit`` rows after a :class:`Cursor` (the last row
of the previous page): never an OFFSET, never all rows. The query is the API's
(:func:`agencyflow.services.board.pages.page`: index seeks on ``(cycle_id, due_current, id)``),
so a page costs the same whether it is the first or the thousandth. The filters and the status
rule are the board's own (:mod:`agencyflow.services.board.listing`); "my work" is the board of one
agency restricted to unfinished work, so due-soon and overdue come first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from agencyflow.domain.deadlines import DayCounter
from agencyflow.errors import ValidationError
from agencyflow.services.board import pages as board_pages
from agencyflow.services.board.listing import BoardFilter

#: Rows per page unless asked otherwise, and the most a page may hold.
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after the row (``due``, ``id``); ``due`` None = the undated rows."""

    due: date | None
    id: int

    def encode(self) -> str:
        """The cursor as URL text: ``2027-03-15.1234`` or ``-.1234``."""
        return f"{self.due.isoformat() if self.due else '-'}.{self.id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Parse :meth:`encode`'s text (ValidationError when it is not one)."""
        day, sep, ident = text.partition(".")
        try:
            if not sep:
                raise ValueError
            return cls(None if day == "-" else date.fromisoformat(day), int(ident))
        except ValueError:
            raise ValidationError(f"page cursor {text!r} is not valid") from None


@dataclass(frozen=True)
class Page:
    """Rows of one page (dicts as :func:`agencyflow.services.board.listing.rows` gives) and the
    cursor
    of the next page (None on the last)."""

    rows: list[dict[str, Any]]
    next: Cursor | None


def page(conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
         after: Cursor | None = None, limit: int = PAGE_SIZE, unfinished: bool = False
         ) -> Page:
    """The ``limit`` board rows after ``after`` (the first page when None): the query is
    :func:`agencyflow.services.board.pages.page`'s, the one keyset page of the API and the
    pages (each page one to three index seeks)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"page size {limit}: between 1 and {MAX_PAGE_SIZE}")
    found = board_pages.page(conn, flt, today=today, calendar=calendar,
                             after=board_pages.Cursor(after.due, after.id) if after else None,
                             limit=limit, unfinished=unfinished)
    return Page(found.rows, Cursor(found.next.due, found.next.id) if found.next else None)


def my_work(conn: Any, agency: str, *, today: date, calendar: DayCounter,
            cycle_id: int | None = None, after: Cursor | None = None,
            limit: int = PAGE_SIZE, late_against: str = "current") -> Page:
    """What ``agency`` still has to do (it leads or cooperates): overdue and due soon first."""
    flt = replace(BoardFilter(cycle_id=cycle_id, late_against=late_against), agency=agency)
    return page(conn, flt, today=today, calendar=calendar, after=after, limit=limit,
                unfinished=True)
