"""The monthly report to the leader: last month's report, rendered and put in the outbox.

:func:`queue_monthly` renders the previous month's report (docx) as of ``now``, keeps it in
``<data dir>/reports/``, and writes one ``monthly_report`` notification to the plan's leader
agency (its tag) with the summary figures and the file as an attachment. The key
``report:<plan>:<YYYY-MM>`` is unique: a second run for the same month writes nothing (and
renders nothing). From there it is a notice like any other: the dispatcher delivers it through
apprise (e-mail channels receive the .docx attached, other channels the summary), retries it
with backoff, and marks it dead after the last attempt.

The context of the notice (its templates ``monthly_report.{subject.txt,txt,html}``):
``plan`` (title …), ``period`` (``tháng 5 năm 2027``), ``today`` (dd/mm/yyyy), ``filename``,
``recipient_name``, ``f`` (the figures as text: total, done, done_on_time, done_late, within,
overdue, done_rate) and ``attachments`` (the file's path).

:func:`is_first_working_day` is the schedule's second half: ``serve`` runs the flow by cron on
the first days of each month, and the flow acts only on the month's first working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from agencyflow.config import Settings
from agencyflow.domain.calendar import WorkingCalendar, local_date
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Notification
from agencyflow.services.reminders.notice_context import agencies, plan_context
from agencyflow.services.reports import context as report_context
from agencyflow.services.reports import period as periods
from agencyflow.services.reports.produce import make

KIND = "monthly_report"
SYSTEM = Actor("system:monthly-report", Role.SYSTEM)
#: Cron of the flow in ``serve`` (Vietnam time): 07:30 on the 1st–7th; only the first working
#: day acts (:func:`is_first_working_day`).
CRON = "30 7 1-7 * *"


def key(plan_key: str, period: periods.ReportPeriod) -> str:
    """The outbox key of a plan's monthly report: one per plan and month."""
    return f"report:{plan_key}:{period.slug}"


def is_first_working_day(day: date, calendar: WorkingCalendar) -> bool:
    """True on the first working day of ``day``'s month."""
    return calendar.next_working_day(day.replace(day=1), include=True) == day


@dataclass(frozen=True)
class Queued:
    """What :func:`queue_monthly` did: the key, whether it wrote the notice, the file."""

    key: str
    written: bool
    path: Path | None


def queue_monthly(session: Session, settings: Settings, *, plan_key: str, now: datetime,
                  calendar: WorkingCalendar, lang: str = "vi") -> Queued:
    """Render last month's report and queue it for the leader (nothing if already queued)."""
    today = local_date(now)
    period = periods.previous_month(today)
    k = key(plan_key, period)
    if session.execute(select(col(Notification.id)).where(col(Notification.key) == k)).first():
        return Queued(k, False, None)
    made = make(session, settings, plan_key=plan_key, period=period, today=today, actor=SYSTEM,
                calendar=calendar, fmt="docx", lang=lang, known_at=now)
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / made.filename()
    path.write_bytes(made.content)
    spec = made.data.spec
    leader = agencies(session.connection(), plan_key, lang, [spec.leader]).get(spec.leader)
    f = made.data.figures
    text = report_context.build(made.data, _head(made))["f"]
    context = {
        "plan": plan_context(spec, lang), "period": period.label(lang),
        "today": today.strftime("%d/%m/%Y"), "filename": path.name,
        "recipient_name": leader.name if leader else spec.leader,
        "f": {k2: text[k2] for k2 in ("total", "done", "done_on_time", "done_late", "within",
                                      "overdue", "done_rate")},
        "counts": dict(f.counts), "attachments": [str(path)]}
    notice = Notification(
        key=k, assignment_id=None, cycle_id=made.data.cycle_id, kind=KIND, window=period.slug,
        scheduled_on=today, recipient_code=spec.leader,
        tag=leader.tag if leader else spec.leader.lower(), level=0, lang=lang, digest=False,
        context=context, status="pending", created_at=now, next_attempt_at=now)
    session.add(notice)
    try:
        session.flush()
    except IntegrityError:  # another run queued it a moment ago: never twice
        session.rollback()
        return Queued(k, False, path)
    return Queued(k, True, path)


def _head(made):  # type: ignore[no-untyped-def]
    from agencyflow.services.reports.render import letterhead

    return letterhead(made.data.spec, lang=made.data.lang)
