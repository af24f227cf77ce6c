"""The timeline of a cycle: each step and period with when it opened, its due dates and how many
of its assignments are done (one GROUP BY; fan-out steps are one line, not one per commune)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from agencyflow.dbapi import fetch

_SQL = """SELECT a.step_id, a.period, min(a.title_vi), min(a.title_en), min(a.opened_on),
  min(a.due_current), max(a.due_current), count(*),
  sum(CASE WHEN a.status = 'done' THEN 1 ELSE 0 END), min(a.id)
FROM assignment a WHERE a.cycle_id = :cycle_id{member}
GROUP BY a.step_id, a.period
ORDER BY min(CASE WHEN a.due_current IS NULL THEN 1 ELSE 0 END), min(a.due_current),
  a.step_id, a.period"""


@dataclass(frozen=True)
class Line:
    """One step and period of the cycle."""

    step_id: str
    period: str
    title_vi: str
    title_en: str | None
    opened_on: date | None
    first_due: date | None
    last_due: date | None
    assignments: int
    done: int
    first_id: int


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def lines(conn: Any, cycle_id: int, member: str | None = None) -> list[Line]:
    """The cycle's steps and periods, by due date (the undated ones, waiting, last); with
    ``member``, only that member's assignments of the fan-out steps (one commune's timeline)."""
    sql = _SQL.format(member=" AND a.member = :member" if member else "")
    params: dict[str, Any] = {"cycle_id": cycle_id} | ({"member": member} if member else {})
    return [Line(step, period, tvi, ten, _day(opened), _day(first), _day(last), int(n),
                 int(done or 0), int(first_id))
            for step, period, tvi, ten, opened, first, last, n, done, first_id
            in fetch(conn, sql, params)]
