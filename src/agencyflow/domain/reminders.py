"""Reminder policy → which notices are due for one assignment, and when the next one will be.

Pure and deterministic: every decision takes a date or ``now`` and a working-day calendar. All
"days" below are **working days** of the calendar. ``open`` is the first working day on or after
``opened_on``; ``due*`` is the last working day on or before ``due`` (an extension may set a
weekend or a holiday; the deadline then falls on the working day before it).

===========  ===========================  ==================  ================================
kind         scheduled on                 recipient / level   window (idempotency key part)
===========  ===========================  ==================  ================================
opened       ``open`` (if ``on_open``)    lead / 0            ``2027-03-10``
reminder     ``due* - n`` for n in        lead / 0            ``before-5:2027-03-10``
             ``before``
due_today    ``due*`` (if ``on_due``)     lead / 0            ``2027-03-10``
overdue      ``due* + k*overdue_every``,  lead / 0            ``2027-03-10``
             k = 1, 2, … (none if None)
escalation   ``due* + after``             ``to`` / ``level``  ``level-1:leader:2027-03-10``
===========  ===========================  ==================  ================================

- Nothing at all while ``opened_on`` is None (waiting) or ``active`` is False; without a ``due``
  only ``opened`` is sent (its ``days_left`` is None). Otherwise ``days_left`` is the number of
  working days from ``scheduled_on`` to ``due`` (negative when overdue).
- Nothing is scheduled before ``open``. When ``on_open`` is set, the lead's deadline notices
  (reminder, due_today, overdue) are scheduled only *after* the ``open`` day: the ``opened``
  notice already carries ``days_left``, so an assignment opened inside the reminder zone (or on
  its due day) gets one notice that day, not "opened" plus a stale "5 days left". Escalations go
  to someone else and are kept from ``open`` on.
- ``schedule`` covers the days in ``(last_swept_on, until]`` (from ``open`` if never swept), in
  date order; the overdue series is generated lazily and stops at ``until``. A changed ``due``
  (extension) recomputes every date; nothing on or before ``last_swept_on`` is produced again.

Collapse rule of ``due_notices`` (so that a late or weekly sweep does not spam): of the batch
scheduled up to today, keep the latest notice of each group — ``opened``; the lead's deadline
notices (reminder, due_today and overdue form **one** group: who missed "2 days left" and "due
today" and is now overdue gets only "overdue"); and each escalation (level, recipient). Kept
notices keep their own ``scheduled_on``, ``window`` and ``days_left``.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import takewhile
from typing import Protocol

from agencyflow.domain.calendar import TIMEZONE, local_date
from agencyflow.errors import CalendarError, ValidationError
from agencyflow.i18n import _

#: Recipient value meaning the assignment's lead agency.
LEAD = "lead"
_DAY = timedelta(days=1)


class Calendar(Protocol):
    """The working-day arithmetic this module needs (``domain.calendar.WorkingCalendar``)."""

    def is_working_day(self, d: date) -> bool: ...
    def add_working_days(self, d: date, n: int) -> date: ...
    def working_days_between(self, a: date, b: date) -> int: ...
    def next_working_day(self, d: date, include: bool = True) -> date: ...
    def previous_working_day(self, d: date, include: bool = True) -> date: ...


@dataclass(frozen=True)
class Escalation:
    """After ``after`` working days overdue, notify ``to`` ("leader", "coordinator" or an agency
    code) at escalation ``level``."""

    after: int
    to: str
    level: int


@dataclass(frozen=True)
class ReminderPolicy:
    """When to notify about one assignment (see the module docstring for the rules).

    Normalised on creation: ``before`` distinct and largest first, ``escalations`` sorted by
    (after, level, to)."""

    on_open: bool = True
    before: tuple[int, ...] = (5, 2, 1)
    on_due: bool = True
    overdue_every: int | None = 3
    escalations: tuple[Escalation, ...] = ()

    def __post_init__(self) -> None:
        if any(n < 1 for n in self.before):
            raise ValidationError(f"reminder days before due must be >= 1: {self.before}")
        if self.overdue_every is not None and self.overdue_every < 1:
            raise ValidationError(f"overdue_every must be >= 1 or None: {self.overdue_every}")
        if any(e.after < 1 for e in self.escalations):
            raise ValidationError("an escalation needs after >= 1 working day overdue")
        object.__setattr__(self, "before", tuple(sorted(set(self.before), reverse=True)))
        ordered = sorted(self.escalations, key=lambda e: (e.after, e.level, e.to))
        object.__setattr__(self, "escalations", tuple(ordered))


@dataclass(frozen=True)
class OfficeHours:
    """Local office hours, ``[start, end)``, on working days."""

    start: time = time(7, 30)
    end: time = time(17, 0)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValidationError(f"office hours start {self.start} must precede end {self.end}")


class NoticeKind(StrEnum):
    """What a notice says; stored as the readable string."""

    OPENED = "opened"
    REMINDER = "reminder"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


@dataclass(frozen=True)
class Notice:
    """One notice to send. (assignment, ``kind``, ``window``) is its idempotency key."""

    kind: NoticeKind
    window: str
    scheduled_on: date
    recipient: str
    days_left: int | None  # working days scheduled_on → due; None only when there is no due
    level: int = 0


@dataclass(frozen=True)
class ReminderState:
    """The reminder-relevant state of one assignment."""

    opened_on: date | None
    due: date | None
    active: bool
    last_swept_on: date | None


def _local(now: datetime) -> datetime:
    """``now`` as an aware Vietnam-time datetime (naive = already local)."""
    return now.replace(tzinfo=TIMEZONE) if now.tzinfo is None else now.astimezone(TIMEZONE)


def in_office_hours(now: datetime, calendar: Calendar, hours: OfficeHours) -> bool:
    """True when ``now`` (naive = Vietnam local time) is on a working day within office hours."""
    local = _local(now)
    return calendar.is_working_day(local.date()) and hours.start <= local.time() < hours.end


def next_office_window(now: datetime, calendar: Calendar, hours: OfficeHours) -> datetime:
    """The first moment at or after ``now`` when reminders may go out (aware, Vietnam time)."""
    local = _local(now)
    if in_office_hours(local, calendar, hours):
        return local
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < hours.start):
        day = calendar.next_working_day(day, include=False)
    return datetime.combine(day, hours.start, tzinfo=TIMEZONE)


def _lead(kind: NoticeKind, window: str, on: date, days_left: int | None) -> Notice:
    return Notice(kind, window, on, LEAD, days_left)


def _series(state: ReminderState, policy: ReminderPolicy, cal: Calendar, after: date | None,
            until: date | None) -> list[Iterator[Notice]]:
    """One date-ordered iterator per series, of the notices scheduled after ``after`` and
    ``last_swept_on``; series wholly after ``until`` are skipped (None: none, overdue endless)."""
    if state.opened_on is None or not state.active:
        return []
    open_day = cal.next_working_day(state.opened_on, include=True)
    lo = max(b for b in (after, state.last_swept_on, open_day - _DAY) if b is not None)
    if until is not None and until <= lo:
        return []
    due = state.due
    deadline = None if due is None else cal.previous_working_day(due, include=True)
    series: list[Iterator[Notice]] = []
    if policy.on_open and open_day > lo:
        left = None if deadline is None else cal.working_days_between(open_day, deadline)
        series.append(iter([_lead(NoticeKind.OPENED, open_day.isoformat(), open_day, left)]))
    if deadline is None:
        return series
    lead_lo = max(lo, open_day) if policy.on_open else lo
    if deadline > lead_lo:  # reminders and due_today are all on or before the deadline
        series.append(_reminders(policy, cal, deadline, lead_lo))
        if policy.on_due:
            series.append(iter([_lead(NoticeKind.DUE_TODAY, deadline.isoformat(), deadline, 0)]))
    if until is None or until > deadline:  # overdue and escalations are all after it
        if policy.overdue_every is not None:
            series.append(_overdue(cal, deadline, policy.overdue_every, lead_lo, until))
        series.append(_escalations(policy, cal, deadline, lo))
    return series


def _reminders(policy: ReminderPolicy, cal: Calendar, deadline: date, lo: date) -> Iterator[Notice]:
    for n in policy.before:  # normalised: distinct, largest first
        on = cal.add_working_days(deadline, -n)
        if on > lo:
            yield _lead(NoticeKind.REMINDER, f"before-{n}:{on.isoformat()}", on, n)


def _overdue(cal: Calendar, deadline: date, every: int, lo: date,
             until: date | None) -> Iterator[Notice]:
    late = cal.working_days_between(deadline, lo)  # working days in (deadline, lo] when >= 0
    k = late // every + 1 if late >= 0 else 1  # first k with k * every > late
    on = _forward(cal, deadline, k * every)
    while until is None or on <= until:
        yield _lead(NoticeKind.OVERDUE, on.isoformat(), on, -k * every)
        if until is not None and cal.working_days_between(on, until) < every:
            return  # the next one is after until: do not step past the calendar's end
        k += 1
        on = _forward(cal, on, every)


def _forward(cal: Calendar, day: date, n: int) -> date:
    """``n`` (≥ 1) working days after ``day``; a calendar that does not move forward is an error
    naming the step, never an endless loop of overdue notices."""
    moved = cal.add_working_days(day, n)
    if moved <= day:
        raise CalendarError(_(
            "the working-day calendar did not move forward: {n} working day(s) after {day} "
            "gave {moved} (overdue notices every {n} working days); check the calendar and its "
            "overrides").format(n=n, day=day.isoformat(), moved=moved.isoformat()))
    return moved


def _escalations(policy: ReminderPolicy, cal: Calendar, deadline: date,
                 lo: date) -> Iterator[Notice]:
    for esc in policy.escalations:  # normalised: by (after, level, to)
        on = cal.add_working_days(deadline, esc.after)
        if on > lo:
            window = f"level-{esc.level}:{esc.to}:{on.isoformat()}"
            yield Notice(NoticeKind.ESCALATION, window, on, esc.to, -esc.after, esc.level)


def schedule(state: ReminderState, policy: ReminderPolicy, calendar: Calendar,
             until: date) -> list[Notice]:
    """Every notice scheduled on a day in ``(last_swept_on, until]`` (from the open day if never
    swept), in date order; on the same day in table order (opened … escalation)."""
    series = _series(state, policy, calendar, None, until)
    merged = heapq.merge(*series, key=lambda n: n.scheduled_on)
    return list(takewhile(lambda n: n.scheduled_on <= until, merged))


_RANK = {kind: rank for rank, kind in enumerate(NoticeKind)}
_AFTER_DEADLINE = (NoticeKind.OVERDUE, NoticeKind.ESCALATION)


def _order(n: Notice) -> tuple[date, int, int, str]:
    return (n.scheduled_on, _RANK[n.kind], n.level, n.recipient)


def _group(notice: Notice) -> tuple[str, int, str]:
    if notice.kind is NoticeKind.ESCALATION:
        return (notice.kind.value, notice.level, notice.recipient)
    if notice.kind is NoticeKind.OPENED:
        return (notice.kind.value, 0, LEAD)
    return ("deadline", 0, LEAD)


def due_notices(state: ReminderState, policy: ReminderPolicy, calendar: Calendar,
                now: datetime, hours: OfficeHours) -> list[Notice]:
    """The notices to send at ``now``: none outside office hours; otherwise everything scheduled
    up to today, collapsed (see the module docstring) and in date order."""
    if not in_office_hours(now, calendar, hours):
        return []
    latest: dict[tuple[str, int, str], Notice] = {}
    for notice in schedule(state, policy, calendar, local_date(now)):
        latest[_group(notice)] = notice  # schedule() is date-ordered: the last one wins
    return sorted(latest.values(), key=_order)


def next_notice_on(state: ReminderState, policy: ReminderPolicy, calendar: Calendar,
                   after: date) -> date | None:
    """The first day after ``after`` (and after ``last_swept_on``) on which :func:`schedule`
    would produce a notice; None if there will never be one (inactive, not open, or every series
    exhausted)."""
    firsts: list[date] = []
    for series in _series(state, policy, calendar, after, None):  # in the table's order
        first = next(series, None)
        if first is not None:
            firsts.append(first.scheduled_on)
            if first.kind not in _AFTER_DEADLINE:
                break  # every later series is later still (only overdue/escalation interleave)
    return min(firsts, default=None)
