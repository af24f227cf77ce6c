"""Periods of a cycle and the due date of each assignment, in Vietnamese working days.

A cycle covers one year. A step's recurrence splits it into periods: ``once`` and ``yearly`` give
one period (the year), ``quarterly`` four, ``monthly`` twelve. Deadline rules:

=================  ==========================================================================
fixed_date         that day of the cycle year; a day off moves it to the next working day
                   (Civil Code art. 148: a period ending on a day off ends on the next working day)
after_cycle_start  N working days after the period starts (the cycle start for yearly steps)
after_step         N working days after the step it depends on is done (unknown until then)
month_end          the last working day of the month (of the period, for monthly steps)
quarter_end        the last working day of the quarter (of the period, for quarterly steps)
=================  ==========================================================================
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, cast


class DayCounter(Protocol):
    """The part of the working-day calendar that deadlines need."""

    def add_working_days(self, d: date, n: int) -> date: ...
    def next_working_day(self, d: date, include: bool = True) -> date: ...
    def last_working_day_of_month(self, year: int, month: int) -> date: ...
    def last_working_day_of_quarter(self, year: int, quarter: int) -> date: ...


@dataclass(frozen=True)
class Period:
    """One period of a cycle: its label (``2027``, ``2027-Q2``, ``2027-05``) and its days."""

    label: str
    start: date
    end: date
    quarter: int | None = None
    month: int | None = None


def periods(recurrence: str, year: int, cycle_start: date | None = None) -> list[Period]:
    """The periods of ``year`` for a step with ``recurrence`` (once, yearly, quarterly, monthly)."""
    if recurrence in ("once", "yearly"):
        return [Period(str(year), cycle_start or date(year, 1, 1), date(year, 12, 31))]
    if recurrence == "quarterly":
        return [
            Period(f"{year}-Q{q}", date(year, 3 * q - 2, 1), _month_last(year, 3 * q), quarter=q)
            for q in range(1, 5)
        ]
    if recurrence == "monthly":
        return [
            Period(f"{year}-{m:02d}", date(year, m, 1), _month_last(year, m), month=m)
            for m in range(1, 13)
        ]
    raise ValueError(f"unknown recurrence {recurrence!r}")


def _month_last(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def due_date(rule: Any, period: Period, calendar: DayCounter) -> date | None:
    """The due date of an assignment for ``period``; None when it waits for another step."""
    kind = rule.kind
    if kind == "fixed_date":
        return calendar.next_working_day(date(period.start.year, rule.month, rule.day))
    if kind == "after_cycle_start":
        return calendar.add_working_days(period.start, rule.working_days)
    if kind == "after_step":
        return None
    if kind == "month_end":
        # plan_checks guarantees one of the two is set (a monthly period, or the rule's month).
        month = cast(int, rule.month if rule.month is not None else period.month)
        return calendar.last_working_day_of_month(period.start.year, month)
    if kind == "quarter_end":
        quarter = cast(int, rule.quarter if rule.quarter is not None else period.quarter)
        return calendar.last_working_day_of_quarter(period.start.year, quarter)
    raise ValueError(f"unknown deadline kind {kind!r}")


def due_after_dependency(rule: Any, done_on: date, calendar: DayCounter) -> date | None:
    """For an ``after_step`` rule, the due date once the dependency was done on ``done_on``."""
    if rule.kind != "after_step":
        return None
    return calendar.add_working_days(done_on, rule.working_days)
