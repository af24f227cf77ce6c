"""Reminder policy: schedule, collapsed due notices, office hours and the next notice date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar
from agencyflow.domain.reminders import (
    Escalation,
    Notice,
    NoticeKind,
    OfficeHours,
    ReminderPolicy,
    ReminderState,
    due_notices,
    in_office_hours,
    next_notice_on,
    next_office_window,
    schedule,
)
from agencyflow.errors import CalendarError, ValidationError
from agencyflow.i18n import language


class WeekdayCalendar:
    """Stand-in calendar: Monday–Friday are working days, no holidays; same API and semantics."""

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5

    def add_working_days(self, d: date, n: int) -> date:
        if n == 0:
            return self.next_working_day(d)
        step = timedelta(days=1 if n > 0 else -1)
        while n:
            d += step
            n -= (1 if n > 0 else -1) if self.is_working_day(d) else 0
        return d

    def working_days_between(self, a: date, b: date) -> int:
        lo, hi, sign = (a, b, 1) if b >= a else (b - timedelta(1), a - timedelta(1), -1)
        days = (lo + timedelta(i) for i in range(1, (hi - lo).days + 1))
        return sign * sum(self.is_working_day(day) for day in days)

    def next_working_day(self, d: date, include: bool = True) -> date:
        d = d if include else d + timedelta(1)
        while not self.is_working_day(d):
            d += timedelta(1)
        return d

    def previous_working_day(self, d: date, include: bool = True) -> date:
        d = d if include else d - timedelta(1)
        while not self.is_working_day(d):
            d -= timedelta(1)
        return d


WEEKDAYS = WeekdayCalendar()
REAL = WorkingCalendar(2025, 2030)
HOURS = OfficeHours()
POLICY = ReminderPolicy(
    escalations=(Escalation(after=5, to="leader", level=1),
                 Escalation(after=10, to="coordinator", level=2)),
)
OPENED_ON, DUE = date(2027, 3, 1), date(2027, 3, 19)  # Monday, Friday (no holidays in March)
STATE = ReminderState(opened_on=OPENED_ON, due=DUE, active=True, last_swept_on=None)
END = date(2027, 4, 30)  # 30 working days after DUE on weekdays


def d(text: str) -> date:
    return date.fromisoformat(f"2027-{text}")


def brief(notices: list[Notice]) -> list[tuple[str, str, str, int | None, int]]:
    return [(n.kind.value, n.window, n.recipient, n.days_left, n.level) for n in notices]


def at(day: date, hh: int = 8, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm))


FULL_CYCLE = [
    ("opened", "2027-03-01", "lead", 14, 0),
    ("reminder", "before-5:2027-03-12", "lead", 5, 0),
    ("reminder", "before-2:2027-03-17", "lead", 2, 0),
    ("reminder", "before-1:2027-03-18", "lead", 1, 0),
    ("due_today", "2027-03-19", "lead", 0, 0),
    ("overdue", "2027-03-24", "lead", -3, 0),
    ("escalation", "level-1:leader:2027-03-26", "leader", -5, 1),
    ("overdue", "2027-03-29", "lead", -6, 0),
    ("overdue", "2027-04-01", "lead", -9, 0),
    ("escalation", "level-2:coordinator:2027-04-02", "coordinator", -10, 2),
    ("overdue", "2027-04-06", "lead", -12, 0),
    ("overdue", "2027-04-09", "lead", -15, 0),
    ("overdue", "2027-04-14", "lead", -18, 0),
    ("overdue", "2027-04-19", "lead", -21, 0),
    ("overdue", "2027-04-22", "lead", -24, 0),
    ("overdue", "2027-04-27", "lead", -27, 0),
    ("overdue", "2027-04-30", "lead", -30, 0),
]


def walk(state: ReminderState, sweep_days: list[date], cal=WEEKDAYS, policy=POLICY):
    """Sweep on each day at 08:00, advancing last_swept_on like the sweep service does."""
    batches = []
    for day in sweep_days:
        batches.append(due_notices(state, policy, cal, at(day), HOURS))
        state = replace(state, last_swept_on=day)
    return batches


def working_days(cal, start: date, end: date) -> list[date]:
    return [start + timedelta(i) for i in range((end - start).days + 1)
            if cal.is_working_day(start + timedelta(i))]


def test_daily_sweep_walks_the_whole_cycle():
    batches = walk(STATE, working_days(WEEKDAYS, OPENED_ON, END))
    sent = [n for batch in batches for n in batch]
    assert brief(sent) == FULL_CYCLE
    assert all(n.scheduled_on == day for batch, day in
               zip(batches, working_days(WEEKDAYS, OPENED_ON, END), strict=True) for n in batch)
    assert sent == schedule(STATE, POLICY, WEEKDAYS, until=END)


def test_weekly_sweep_gets_the_collapsed_set():
    mondays = [OPENED_ON + timedelta(weeks=w) for w in range(10)]
    assert [brief(b) for b in walk(STATE, mondays)] == [
        [("opened", "2027-03-01", "lead", 14, 0)],
        [],
        [("reminder", "before-5:2027-03-12", "lead", 5, 0)],
        [("due_today", "2027-03-19", "lead", 0, 0)],  # not also "2 days left", "1 day left"
        [("escalation", "level-1:leader:2027-03-26", "leader", -5, 1),
         ("overdue", "2027-03-29", "lead", -6, 0)],
        [("overdue", "2027-04-01", "lead", -9, 0),
         ("escalation", "level-2:coordinator:2027-04-02", "coordinator", -10, 2)],
        [("overdue", "2027-04-09", "lead", -15, 0)],
        [("overdue", "2027-04-19", "lead", -21, 0)],
        [("overdue", "2027-04-22", "lead", -24, 0)],
        [("overdue", "2027-04-30", "lead", -30, 0)],
    ]


def test_a_late_first_sweep_sends_opened_and_only_the_latest_deadline_notice():
    notices = due_notices(STATE, POLICY, WEEKDAYS, at(d("03-24")), HOURS)
    assert brief(notices) == [("opened", "2027-03-01", "lead", 14, 0),
                              ("overdue", "2027-03-24", "lead", -3, 0)]


def test_extension_recomputes_from_the_new_due_without_resending():
    swept = replace(STATE, last_swept_on=d("03-17"))  # before-5 and before-2 already sent
    later = replace(swept, due=d("03-26"))
    assert brief(schedule(later, POLICY, WEEKDAYS, until=d("03-31"))) == [
        ("reminder", "before-5:2027-03-19", "lead", 5, 0),
        ("reminder", "before-2:2027-03-24", "lead", 2, 0),
        ("reminder", "before-1:2027-03-25", "lead", 1, 0),
        ("due_today", "2027-03-26", "lead", 0, 0),
        ("overdue", "2027-03-31", "lead", -3, 0),
    ]
    short = replace(swept, due=d("03-22"))  # its "5 days left" (03-15) is already past
    assert brief(schedule(short, POLICY, WEEKDAYS, until=d("03-22"))) == [
        ("reminder", "before-2:2027-03-18", "lead", 2, 0),
        ("reminder", "before-1:2027-03-19", "lead", 1, 0),
        ("due_today", "2027-03-22", "lead", 0, 0),
    ]
    assert next_notice_on(later, POLICY, WEEKDAYS, after=d("03-17")) == d("03-19")


def test_opened_one_day_before_due():
    state = replace(STATE, opened_on=d("03-18"))
    assert brief(schedule(state, POLICY, WEEKDAYS, until=DUE)) == [
        ("opened", "2027-03-18", "lead", 1, 0),  # carries "1 day left": no separate reminder
        ("due_today", "2027-03-19", "lead", 0, 0),
    ]
    quiet = replace(POLICY, on_open=False)
    assert brief(schedule(state, quiet, WEEKDAYS, until=DUE)) == [
        ("reminder", "before-1:2027-03-18", "lead", 1, 0),
        ("due_today", "2027-03-19", "lead", 0, 0),
    ]


def test_opened_on_a_weekend_opens_on_monday_and_after_due_is_overdue_at_once():
    weekend = replace(STATE, opened_on=date(2027, 3, 13))
    assert brief(schedule(weekend, POLICY, WEEKDAYS, until=d("03-15"))) == [
        ("opened", "2027-03-15", "lead", 4, 0),
    ]
    late = replace(STATE, opened_on=d("03-29"))  # six working days overdue on opening
    assert brief(schedule(late, POLICY, WEEKDAYS, until=d("04-02"))) == [
        ("opened", "2027-03-29", "lead", -6, 0),  # not also overdue -6 on the same day
        ("overdue", "2027-04-01", "lead", -9, 0),
        ("escalation", "level-2:coordinator:2027-04-02", "coordinator", -10, 2),
    ]


def test_due_on_a_saturday_falls_on_the_friday_before():
    saturday = replace(STATE, due=date(2027, 3, 20))
    assert schedule(saturday, POLICY, WEEKDAYS, until=END) == schedule(
        STATE, POLICY, WEEKDAYS, until=END)


def test_inactive_waiting_or_undated_assignments():
    assert schedule(replace(STATE, active=False), POLICY, WEEKDAYS, until=END) == []
    assert schedule(replace(STATE, opened_on=None), POLICY, WEEKDAYS, until=END) == []
    assert next_notice_on(replace(STATE, active=False), POLICY, WEEKDAYS, OPENED_ON) is None
    undated = replace(STATE, due=None)
    assert brief(schedule(undated, POLICY, WEEKDAYS, until=END)) == [
        ("opened", "2027-03-01", "lead", None, 0)]
    assert next_notice_on(undated, POLICY, WEEKDAYS, after=OPENED_ON) is None


def test_same_day_order_and_bounded_series():
    policy = ReminderPolicy(before=(), overdue_every=None,
                            escalations=(Escalation(3, "coordinator", 2),
                                         Escalation(3, "leader", 1)))
    assert brief(schedule(STATE, policy, WEEKDAYS, until=END)) == [
        ("opened", "2027-03-01", "lead", 14, 0),
        ("due_today", "2027-03-19", "lead", 0, 0),
        ("escalation", "level-1:leader:2027-03-24", "leader", -3, 1),
        ("escalation", "level-2:coordinator:2027-03-24", "coordinator", -3, 2),
    ]
    assert next_notice_on(STATE, policy, WEEKDAYS, after=d("03-24")) is None


def test_the_overdue_series_stops_at_until_even_at_the_end_of_the_calendar():
    last = REAL.previous_working_day(date(2030, 12, 31))  # REAL covers 2025–2030
    notices = schedule(STATE, POLICY, REAL, until=last)
    overdue = [n for n in notices if n.kind is NoticeKind.OVERDUE]
    assert overdue[-1].scheduled_on <= last
    assert REAL.working_days_between(overdue[-1].scheduled_on, last) < 3


@pytest.mark.parametrize("cal", [WEEKDAYS, REAL], ids=["weekdays", "real"])
@pytest.mark.parametrize("policy", [
    POLICY,
    ReminderPolicy(),
    ReminderPolicy(on_open=False, before=(3, 1, 3), on_due=False, overdue_every=None,
                   escalations=(Escalation(2, "leader", 1),)),
    ReminderPolicy(before=(10,), overdue_every=1),
], ids=["escalating", "default", "sparse", "dense"])
@pytest.mark.parametrize("swept", [None, date(2027, 3, 10)], ids=["never-swept", "swept"])
def test_next_notice_on_agrees_with_schedule(cal, policy, swept):
    state = replace(STATE, opened_on=date(2027, 3, 3), last_swept_on=swept)
    for offset in range(-5, 60):
        after = date(2027, 3, 3) + timedelta(offset)
        expected = [n.scheduled_on for n in schedule(state, policy, cal, after + timedelta(90))
                    if n.scheduled_on > after]
        assert next_notice_on(state, policy, cal, after) == min(expected, default=None), after
        if expected:
            assert cal.is_working_day(expected[0])


def test_office_hours_boundaries():
    monday, sunday = d("03-01"), d("03-07")
    assert not in_office_hours(at(monday, 7, 29), WEEKDAYS, HOURS)
    assert in_office_hours(at(monday, 7, 30), WEEKDAYS, HOURS)
    assert in_office_hours(datetime.combine(monday, time(16, 59, 59)), WEEKDAYS, HOURS)
    assert not in_office_hours(at(monday, 17, 0), WEEKDAYS, HOURS)
    assert not in_office_hours(at(sunday, 10), WEEKDAYS, HOURS)
    # 00:30 UTC is 07:30 in Vietnam (UTC+7)
    assert in_office_hours(datetime(2027, 3, 1, 0, 30, tzinfo=UTC), WEEKDAYS, HOURS)
    assert not in_office_hours(datetime(2027, 3, 1, 0, 29, tzinfo=UTC), WEEKDAYS, HOURS)
    assert due_notices(STATE, POLICY, WEEKDAYS, at(monday, 7, 29), HOURS) == []
    assert due_notices(STATE, POLICY, WEEKDAYS, at(monday, 7, 30), HOURS) != []


def test_office_hours_on_a_real_holiday():
    tet = date(2027, 2, 8)  # Monday, Mùng ba Tết
    assert WEEKDAYS.is_working_day(tet) and not REAL.is_working_day(tet)
    assert not in_office_hours(at(tet, 10), REAL, HOURS)
    assert in_office_hours(at(date(2027, 2, 11), 10), REAL, HOURS)
    state = replace(STATE, opened_on=date(2027, 2, 1), due=date(2027, 2, 12))
    assert due_notices(state, POLICY, REAL, at(tet, 10), HOURS) == []


def test_next_office_window():
    friday_evening = at(date(2027, 3, 5), 17, 0)
    assert next_office_window(friday_evening, WEEKDAYS, HOURS) == datetime(
        2027, 3, 8, 7, 30, tzinfo=TIMEZONE)
    assert next_office_window(at(d("03-08"), 6), WEEKDAYS, HOURS) == datetime(
        2027, 3, 8, 7, 30, tzinfo=TIMEZONE)
    inside = datetime(2027, 3, 8, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    window = next_office_window(inside, WEEKDAYS, HOURS)
    assert window == inside and window.tzinfo is TIMEZONE
    before_tet = at(date(2027, 2, 3), 17, 30)
    assert next_office_window(before_tet, REAL, HOURS) == datetime(
        2027, 2, 11, 7, 30, tzinfo=TIMEZONE)


def test_tet_2027_with_the_real_calendar():
    state = ReminderState(opened_on=date(2027, 1, 25), due=date(2027, 2, 17), active=True,
                          last_swept_on=None)
    assert brief(schedule(state, ReminderPolicy(), REAL, until=date(2027, 2, 22))) == [
        ("opened", "2027-01-25", "lead", 12, 0),
        ("reminder", "before-5:2027-02-03", "lead", 5, 0),  # the last day before Tết
        ("reminder", "before-2:2027-02-15", "lead", 2, 0),
        ("reminder", "before-1:2027-02-16", "lead", 1, 0),
        ("due_today", "2027-02-17", "lead", 0, 0),
        ("overdue", "2027-02-22", "lead", -3, 0),
    ]
    assert next_notice_on(state, ReminderPolicy(), REAL, after=date(2027, 2, 3)) == date(
        2027, 2, 15)
    on_holiday = replace(state, due=date(2027, 2, 9))  # extended to a Tết day → 2027-02-03
    assert [n.scheduled_on for n in schedule(on_holiday, ReminderPolicy(), REAL,
                                             until=date(2027, 2, 3))][-1] == date(2027, 2, 3)
    assert schedule(on_holiday, ReminderPolicy(), REAL, until=date(2027, 2, 3))[-1].kind is (
        NoticeKind.DUE_TODAY)


def test_invalid_policies_are_refused():
    with pytest.raises(ValidationError):
        ReminderPolicy(before=(0,))
    with pytest.raises(ValidationError):
        ReminderPolicy(overdue_every=0)
    with pytest.raises(ValidationError):
        ReminderPolicy(escalations=(Escalation(0, "leader", 1),))
    with pytest.raises(ValidationError):
        OfficeHours(start=time(17), end=time(7, 30))


def test_the_stand_in_calendar_agrees_with_the_real_one_in_a_month_without_holidays():
    days = [date(2027, 3, 1) + timedelta(i) for i in range(31)]
    for a in days:
        assert WEEKDAYS.is_working_day(a) == REAL.is_working_day(a)
        for include in (True, False):
            assert WEEKDAYS.next_working_day(a, include) == REAL.next_working_day(a, include)
            assert WEEKDAYS.previous_working_day(a, include) == REAL.previous_working_day(
                a, include)
        for n in (-3, -1, 0, 1, 4):
            assert WEEKDAYS.add_working_days(a, n) == REAL.add_working_days(a, n)
        for b in days[::3]:
            assert WEEKDAYS.working_days_between(a, b) == REAL.working_days_between(a, b)


def test_daily_sweep_over_tet_with_the_real_calendar_sends_each_notice_once():
    state = ReminderState(opened_on=date(2027, 1, 20), due=date(2027, 2, 12), active=True,
                          last_swept_on=None)
    end = REAL.add_working_days(date(2027, 2, 12), 30)
    sweeps = working_days(REAL, date(2027, 1, 20), end)
    sent = [n for batch in walk(state, sweeps, cal=REAL) for n in batch]
    assert sent == schedule(state, POLICY, REAL, until=end)
    assert len({(n.kind, n.window) for n in sent}) == len(sent)
    assert all(REAL.is_working_day(n.scheduled_on) for n in sent)
    # 5, 2 and 1 working days before Friday 12/2 skip the Tết break (4/2–10/2)
    assert [n.scheduled_on for n in sent if n.kind is NoticeKind.REMINDER] == [
        date(2027, 1, 29), date(2027, 2, 3), date(2027, 2, 11)]


def test_a_rerun_on_the_same_day_yields_the_same_keys():
    now = at(d("03-29"), 9)
    swept = replace(STATE, last_swept_on=d("03-22"))
    first = due_notices(swept, POLICY, WEEKDAYS, now, HOURS)
    assert brief(first) == [  # swept last on 22/3: the escalation of 26/3 and today's overdue
        ("escalation", "level-1:leader:2027-03-26", "leader", -5, 1),
        ("overdue", "2027-03-29", "lead", -6, 0)]
    assert first == due_notices(swept, POLICY, WEEKDAYS, now.replace(hour=15), HOURS)
    assert due_notices(replace(swept, last_swept_on=d("03-29")), POLICY, WEEKDAYS, now, HOURS) == []


class StuckCalendar(WeekdayCalendar):
    """A broken calendar: counting forward from a day after DUE goes nowhere."""

    def add_working_days(self, d: date, n: int) -> date:
        return d if n > 0 and d > DUE else super().add_working_days(d, n)


@pytest.mark.parametrize("ask", ["schedule", "due_notices"])
def test_a_calendar_that_does_not_advance_is_an_error_not_a_hang(ask: str) -> None:
    stuck = StuckCalendar()
    assert schedule(STATE, POLICY, stuck, until=d("03-24"))[-1].scheduled_on == d("03-24")
    calls = {
        "schedule": lambda: schedule(STATE, POLICY, stuck, until=END),
        "due_notices": lambda: due_notices(STATE, POLICY, stuck, at(d("04-05"), 9), HOURS),
    }
    with language("en"), pytest.raises(
            CalendarError, match=r"did not move forward: 3 working day\(s\) after 2027-03-24 "
                                 r"gave 2027-03-24"):
        calls[ask]()
