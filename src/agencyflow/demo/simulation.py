"""The year, working day by working day: 09:00 sweep and dispatch, 10:00 the agencies act.

:func:`setup` loads the bundled plan, creates the people and starts the cycle on an empty
database. :class:`Simulation` then walks every working day of the year (make-up Saturdays
included, Tết and weekends skipped): the reminder sweep writes what is due to the outbox and the
dispatcher delivers it through the notifier; then the script's acts are carried out, one
transaction each (completions and extension decisions write their own notices, sent the next
morning). A :class:`Month` per calendar month records what happened, and ``on_month``
is called as each month ends so that the caller can show progress.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from agencyflow.db import session_scope
from agencyflow.demo import acts, cast
from agencyflow.demo.script import EXTENSIONS, REWORK, REWORK_REASON, Act, Script, Work, label_of
from agencyflow.domain.calendar import TIMEZONE, WorkingCalendar
from agencyflow.domain.plan_spec import PlanSpec
from agencyflow.errors import ConfigError
from agencyflow.i18n import _
from agencyflow.models import Assignment, Cycle, Notification, PlanVersion
from agencyflow.notifications.base import Notifier
from agencyflow.services import cycles, people, plans, reminders
from agencyflow.services import delivery as delivery_service
from agencyflow.services.delivery import RendererFactory

#: The bundled plan the demo runs.
PLAN_KEY = "kim-thanh-ocop"
SWEEP_AT = time(9, 0)
ACT_AT = time(10, 0)
_ACTIONABLE = ("open", "in_progress", "submitted")
#: Acts shown as events in the month summaries (starts, hand-ins and approvals are counted).
NOTABLE = frozenset({Act.REJECT, Act.EXTEND, Act.GRANT, Act.REFUSE})


@dataclass(frozen=True)
class Event:
    """Something worth a word in the month summary."""

    day: date
    kind: str  # an Act value, "late" or "escalation"
    label: str
    detail: str = ""  # the new due date, a reason, or the agency an escalation went to
    number: int = 0  # working days late, or the escalation level


@dataclass
class Month:
    """What happened in one calendar month of the simulation."""

    first: date
    completed: int = 0
    late: int = 0
    #: Completions of assignments the plan's coordinator leads: it is not told of its own
    #: completions, so these have no ``completed`` notice.
    own: int = 0
    sent: int = 0
    queued: Counter[str] = field(default_factory=Counter)
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """How notifications are delivered: the notifier, renderers, language and retry settings."""

    notifier: Notifier
    renderers: RendererFactory
    lang: str = "vi"
    max_attempts: int = 5
    backoff_seconds: int = 60
    concurrency: int = 8


def at(day: date, moment: time) -> datetime:
    """``day`` at ``moment``, Vietnam time."""
    return datetime.combine(day, moment, tzinfo=TIMEZONE)


def setup(engine: Engine, calendar: WorkingCalendar, year: int) -> tuple[Cycle, PlanSpec]:
    """On an empty database: load the plan, add the people, start the cycle of ``year``."""
    now = at(calendar.previous_working_day(date(year - 1, 12, 30)), SWEEP_AT)
    with session_scope(engine) as session:
        _require_empty(session)
        version = plans.ensure_loaded(session, PLAN_KEY, now=now, actor=cast.SYSTEM)
        cast.add_people(session, now)
        started = cycles.start(session, version=version, year=year, now=now,
                              actor=cast.actor(cast.COORDINATOR), calendar=calendar)
    return started.cycle, plans.spec_of(version)


def _require_empty(session: Session) -> None:
    if people.has_users(session) or session.execute(select(col(PlanVersion.id)).limit(1)).first():
        raise ConfigError(_(
            "the demo needs an empty database, and this one already holds plans or users: "
            "point AGENCYFLOW_DATA_DIR at a new directory (make demo uses ./demo-data)"))


class Simulation:
    """Runs one cycle's year against the services (see the module docstring)."""

    def __init__(self, engine: Engine, calendar: WorkingCalendar, cycle: Cycle, spec: PlanSpec,
                 delivery: Delivery) -> None:
        """Prepare to simulate ``cycle`` of ``spec``."""
        self.engine, self.calendar, self.cycle, self.delivery = engine, calendar, cycle, delivery
        self.script = Script(calendar)
        self.context = acts.Context(spec, calendar, self.script, delivery.lang)

    def run(self, on_month: Callable[[Month], None] | None = None) -> list[Month]:
        """Simulate every working day of the cycle's year; return the months."""
        months: list[Month] = []
        for day in self.calendar.working_days_in(self.cycle.start_date, self.cycle.end_date):
            if not months or months[-1].first.month != day.month:
                if months and on_month:
                    on_month(months[-1])
                months.append(Month(day.replace(day=1)))
            self.sweep(day, months[-1])
            self.act(day, months[-1])
        if months and on_month:
            on_month(months[-1])
        return months

    def sweep(self, day: date, month: Month) -> None:
        """09:00: write what is due to the outbox, deliver it, note escalations."""
        now, d = at(day, SWEEP_AT), self.delivery
        swept = reminders.sweep(self.engine, now=now, calendar=self.calendar, lang=d.lang,
                                cycle_id=self.cycle.id)
        month.queued.update(swept.by_kind)
        sent = delivery_service.dispatch_outbox(self.engine, d.notifier, d.renderers, now=now,
                                                worker_id="demo", max_attempts=d.max_attempts,
                                                backoff_seconds=d.backoff_seconds,
                                                concurrency=d.concurrency)
        month.sent += sent.sent
        if swept.by_kind.get("escalation"):
            month.events += self._escalations(day)

    def _escalations(self, day: date) -> list[Event]:
        N, A = Notification, Assignment
        stmt = (select(col(A.step_id), col(A.member), col(A.period), col(N.recipient_code),
                       col(N.level))
                .join(A, col(A.id) == N.assignment_id)
                .where(col(N.kind) == "escalation", col(N.scheduled_on) == day)
                .order_by(col(N.id)))
        with self.engine.connect() as conn:
            return [Event(day, "escalation", label_of(s, m, p), who, level)
                    for s, m, p, who, level in conn.execute(stmt)]

    def act(self, day: date, month: Month) -> None:
        """10:00: each actionable assignment gets at most one act, one transaction each."""
        now = at(day, ACT_AT)
        for w in self._work(day):
            act = self.script.decide(w, day)
            if act is None:
                continue
            with session_scope(self.engine) as session:
                result = acts.perform(self.context, session, w, act, now)
            self.script.remember(w, act)
            self._count(month, day, w, act, result)
        month.queued.update(self._event_notices(day))

    def _event_notices(self, day: date) -> Counter[str]:
        """The notices today's acts wrote themselves (completions, extension decisions)."""
        N = Notification
        stmt = (select(col(N.kind), func.count())
                .where(col(N.cycle_id) == self.cycle.id, col(N.scheduled_on) == day,
                       col(N.kind).in_(reminders.EVENT_KINDS))
                .group_by(col(N.kind)))
        with self.engine.connect() as conn:
            return Counter({kind: n for kind, n in conn.execute(stmt)})

    def _work(self, day: date) -> list[Work]:
        A = Assignment
        columns = (A.id, A.step_id, A.member, A.period, A.lead_code, A.status, A.review,
                   A.due_current, A.opened_on)
        stmt = (select(*(col(c) for c in columns))
                .where(col(A.cycle_id) == self.cycle.id, col(A.status).in_(_ACTIONABLE),
                       col(A.opened_on) <= day, col(A.due_current).is_not(None))
                .order_by(col(A.id)))
        with self.engine.connect() as conn:
            rows = [row._mapping for row in conn.execute(stmt)]
        return [Work(r["id"], label_of(r["step_id"], r["member"], r["period"]), r["step_id"],
                     r["lead_code"], r["status"], bool(r["review"]), r["due_current"],
                     r["opened_on"]) for r in rows]

    def _count(self, month: Month, day: date, w: Work, act: Act, result: object) -> None:
        if act in NOTABLE or (w.label == REWORK and act is not Act.START):
            month.events.append(Event(day, act.value, w.label, self._detail(w, act)))
        if isinstance(result, Assignment) and result.status == "done":
            month.completed += 1
            month.own += result.lead_code == self.context.spec.coordinator
            due = result.due_current
            if due is not None and result.completed_on is not None and result.completed_on > due:
                month.late += 1
                deadline = self.calendar.previous_working_day(due)
                late = self.calendar.working_days_between(deadline, result.completed_on)
                month.events.append(Event(day, "late", w.label, number=late))

    def _detail(self, w: Work, act: Act) -> str:
        if act is Act.EXTEND:
            return f"{self.script.new_due(w):%d/%m/%Y}"
        if act is Act.REJECT:
            return REWORK_REASON
        if act is Act.REFUSE:
            return EXTENSIONS[w.label].refusal or ""
        return ""
