"""``agencyflow calendar --agency CODE``: an agency's assignments as an iCalendar file.

One all-day VEVENT per assignment the agency leads or cooperates on (the board's selection,
:mod:`agencyflow.services.board.listing`), on its **current** due date:

- ``UID`` ``assignment-<id>@<plan>.agencyflow`` never changes, so a calendar that subscribes or
  imports again updates the event instead of adding one; ``SEQUENCE`` is the number of approved
  extensions (each moved the date); ``STATUS:CANCELLED`` when the assignment is cancelled;
- ``SUMMARY`` the title; ``DESCRIPTION`` the clauses, the lead, the cooperating agencies and the
  plan's document; ``URL`` the assignment's page when ``AGENCYFLOW_BASE_URL`` is set;
- a ``VALARM`` at each reminder of the step's policy and on the due day — the very days the
  sweep would send them (:func:`agencyflow.domain.reminders.schedule`, not a second rule), at
  the start of office hours in Vietnam time, written as absolute UTC triggers; only while the
  assignment awaits work. A VTIMEZONE for Asia/Ho_Chi_Minh names the office's zone.

Assignments without a due date yet (waiting for a prerequisite) are not in the calendar.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from agencyflow.domain import reminders
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar, local_date
from agencyflow.domain.lifecycle import Status
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle, ExtensionRequest
from agencyflow.services.board import listing as board
from agencyflow.services.plans import store as plans
from agencyflow.services.reminders.policy import office_hours_for, policy_for
from agencyflow.services.reports.text import tr

#: Kinds of notice that become alarms (the lead's reminders before the date and on it).
ALARM_KINDS = (reminders.NoticeKind.REMINDER, reminders.NoticeKind.DUE_TODAY)
_AWAITING = {Status.WAITING.value, Status.OPEN.value, Status.IN_PROGRESS.value}


def uid(plan_key: str, assignment_id: int) -> str:
    """The stable UID of an assignment's event."""
    return f"assignment-{assignment_id}@{plan_key}.agencyflow"


def alarm_times(*, opened_on: date | None, due: date, policy: reminders.ReminderPolicy,
                hours: reminders.OfficeHours, calendar: WorkingCalendar
                ) -> list[tuple[reminders.Notice, datetime]]:
    """The reminders the sweep would send about an assignment due on ``due`` (opened on
    ``opened_on``), each with its moment: office opening time on its day, in Vietnam time."""
    state = reminders.ReminderState(opened_on=opened_on, due=due, active=True,
                                    last_swept_on=None)
    until = calendar.next_working_day(due, include=True)
    return [(n, datetime.combine(n.scheduled_on, hours.start, tzinfo=TIMEZONE))
            for n in reminders.schedule(state, policy, calendar, until)
            if n.kind in ALARM_KINDS]


def agency_calendar(session: Session, *, agency: str, actor: Actor, now: datetime,
                    calendar: WorkingCalendar, plan_key: str | None = None,
                    year: int | None = None, base_url: str | None = None,
                    lang: str = "vi") -> bytes:
    """The .ics bytes of ``agency``'s assignments in the cycle (newest unless ``year``)."""
    from icalendar import Alarm, Calendar, Event, Timezone

    require(actor, Action.READ, target=_("the calendar of {agency}").format(agency=agency))
    found = board.cycle_for(session, plan_key, year)
    cycle = session.get(Cycle, found.id)
    assert cycle is not None
    spec = plans.spec_of(plans.by_id(session, cycle.plan_version_id))
    spec.agency(agency)  # NotFound for an agency the plan does not have
    hours = office_hours_for(spec)
    names = {a.code: a.name.get(lang) for a in spec.agencies}
    flt = board.BoardFilter(cycle_id=cycle.id, agency=agency, late_against=cycle.late_against)
    rows = [r for r in board.rows(session, flt, today=local_date(now), calendar=calendar)
            if r["due_current"] is not None]
    extra = _extra(session, [r["id"] for r in rows])
    cal = Calendar()
    cal.add("prodid", "-//agencyflow//reports//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{names.get(agency, agency)} — {spec.title.get(lang)} {cycle.year}")
    cal.add("x-wr-timezone", str(TIMEZONE))
    cal.add_component(Timezone.from_tzid(str(TIMEZONE)))
    stamp = now.astimezone(UTC)
    for r in rows:
        opened_on, moves = extra.get(r["id"], (None, 0))
        ev = Event()
        ev.add("uid", uid(cycle.plan_key, r["id"]))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", r["due_current"])
        ev.add("dtend", r["due_current"] + timedelta(days=1))
        ev.add("sequence", moves)
        ev.add("summary", _title(r, lang))
        ev.add("description", _description(r, names, spec.document.number or "—", lang))
        ev.add("status", "CANCELLED" if r["status"] == Status.CANCELLED.value else "CONFIRMED")
        ev.add("transp", "TRANSPARENT")
        if base_url:
            ev.add("url", f"{base_url.rstrip('/')}/assignments/{r['id']}")
        if r["status"] in _AWAITING:
            policy = policy_for(spec, cycle.plan_hash, r["step_id"])
            for notice, at in alarm_times(opened_on=opened_on or cycle.start_date,
                                          due=r["due_current"], policy=policy, hours=hours,
                                          calendar=calendar):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                # RFC 5545 §3.8.6.3: an absolute trigger says VALUE=DATE-TIME and is in UTC.
                alarm.add("trigger", at.astimezone(UTC), parameters={"VALUE": "DATE-TIME"})
                alarm.add("description", _alarm_text(notice, r, lang))
                ev.add_component(alarm)
        cal.add_component(ev)
    return bytes(cal.to_ical())


def _extra(session: Session, ids: list[int]) -> dict[int, tuple[date | None, int]]:
    """Assignment id → (opened on, approved extensions)."""
    out: dict[int, tuple[date | None, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        moved = dict(session.execute(
            select(col(ExtensionRequest.assignment_id), func.count())
            .where(col(ExtensionRequest.assignment_id).in_(chunk),
                   col(ExtensionRequest.status) == "approved")
            .group_by(col(ExtensionRequest.assignment_id))).all())
        for ident, opened in session.execute(select(col(Assignment.id), col(Assignment.opened_on))
                                             .where(col(Assignment.id).in_(chunk))):
            out[ident] = (opened, int(moved.get(ident, 0)))
    return out


def _title(r: dict[str, Any], lang: str) -> str:
    return str((r["title_en"] or r["title_vi"]) if lang == "en" else r["title_vi"])


def _description(r: dict[str, Any], names: dict[str, str], document: str, lang: str) -> str:
    coop = ", ".join(names.get(c, c) for c in r["cooperating"] or []) or "—"
    lines = [f"{tr(lang, 'Clauses')}: {', '.join(r['clauses'] or []) or '—'}",
             f"{tr(lang, 'Lead')}: {names.get(r['lead_code'], r['lead_code'])}",
             f"{tr(lang, 'Cooperating')}: {coop}",
             f"{tr(lang, 'Document')}: {document}"]
    if r["member"]:
        lines.insert(2, f"{tr(lang, 'Commune')}: {names.get(r['member'], r['member'])}")
    return "\n".join(lines)


def _alarm_text(notice: reminders.Notice, r: dict[str, Any], lang: str) -> str:
    if notice.kind is reminders.NoticeKind.DUE_TODAY:
        return f"{tr(lang, 'Due today')}: {_title(r, lang)}"
    return f"{tr(lang, '{n} working days left', n=notice.days_left)}: {_title(r, lang)}"
