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

import bisect
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.status import BoardStatus
from agencyflow.errors import ValidationError
from agencyflow.services.board import asof
from agencyflow.services.board import listing as board
from agencyflow.services.board import pages as board_pages
from agencyflow.services.board.listing import BoardFilter

#: The time of day a board "as of" a date shows what was known at: the CLI's ``--now DATE``.
ASOF_TIME = time(9, 0)

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
         after: Cursor | None = None, limit: int = PAGE_SIZE, unfinished: bool = False,
         known_at: datetime | None = None) -> Page:
    """The ``limit`` board rows after ``after`` (the first page when None): the query is
    :func:`agencyflow.services.board.pages.page`'s, the one keyset page of the API and the
    pages (each page one to three index seeks)."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(f"page size {limit}: between 1 and {MAX_PAGE_SIZE}")
    found = board_pages.page(conn, flt, today=today, calendar=calendar,
                             after=board_pages.Cursor(after.due, after.id) if after else None,
                             limit=limit, unfinished=unfinished, known_at=known_at)
    return Page(found.rows, Cursor(found.next.due, found.next.id) if found.next else None)


def known_at(day: date, now: datetime) -> datetime:
    """The moment the board of ``day`` shows what was known at: 09:00 of that day in Vietnam
    time, as ``agencyflow board --now DAY``; today's board (the form's default) shows
    everything recorded up to ``now``."""
    if day == local_date(now):
        return now
    return datetime.combine(day, ASOF_TIME, tzinfo=TIMEZONE)


def my_work(conn: Any, agency: str, *, today: date, calendar: DayCounter,
            cycle_id: int | None = None, after: Cursor | None = None,
            limit: int = PAGE_SIZE, late_against: str = "current") -> Page:
    """What ``agency`` still has to do (it leads or cooperates): overdue and due soon first."""
    flt = replace(BoardFilter(cycle_id=cycle_id, late_against=late_against), agency=agency)
    return page(conn, flt, today=today, calendar=calendar, after=after, limit=limit,
                unfinished=True)


#: A filter menu lists at most this many choices; a plan with more agencies or members (a
#: national plan of 10,000 communes) gets a text field instead, checked like the CLI's
#: ``--agency`` and ``--commune``.
MAX_CHOICES = 300


def menu(options: Sequence[tuple[str, str]], limit: int = MAX_CHOICES
         ) -> list[tuple[str, str]] | None:
    """``options`` as a filter menu, or None (a text field) when there are more than
    ``limit``."""
    return None if len(options) > limit else list(options)


def agencies(conn: Any, plan_key: str, limit: int = MAX_CHOICES) -> list[tuple[str, str]] | None:
    """(code, Vietnamese name) of the plan's agencies for the agency menu; None when there are
    more than ``limit``."""
    found = fetch(conn, "SELECT code, name_vi FROM agency WHERE plan_key = :plan_key "
                  "ORDER BY code LIMIT :limit", {"plan_key": plan_key, "limit": limit + 1})
    return None if len(found) > limit else [(code, name) for code, name in found]


#: Agencies per page of the counts table (a national plan has 10,000).
COUNTS_PAGE = 50

#: The newest audit event's number: every change of an assignment is an audit event written in
#: the same transaction (:mod:`agencyflow.services.board.asof` relies on the same rule), so counts
#: computed at one head stay true until the head moves.
HEAD_SQL = "SELECT seq FROM audit_head WHERE id = 1"


@dataclass(frozen=True)
class Tally:
    """The counts table of a board page: ``rows`` (agency code, its (status, count) pairs in
    the official order of :class:`BoardStatus`) of the agencies on this page in code order,
    the ``totals`` in the same order over every agency, the number of agencies, and the last
    code of this page when there is a next one (None on the last)."""

    rows: list[tuple[str, list[tuple[str, int]]]]
    totals: list[tuple[str, int]]
    agencies: int
    next_agency: str | None


@dataclass(frozen=True)
class _Counted:
    codes: list[str]
    counts: list[list[tuple[str, int]]]
    totals: list[tuple[str, int]]


class BoardCache:
    """What a board page reads besides its rows, computed once per state of the database.

    The counts' GROUP BY reads every assignment of the cycle (a quarter of a second at
    200,000); the menus read the plan's agencies. Every change of those is recorded with an
    audit event in its transaction, so a value computed at one audit head stays true until the
    head moves: a page view costs one probe of the head. Entries are keyed by what they were
    computed from and the head; the newest ``size`` are kept; concurrent misses of one key
    compute it once. One cache per database (the web app keeps one)."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._guard = threading.Lock()

    def tally(self, conn: Any, flt: BoardFilter, *, today: date, calendar: DayCounter,
              known_at: datetime | None = None, after_agency: str | None = None,
              size: int = COUNTS_PAGE) -> Tally:
        """One page of the counts (agencies after ``after_agency``) and the totals, as known at
        ``known_at`` (a moment after every record is the present: one key for all of them)."""
        moment = self.moment(conn, known_at)
        counted: _Counted = self.memo(conn, ("counts", flt, today, moment),
                                      lambda: _count(conn, flt, today, calendar, moment))
        start = bisect.bisect_right(counted.codes, after_agency) if after_agency else 0
        end = start + size
        rows = list(zip(counted.codes[start:end], counted.counts[start:end], strict=True))
        more = end < len(counted.codes)
        return Tally(rows, counted.totals, len(counted.codes),
                     rows[-1][0] if more and rows else None)

    @staticmethod
    def moment(conn: Any, known_at: datetime | None) -> datetime | None:
        """What a value "as known at ``known_at``" is keyed by: None for the present (nothing
        recorded after ``known_at``), else ``known_at``; so that today's board, asked at a new
        moment each time, is one key."""
        return None if asof.is_current(conn, known_at) else known_at

    @staticmethod
    def head(conn: Any) -> Any:
        """The database's current audit head (what :meth:`memo` keys by)."""
        [head] = fetch(conn, HEAD_SQL, {}) or [(None,)]
        return head[0]

    def memo(self, conn: Any, key: tuple[Any, ...], compute: Callable[[], Any], *,
             head: Any = None) -> Any:
        """``compute()``'s value for ``key`` at the database's current audit head (``head``:
        that head as :meth:`head` read it in this transaction, to read it once for several
        values)."""
        key = (*key, self.head(conn) if head is None else head)
        with self._guard:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._entries:
                    return self._entries[key]
            value = compute()
            with self._guard:
                self._entries[key] = value
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
                self._locks.pop(key, None)
        return value


def _count(conn: Any, flt: BoardFilter, today: date, calendar: DayCounter,
           known_at: datetime | None) -> _Counted:
    counts = board.counts(conn, flt, today=today, calendar=calendar, known_at=known_at)
    codes = sorted(counts)
    order = [s.value for s in BoardStatus]
    totals = [(s, sum(per.get(s, 0) for per in counts.values())) for s in order]
    return _Counted(codes, [[(s, counts[c].get(s, 0)) for s in order] for c in codes], totals)
