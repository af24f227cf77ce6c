"""Hooks the assignment use cases call when a due date or the lead agency changes.

They keep the notification outbox consistent in the same transaction as the change; the reminders
developer may refine them (they are the one place to do so):

- :func:`on_due_changed` (an extension was approved): the next sweep must look at the assignment
  today (``next_notice_on`` = today), and notices computed from the old due date that were not
  delivered yet (pending or failed; reminder, due_today, overdue, escalation — not ``opened``,
  nor the event notices ``completed``/``extension_decided``) are marked ``superseded``.
- :func:`on_lead_changed` (reassignment): the next sweep looks today, and undelivered notices that
  were addressed to the old lead are readdressed to the new lead (recipient, tag, digest flag
  and, for notices that store a context, the names in it; sweep notices read names at dispatch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlmodel import Session, col

from agencyflow.domain.calendar import local_date
from agencyflow.domain.reminders import NoticeKind
from agencyflow.models import Agency, Assignment, Notification

#: Outbox statuses of notices not delivered yet (they may still be sent).
UNDELIVERED = ("pending", "failed")
#: Notice kinds scheduled from the due date (every reminder kind but ``opened``).
DUE_DEPENDENT = tuple(k.value for k in NoticeKind if k is not NoticeKind.OPENED)


def _look_today(session: Session, assignment: Assignment, now: datetime) -> None:
    session.execute(update(Assignment).where(col(Assignment.id) == assignment.id)
                    .values(next_notice_on=local_date(now), attention=None, attention_on=None),
                    execution_options={"synchronize_session": False})


def on_due_changed(session: Session, assignment: Assignment, now: datetime) -> int:
    """The due date of ``assignment`` changed; return how many notices were superseded."""
    _look_today(session, assignment, now)
    result = session.execute(
        update(Notification)
        .where(col(Notification.assignment_id) == assignment.id,
               col(Notification.status).in_(UNDELIVERED),
               col(Notification.kind).in_(DUE_DEPENDENT))
        .values(status="superseded"),
        execution_options={"synchronize_session": False})
    return int(cast(CursorResult[Any], result).rowcount or 0)


def on_lead_changed(session: Session, assignment: Assignment, now: datetime, *,
                    old_lead: str) -> int:
    """The lead of ``assignment`` changed from ``old_lead``; return how many notices moved.

    Undelivered notices to the old lead are readdressed (recipient, tag, digest flag and the
    "Kính gửi" name of their stored context); every undelivered notice of the assignment gets
    the new lead's name in its context, so escalations name the agency now responsible.
    """
    _look_today(session, assignment, now)
    new = _agency(session, assignment.plan_key, assignment.lead_code)
    rows = session.execute(select(Notification).where(
        col(Notification.assignment_id) == assignment.id,
        col(Notification.status).in_(UNDELIVERED))).scalars().all()
    moved = 0
    for row in rows:
        if row.recipient_code == old_lead:
            row.recipient_code, row.tag, row.digest = new.code, _first_tag(new), new.digest
            moved += 1
        if row.context is not None:  # sweep notices have none: names are read at dispatch
            row.context = _renamed(row.context, new, row.lang,
                                   recipient=row.recipient_code == new.code)
        session.add(row)
    session.flush()
    return moved


def _renamed(context: dict[str, Any], new: Agency, lang: str, *, recipient: bool
             ) -> dict[str, Any]:
    """A stored context naming ``new`` as the lead (and as the recipient if ``recipient``)."""
    context = dict(context)
    name = (new.name_en or new.name_vi) if lang == "en" else new.name_vi
    if isinstance(context.get("assignment"), dict):
        context["assignment"] = {**context["assignment"], "lead_code": new.code,
                                 "lead_name": name}
    if recipient:
        context["recipient_name"] = name
    return context


def _agency(session: Session, plan_key: str, code: str) -> Agency:
    """The agency ``code`` of the plan (a stand-in named by its code if it is not stored)."""
    found = session.execute(select(Agency).where(
        col(Agency.plan_key) == plan_key, col(Agency.code) == code)).scalar_one_or_none()
    return found or Agency(plan_key=plan_key, code=code, name_vi=code, kind="office")


def _first_tag(agency: Agency) -> str:
    """The notification tag of an agency: its first tag (default: the lower-case code)."""
    return agency.tags[0] if agency.tags else agency.code.lower()
