"""Deadline rules and periods, on the real Vietnamese working-day calendar."""

from __future__ import annotations

from datetime import date

import pytest

from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.deadlines import due_after_dependency, due_date, periods
from agencyflow.domain.plan_types import AfterCycleStart, AfterStep, FixedDate, MonthEnd, QuarterEnd

CAL = WorkingCalendar()


def test_periods_by_recurrence() -> None:
    assert [p.label for p in periods("yearly", 2027)] == ["2027"]
    assert [p.label for p in periods("quarterly", 2027)] == [f"2027-Q{q}" for q in range(1, 5)]
    months = periods("monthly", 2028)
    assert len(months) == 12 and months[1].end == date(2028, 2, 29)
    assert periods("once", 2027, date(2027, 3, 2))[0].start == date(2027, 3, 2)
    with pytest.raises(ValueError):
        periods("weekly", 2027)


def test_fixed_date_on_a_day_off_moves_to_the_next_working_day() -> None:
    year = periods("yearly", 2027)[0]
    # 31/1/2027 is a Sunday → Monday 1/2.
    assert due_date(FixedDate(kind="fixed_date", month=1, day=31), year, CAL) == date(2027, 2, 1)
    # 5/2/2027 is inside Tết (4/2–10/2) → Thursday 11/2.
    assert due_date(FixedDate(kind="fixed_date", month=2, day=5), year, CAL) == date(2027, 2, 11)


def test_after_cycle_start_counts_working_days_across_tet() -> None:
    period = periods("yearly", 2027, date(2027, 2, 1))[0]
    rule = AfterCycleStart(kind="after_cycle_start", working_days=5)
    # 2/2, 3/2, then Tết 4/2–10/2 off, then 11/2, 12/2, 15/2 (13–14 weekend).
    assert due_date(rule, period, CAL) == date(2027, 2, 15)


def test_month_and_quarter_end_for_fixed_and_recurring_steps() -> None:
    year = periods("yearly", 2026)[0]
    # 31/5/2026 is a Sunday → Friday 29/5.
    assert due_date(MonthEnd(kind="month_end", month=5), year, CAL) == date(2026, 5, 29)
    q2 = periods("quarterly", 2026)[1]
    assert due_date(QuarterEnd(kind="quarter_end", quarter=None), q2, CAL) == date(2026, 6, 30)
    april = periods("monthly", 2026)[3]
    # 30/4/2026 is a public holiday → 29/4.
    assert due_date(MonthEnd(kind="month_end", month=None), april, CAL) == date(2026, 4, 29)


def test_after_step_waits_then_counts_from_the_completion_day() -> None:
    rule = AfterStep(kind="after_step", step="NN-4", working_days=3)
    assert due_date(rule, periods("yearly", 2026)[0], CAL) is None
    # Done Friday 21/8/2026; Saturday 22/8 is a make-up working day; Monday 31/8 is off.
    assert due_after_dependency(rule, date(2026, 8, 21), CAL) == date(2026, 8, 25)
    assert due_after_dependency(FixedDate(kind="fixed_date", month=1, day=1),
                                date(2026, 8, 21), CAL) is None
