"""The board's rows folded in SQL, for the callers that read a whole cycle at once (the reports).

:func:`scope` gives the board's row set of a filter as SQL parts — the assignments (as known at
a moment, :mod:`~agencyflow.services.board.asof`), the filter's conditions and the board status
expression (:data:`~agencyflow.services.board.listing.STATUS_SQL`) — so that a report can count
or join on exactly the rows ``agencyflow board`` lists without fetching 200,000 of them into
Python. :func:`tally` is the count per lead agency, commune and status in one GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.domain.deadlines import DayCounter
from agencyflow.services.board import listing

TALLY_SQL = """SELECT a.lead_code, a.member, {status} AS board_status, count(*)
FROM {source}{where}
GROUP BY a.lead_code, a.member, board_status"""


@dataclass(frozen=True)
class Scope:
    """The board's rows of a filter: ``source`` (a FROM item, alias ``a``), the filter's
    ``conditions``, ``status`` (the board status of ``a``) and the parameters of all three."""

    source: str
    conditions: tuple[str, ...]
    status: str
    params: dict[str, Any]

    def where(self, *more: str) -> str:
        """The WHERE clause of the filter and ``more`` conditions ('' when there are none)."""
        clauses = (*self.conditions, *more)
        return "\nWHERE " + " AND ".join(clauses) if clauses else ""


def scope(conn: Any, flt: listing.BoardFilter, *, today: date, calendar: DayCounter,
          known_at: datetime | None = None) -> Scope:
    """The rows of the board of ``flt`` on ``today`` as known at ``known_at``, as SQL parts."""
    status = listing.status_sql(flt.late_against)
    conditions, params = listing._conditions(flt, status)
    source, past = listing._source(conn, known_at)
    return Scope(source, tuple(conditions), status,
                 {**params, **past, **listing._params(today, calendar)})


def tally(conn: Any, flt: listing.BoardFilter, *, today: date, calendar: DayCounter,
          known_at: datetime | None = None) -> list[tuple[str, str | None, str, int]]:
    """(lead agency, commune or None, board status, number of assignments) of the board of
    ``flt`` on ``today``, as known at ``known_at``: one GROUP BY."""
    s = scope(conn, flt, today=today, calendar=calendar, known_at=known_at)
    sql = TALLY_SQL.format(status=s.status, source=s.source, where=s.where())
    return [(lead, member, status, int(n)) for lead, member, status, n in fetch(conn, sql,
                                                                                 s.params)]
