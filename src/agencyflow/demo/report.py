"""What the year left behind: messages received, the board, the targets, the audit trail.

:func:`tally` matches every message the sink received to a *sent* outbox row of the same
recipient and subject (the dispatcher stores the rendered subject), which gives each received
message its kind and cross-checks the sink against the outbox: a message the outbox does not
know, or a sent row that never arrived, makes the tally inconsistent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import col

from agencyflow.db import session_scope
from agencyflow.demo import cast
from agencyflow.demo.sink import Received
from agencyflow.domain.calendar import WorkingCalendar
from agencyflow.domain.permissions import Action, require
from agencyflow.domain.targets import PeriodResult
from agencyflow.errors import AuditError
from agencyflow.models import Assignment, Cycle, Notification
from agencyflow.services import audit, delivery
from agencyflow.services import board as board_service

#: Message kinds in the order the demo shows them.
KINDS = ("opened", "reminder", "due_today", "overdue", "escalation", "completed",
         "extension_decided", "digest")


@dataclass
class Tally:
    """Per agency: received messages by kind (from the sink) and sent rows (from the outbox)."""

    kinds: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    outbox_sent: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0

    def received(self, agency: str) -> int:
        """How many messages the sink received for ``agency`` (matched to the outbox)."""
        return sum(self.kinds.get(agency, Counter()).values())

    @property
    def consistent(self) -> bool:
        """True when the sink and the outbox agree message for message."""
        agencies = set(self.kinds) | set(self.outbox_sent)
        return self.unmatched == 0 and all(
            self.received(a) == self.outbox_sent[a] for a in agencies)


def tally(engine: Engine, received: Iterable[Received]) -> Tally:
    """Match received messages to sent outbox rows by (recipient, subject); see module doc."""
    N = Notification
    pool: dict[tuple[str, str], list[str]] = defaultdict(list)
    result = Tally()
    with engine.connect() as conn:
        stmt = (select(col(N.recipient_code), col(N.subject), col(N.kind))
                .where(col(N.status) == "sent"))
        for code, subject, kind in conn.execute(stmt):
            pool[(code, subject or "")].append(kind)
            result.outbox_sent[code] += 1
    for message in received:
        kinds = pool.get((message.agency, message.title))
        if kinds:
            result.kinds[message.agency][kinds.pop()] += 1
        else:
            result.unmatched += 1
    return result


def sample(engine: Engine, received: Iterable[Received], agency: str, kind: str = "escalation"
           ) -> Received | None:
    """The first (by outbox id) ``kind`` message sent to ``agency``, as the sink received it."""
    N = Notification
    stmt = (select(col(N.subject))
            .where(col(N.status) == "sent", col(N.recipient_code) == agency, col(N.kind) == kind)
            .order_by(col(N.id)).limit(1))
    with engine.connect() as conn:
        subject = conn.execute(stmt).scalar_one_or_none()
    return next((m for m in received if m.agency == agency and m.title == subject), None)


@dataclass(frozen=True)
class Findings:
    """The year-end picture: board counts, agency names, targets, audit trail, outbox."""

    board: dict[str, dict[str, int]]
    names: dict[str, str]
    targets: list[PeriodResult]
    audit_events: int
    audit_error: str | None
    outbox: dict[str, int]
    leads: list[str]


def findings(engine: Engine, calendar: WorkingCalendar, cycle: Cycle) -> Findings:
    """Read the year-end board, targets, audit verification and outbox counts."""
    today: date = cycle.end_date
    inspector = cast.actor(cast.INSPECTOR)
    with session_scope(engine) as session:
        flt = board_service.BoardFilter(cycle_id=cycle.id, late_against=cycle.late_against)
        counts = board_service.counts(session, flt, today=today, calendar=calendar)
        names = board_service.agency_names(session, cycle.plan_key)
        results = board_service.targets_report(session, cycle.plan_key, today=today,
                                               actor=inspector,
                                               year=cycle.year).results
        boxes = delivery.counts(session)
        leads = sorted(set(session.execute(
            select(col(Assignment.lead_code)).where(col(Assignment.cycle_id) == cycle.id,
                                                    col(Assignment.opened_on).is_not(None))
        ).scalars()))
    events, error = verify_audit(engine)
    return Findings(counts, names, results, events, error, boxes, leads)


def verify_audit(engine: Engine) -> tuple[int, str | None]:
    """The inspector verifies the audit trail: (number of events, the break or None)."""
    require(cast.actor(cast.INSPECTOR), Action.AUDIT_READ, target="the audit trail")
    with session_scope(engine) as session:
        try:
            return audit.verify(session), None
        except AuditError as exc:
            return audit.head(session)[0], str(exc)
