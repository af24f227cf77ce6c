"""The board: every assignment with its official status on a given day, and counts.

The status is derived in SQL (a CASE over the stored state and dates) so that filtering and
counting stay index-friendly at national scale; :func:`agencyflow.domain.status.board_status` is
the same rule in Python, and a test keeps the two in agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, case, cast, func, literal, or_, select
from sqlmodel import Session, col

from agencyflow.domain.deadlines import DayCounter
from agencyflow.domain.status import BoardStatus
from agencyflow.errors import ValidationError
from agencyflow.models import Agency, Assignment, Cycle

#: Working days before the due date from which an unfinished assignment is "due soon".
DUE_SOON_WORKING_DAYS = 3

A = Assignment


def status_expr(today: date, soon_until: date, late_against: str = "current"
                ) -> ColumnElement[str]:
    """SQL for the board status of an assignment on ``today`` (see domain.status)."""
    due = col(A.due_original) if late_against == "original" else col(A.due_current)
    done = and_(A.status == "done", col(A.completed_on) <= today)
    return case(
        (A.status == "cancelled", literal(BoardStatus.CANCELLED.value)),
        (and_(done, or_(due.is_(None), col(A.completed_on) <= due)),
         literal(BoardStatus.DONE_ON_TIME.value)),
        (done, literal(BoardStatus.DONE_LATE.value)),
        (or_(A.status == "waiting", due.is_(None), col(A.opened_on).is_(None),
             col(A.opened_on) > today), literal(BoardStatus.WAITING.value)),
        (due < today, literal(BoardStatus.OVERDUE.value)),
        (due <= soon_until, literal(BoardStatus.DUE_SOON.value)),
        else_=literal(BoardStatus.IN_PROGRESS.value),
    )


@dataclass(frozen=True)
class BoardFilter:
    """What to show: one cycle (or all), and optional agency, commune and status filters."""

    cycle_id: int | None = None
    agency: str | None = None
    commune: str | None = None
    status: str | None = None
    late_against: str = "current"


@dataclass(frozen=True)
class Board:
    """Rows (dicts, ready for table/JSON/CSV) and counts per (agency, status)."""

    today: date
    rows: list[dict[str, Any]]
    counts: dict[str, dict[str, int]]


def _where(flt: BoardFilter, status: ColumnElement[str]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.cycle_id is not None:
        where.append(A.cycle_id == flt.cycle_id)
    if flt.agency:
        where.append(or_(A.lead_code == flt.agency,
                         cast(col(A.cooperating), Text).contains(f'"{flt.agency}"')))
    if flt.commune:
        where.append(A.member == flt.commune)
    if flt.status:
        if flt.status not in {s.value for s in BoardStatus}:
            allowed = ", ".join(s.value for s in BoardStatus)
            raise ValidationError(f"unknown status {flt.status!r} (one of: {allowed})")
        where.append(status == flt.status)
    return where


def board(session: Session, flt: BoardFilter, *, today: date, calendar: DayCounter,
          limit: int | None = None) -> Board:
    """The board on ``today`` for ``flt``: rows ordered by due date, and counts."""
    soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    status = status_expr(today, soon, flt.late_against).label("board_status")
    where = _where(flt, status)
    cols = [A.id, A.step_id, A.period, A.member, A.lead_code, A.cooperating, A.title_vi,
            A.title_en, A.due_original, A.due_current, A.completed_on, A.status, status,
            A.clauses, Cycle.year, Cycle.plan_key]
    stmt = (select(*cols).join(Cycle, col(Cycle.id) == A.cycle_id).where(*where)
            .order_by(col(A.due_current).is_(None), col(A.due_current), col(A.id)))
    if limit:
        stmt = stmt.limit(limit)
    rows = [dict(r._mapping) for r in session.execute(stmt)]
    return Board(today, rows, counts(session, flt, today=today, calendar=calendar))


def counts(session: Session, flt: BoardFilter, *, today: date, calendar: DayCounter
           ) -> dict[str, dict[str, int]]:
    """Number of assignments per lead agency and board status (one GROUP BY)."""
    soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    status = status_expr(today, soon, flt.late_against)
    stmt = (select(A.lead_code, status, func.count()).where(*_where(flt, status))
            .group_by(A.lead_code, status))
    out: dict[str, dict[str, int]] = {}
    for lead, st, n in session.execute(stmt):
        out.setdefault(lead, {})[st] = n
    return out


def agency_names(session: Session, plan_key: str | None = None) -> dict[str, str]:
    """Agency code → Vietnamese name, for display."""
    stmt = select(Agency.code, Agency.name_vi)
    if plan_key:
        stmt = stmt.where(Agency.plan_key == plan_key)
    return {code: name for code, name in session.execute(stmt)}
