"""Reads that pages and the API show beside an assignment: its notices, pending extensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.models import Assignment, ExtensionRequest, Notification
from agencyflow.services.assignments import core


@dataclass(frozen=True)
class Notice:
    """One notification about an assignment, as a page lists it."""

    id: int
    kind: str
    recipient: str
    status: str
    scheduled_on: date | None
    sent_at: datetime | None
    attempts: int
    last_error: str | None


def notices_for(session: Session, assignment_id: int, actor: Actor, limit: int = 200
                ) -> list[Notice]:
    """The notifications of an assignment (newest first, at most ``limit``)."""
    core.authorise(actor, Action.READ, core.load(session, assignment_id))
    N = Notification
    stmt = (select(N).where(col(N.assignment_id) == assignment_id)
            .order_by(col(N.id).desc()).limit(limit))
    return [Notice(n.id or 0, n.kind, n.recipient_code, n.status, n.scheduled_on, n.sent_at,
                   n.attempts, n.last_error) for n in session.execute(stmt).scalars()]


@dataclass(frozen=True)
class PendingExtension:
    """An extension request waiting for a decision, with its assignment."""

    id: int
    assignment_id: int
    step_id: str
    lead_code: str
    title_vi: str
    title_en: str | None
    old_due: date
    new_due: date
    reason: str
    requested_by: str
    requested_at: datetime


def pending_extensions(session: Session, actor: Actor, *, agency: str | None = None,
                       limit: int = 500) -> list[PendingExtension]:
    """Pending extension requests, oldest first (of assignments ``agency`` leads, if given)."""
    require(actor, Action.READ, target="extension requests")
    E, A = ExtensionRequest, Assignment
    stmt = (select(E, A).join(A, col(A.id) == E.assignment_id)
            .where(col(E.status) == "pending").order_by(col(E.id)).limit(limit))
    if agency:
        stmt = stmt.where(col(A.lead_code) == agency)
    return [PendingExtension(e.id or 0, a.id or 0, a.step_id, a.lead_code, a.title_vi,
                             a.title_en, e.old_due, e.new_due, e.reason, e.requested_by,
                             e.requested_at)
            for e, a in session.execute(stmt).all()]
