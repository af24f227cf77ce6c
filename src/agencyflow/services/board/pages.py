"""The board one page at a time: keyset pagination, never OFFSET over the table.

Rows come in the board's order — due date, undated ones last, then id — and a page ends with a
:class:`Cursor` naming the last row shown (its due date and id). The next page continues *after*
that row with a range condition that the index ``(cycle_id, due_current, id)`` serves, so page
5,000 costs what page 1 costs. The dated rows are read first; when they run out, the undated ones
follow in id order (two range scans instead of a sort over the cycle).

The filters and the status rule are the board's own (:mod:`agencyflow.services.board.listing`).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from agencyflow.dbapi import fetch
from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.lifecycle import UNFINISHED
from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.services.board import listing as board

#: Rows per page when the caller does not say, and the most it may ask for.
DEFAULT_LIMIT, MAX_LIMIT = 50, 500

PAGE_SQL = """SELECT a.id, a.version, a.step_id, a.period, a.member, a.lead_code, a.cooperating,
  a.title_vi, a.title_en, a.due_original, a.due_current, a.completed_on, a.status,
  {status} AS board_status, a.clauses, a.year, a.plan_key, a.recorded_late_by
FROM {source}{where}
ORDER BY {order}
LIMIT :limit"""

#: The range scans a page is read from, in order, by where the previous page ended: each is one
#: seek on the index (a row-value ``(due, id) > (:d, :id)`` is not a seek on SQLite).
_SCANS: dict[str, tuple[str, str]] = {
    "dated": ("a.due_current IS NOT NULL", "a.due_current, a.id"),
    "same_day": ("a.due_current = :after_due AND a.id > :after_id", "a.id"),
    "later": ("a.due_current > :after_due", "a.due_current, a.id"),
    "undated": ("a.due_current IS NULL", "a.id"),
    "undated_after": ("a.due_current IS NULL AND a.id > :after_id", "a.id"),
}


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last row's due date (None in the undated tail) and id."""

    due: date | None
    id: int

    def encode(self) -> str:
        """The opaque text a client sends back as ``cursor``."""
        raw = json.dumps([self.due.isoformat() if self.due else None, self.id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor ``text`` stands for; ValidationError when it is not one of ours."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            due, id_ = json.loads(raw)
            if not isinstance(id_, int) or isinstance(id_, bool) or id_ < 0:
                raise ValueError
            return cls(date.fromisoformat(due) if due is not None else None, id_)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise ValidationError(f"cursor {text[:40]!r} is not a cursor this server gave out "
                                  "(start again without one)") from None


@dataclass(frozen=True)
class Page:
    """One page of board rows (dicts as :func:`agencyflow.services.board.listing.rows` gives them,
    with
    ``version``) and the cursor of the next page (None on the last page)."""

    rows: list[dict[str, Any]]
    next: Cursor | None


#: Only what is still to do ("my work"): the states before done and cancelled.
_UNFINISHED = "a.status IN ({})".format(", ".join(f"'{s.value}'" for s in sorted(UNFINISHED)))


#: The changeable columns a page reads from the past (its rows carry the version).
PAST_FIELDS = (*board.PAST_FIELDS, "version")


def _sql(flt: board.BoardFilter, status: str, scan: str, unfinished: bool = False,
         source: str = "assignment a") -> tuple[str, dict[str, Any]]:
    """The page query of ``flt`` for one of the :data:`_SCANS` (only unfinished work when
    ``unfinished``) over ``source`` (the table, or the past of :mod:`asof`)."""
    where, params = board._where(flt, status)
    condition, order = _SCANS[scan]
    if unfinished:
        condition = f"{_UNFINISHED} AND {condition}"
    where = f"{where} AND {condition}" if where else f"\nWHERE {condition}"
    return PAGE_SQL.format(status=status, where=where, order=order, source=source), params


def _scans(after: Cursor | None) -> list[str]:
    if after is None:
        return ["dated", "undated"]
    if after.due is None:
        return ["undated_after"]
    return ["same_day", "later", "undated"]


def page(conn: Any, flt: board.BoardFilter, *, today: date, calendar: DayCounter,
         after: Cursor | None = None, limit: int = DEFAULT_LIMIT, unfinished: bool = False,
         known_at: datetime | None = None) -> Page:
    """The ``limit`` rows of ``flt`` on ``today`` that follow ``after`` (from the start: None);
    only unfinished work when ``unfinished``; as known at ``known_at`` (None: as stored —
    a past moment reads the assignments as :mod:`agencyflow.services.board.asof` rebuilds them,
    without the index seeks of the present)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit {limit}: ask for 1 to {MAX_LIMIT} rows")
    status = board.status_sql(flt.late_against)
    source, past = board._source(conn, known_at, PAST_FIELDS)
    common = board._params(today, calendar) | past
    if after is not None:
        common |= {"after_id": after.id, "after_due": after.due}
    found: list[tuple[Any, ...]] = []
    for scan in _scans(after):
        sql, params = _sql(flt, status, scan, unfinished, source)
        used = {k: v for k, v in common.items() if f":{k}" in sql}
        found += fetch(conn, sql, {**params, **used, "limit": limit + 1 - len(found)})
        if len(found) > limit:
            break
    more = len(found) > limit
    rows = _rows(found[:limit])
    last = rows[-1] if more else None
    return Page(rows, Cursor(last["due_current"], last["id"]) if last else None)


def _rows(found: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows of :data:`PAGE_SQL` as dicts: the board's row shape plus ``version``."""
    versions = [row[1] for row in found]
    plain = [row[:1] + row[2:] for row in found]  # the board's columns, in its order
    rows = board._rows(plain)
    for row, version in zip(rows, versions, strict=True):
        row["version"] = version
    return rows


_CYCLE_BY_ID = """SELECT c.id, c.plan_key, c.year, c.late_against, v.title_vi, v.title_en
FROM cycle c LEFT JOIN plan_version v ON v.id = c.plan_version_id
WHERE c.id = :id"""


def cycle_by_id(conn: Any, cycle_id: int) -> board.BoardCycle:
    """The cycle ``cycle_id`` as the board shows it, or NotFound."""
    found = fetch(conn, _CYCLE_BY_ID, {"id": cycle_id})
    if not found:
        raise NotFound(_("cycle {id} does not exist").format(id=cycle_id))
    return board.BoardCycle(*found[0])
