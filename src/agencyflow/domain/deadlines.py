"""Periods of a cycle and the due date of each assignment, in Vietnamese working days.

A cycle covers one year, or a plan's explicit period (which may cross years). A step's recurrence
splits it into periods: ``once`` and ``yearly`` give one period (the cycle), ``quarterly`` and
``monthly`` the quarters and months it overlaps; ``on_demand`` none (made when asked for).
Deadline rules:

=================  ==========================================================================
fixed_date         that day of the cycle year (the first on or after the start of a period that
                   crosses years), or a full date; a day off moves it to the next working day
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


def periods(recurrence: str, year: int, cycle_start: date | None = None,
            cycle_end: date | None = None) -> list[Period]:
    """The periods of a cycle for a step with ``recurrence`` (once, yearly, quarterly, monthly).

    Without ``cycle_end`` the cycle is the calendar ``year``; with it, the cycle runs from
    ``cycle_start`` to ``cycle_end`` (a plan's explicit period, which may cross years) and a
    quarterly or monthly step gets the quarters or months that overlap it.
    """
    if cycle_end is not None:
        return _span_periods(recurrence, cycle_start or date(year, 1, 1), cycle_end)
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
    if recurrence == "on_demand":
        return []
    raise ValueError(f"unknown recurrence {recurrence!r}")


def span_label(start: date, end: date) -> str:
    """``2027``, or ``2030-2031`` for a period that crosses years."""
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def _span_periods(recurrence: str, start: date, end: date) -> list[Period]:
    """Periods of an explicit cycle ``start``..``end``, each clamped to the cycle."""
    if recurrence in ("once", "yearly"):
        return [Period(span_label(start, end), start, end)]
    if recurrence == "on_demand":
        return []
    if recurrence not in ("quarterly", "monthly"):
        raise ValueError(f"unknown recurrence {recurrence!r}")
    step = 3 if recurrence == "quarterly" else 1
    year, month = start.year, start.month - (start.month - 1) % step
    found: list[Period] = []
    while date(year, month, 1) <= end:
        last = _month_last(year, month + step - 1)
        if recurrence == "quarterly":
            q = (month + 2) // 3
            found.append(Period(f"{year}-Q{q}", max(start, date(year, month, 1)), min(end, last),
                                quarter=q))
        else:
            found.append(Period(f"{year}-{month:02d}", max(start, date(year, month, 1)),
                                min(end, last), month=month))
        year, month = (year + 1, 1) if month + step > 12 else (year, month + step)
    return found


def _month_last(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def occurrence(period: Period, month: int, day: int | None = None) -> date:
    """The day ``day`` (None: the last day) of ``month`` that falls in ``period``: in a period
    inside one year, that year's; in one that crosses years, the first on or after its start."""
    def on(year: int) -> date:
        return date(year, month, day if day is not None else monthrange(year, month)[1])

    if period.start.year == period.end.year or on(period.start.year) >= period.start:
        return on(period.start.year)
    return on(period.start.year + 1)


def due_date(rule: Any, period: Period, calendar: DayCounter) -> date | None:
    """The due date of an assignment for ``period``; None when it waits for another step."""
    kind = rule.kind
    if kind == "fixed_date":
        day = rule.date if rule.date is not None else occurrence(period, rule.month, rule.day)
        return calendar.next_working_day(day)
    if kind == "after_cycle_start":
        return calendar.add_working_days(period.start, rule.working_days)
    if kind == "after_step":
        return None
    if kind == "month_end":
        # plan_checks guarantees one of the two is set (a monthly period, or the rule's month).
        if rule.month is None:
            return calendar.last_working_day_of_month(period.start.year, cast(int, period.month))
        last = occurrence(period, rule.month)
        return calendar.last_working_day_of_month(last.year, last.month)
    if kind == "quarter_end":
        quarter = cast(int, rule.quarter if rule.quarter is not None else period.quarter)
        if rule.quarter is None:
            return calendar.last_working_day_of_quarter(period.start.year, quarter)
        last = occurrence(period, 3 * quarter)
        return calendar.last_working_day_of_quarter(last.year, quarter)
    raise ValueError(f"unknown deadline kind {kind!r}")


def due_after_dependency(rule: Any, done_on: date, calendar: DayCounter) -> date | None:
    """For an ``after_step`` rule, the due date once the dependency was done on ``done_on``."""
    if rule.kind != "after_step":
        return None
    return calendar.add_working_days(done_on, rule.working_days)
