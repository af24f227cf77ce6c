"""Reads and administrative actions that need a role, each with its permission check: the audit
trail (read, verify, export: inspector, leader, coordinator), the notification outbox (list,
retry: coordinator), users (list: anyone logged in; their tokens: coordinator or themself).

The CLI checks the same actions (:mod:`agencyflow.domain.permissions`); pages and the API call
these functions so that no route holds the rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import TextIO

from sqlalchemy import select
from sqlmodel import Session, col

from agencyflow.domain.calendar import TIMEZONE
from agencyflow.domain.permissions import Action, Actor, allowed, require
from agencyflow.errors import ValidationError
from agencyflow.i18n import _
from agencyflow.models import ApiToken, AuditEvent, Notification
from agencyflow.services.audit import trail as audit
from agencyflow.services.delivery import outbox
from agencyflow.services.people import users

#: Events per page of the audit trail.
AUDIT_PAGE = 100


def audit_events(session: Session, actor: Actor, *, who: str | None = None,
                 action: str | None = None, target_type: str | None = None,
                 target_id: str | None = None, before_seq: int | None = None,
                 since: date | None = None, until: date | None = None,
                 limit: int = AUDIT_PAGE) -> list[AuditEvent]:
    """Events newest first (``before_seq``: the page after that event), filtered; ``since``
    and ``until`` are days in Vietnam time, both included, of the event's time."""
    require(actor, Action.AUDIT_READ, target=_("the audit trail"))
    E = AuditEvent
    stmt = select(E).order_by(col(E.seq).desc()).limit(min(max(limit, 1), 1000))
    if since and until and since > until:
        raise ValidationError(f"the period {since:%d/%m/%Y}–{until:%d/%m/%Y} ends before it "
                              "starts")
    if since:
        stmt = stmt.where(col(E.at) >= _day_start(since))
    if until:
        stmt = stmt.where(col(E.at) < _day_start(until + timedelta(days=1)))
    if who:
        stmt = stmt.where(col(E.actor) == who)
    if action:
        stmt = stmt.where(col(E.action).like(action.replace("%", "") + "%"))
    if target_type:
        stmt = stmt.where(col(E.target_type) == target_type)
    if target_id:
        stmt = stmt.where(col(E.target_id) == target_id)
    if before_seq is not None:
        stmt = stmt.where(col(E.seq) < before_seq)
    return list(session.execute(stmt).scalars())


def _day_start(day: date) -> datetime:
    """Midnight of ``day`` in Vietnam time."""
    return datetime.combine(day, time(0), tzinfo=TIMEZONE)


def audit_verify(session: Session, actor: Actor) -> tuple[int, tuple[int, str]]:
    """Verify the whole chain (AuditError names the first broken event); (events, head)."""
    require(actor, Action.AUDIT_READ, target=_("the audit trail"))
    count = audit.verify(session)
    return count, audit.head(session)


def audit_export(session: Session, actor: Actor, fmt: str, out: TextIO
                 ) -> tuple[int, tuple[int, str]]:
    """Write the whole trail to ``out`` as jsonl or csv (see :func:`audit.export`)."""
    require(actor, Action.AUDIT_READ, target=_("the audit trail"))
    return audit.export(session, fmt, out)


def audit_export_stream(session: Session, actor: Actor, fmt: str
                        ) -> tuple[tuple[int, str], Iterator[str]]:
    """The head and the lines of an export, streamed (see :func:`audit.export_stream`); the
    permission and the format are checked now, before anything is sent."""
    require(actor, Action.AUDIT_READ, target="the audit trail")
    return audit.export_stream(session, fmt)


def notifications(session: Session, actor: Actor, status: str | None, limit: int = 200
                  ) -> tuple[list[Notification], dict[str, int]]:
    """Notifications (newest first, optionally of one status) and the count per status."""
    require(actor, Action.NOTIFY_ADMIN, target=_("notifications"))
    return outbox.list_notifications(session, status=status, limit=limit), outbox.counts(session)


def retry_notifications(session: Session, actor: Actor, *, now: datetime,
                        ids: Sequence[int] | None = None, all_dead: bool = False) -> list[int]:
    """Queue dead or failed notifications again (see :func:`outbox.retry`)."""
    require(actor, Action.NOTIFY_ADMIN, target=_("notifications"))
    return outbox.retry(session, ids=ids, all_dead=all_dead, now=now, actor=actor.username)


def tokens(session: Session, actor: Actor) -> list[tuple[ApiToken, str]]:
    """API tokens (never their secrets): every one for a coordinator, else the actor's own."""
    if allowed(actor, Action.USER_MANAGE):
        return users.list_tokens(session)
    return users.list_tokens(session, actor.username)
