"""Looking after the outbox: list notifications, send dead ones again, check channel coverage.

Nothing is ever dropped silently: a notification that failed ``max_attempts`` times is ``dead``
with its last error, listed by :func:`list_notifications`, and :func:`retry` puts it back in the
queue (an audit event records who did it and the attempts it had; the per-channel
:class:`~agencyflow.models.Delivery` rows keep their full history).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from agencyflow.domain import suggest
from agencyflow.domain.ids import clamp_limit, storable
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.errors import NotFound, ValidationError
from agencyflow.i18n import _
from agencyflow.labels import label as words
from agencyflow.models import Agency, AuditEvent, Delivery, Notification
from agencyflow.notifications.base import Notifier
from agencyflow.services.audit import trail as audit

N = Notification
#: Every notification status (see :mod:`agencyflow.models.outbox`).
STATUSES = ("pending", "sent", "failed", "dead", "superseded", "digested")
#: Statuses that :func:`retry` accepts.
RETRYABLE = ("dead", "failed")


def list_notifications(session: Session, status: str | None = None, limit: int | None = 100,
                       known_at: datetime | None = None) -> list[Notification]:
    """Notifications, newest first, optionally only those with ``status``; with ``known_at``,
    those written by then, each with its status then (:func:`status_known_at`)."""
    shown = col(N.status) if known_at is None else status_known_at(known_at)
    stmt = select(N, shown).order_by(col(N.id).desc())
    if known_at is not None:
        stmt = stmt.where(col(N.created_at) <= known_at)
    if status is not None:
        stmt = stmt.where(shown == suggest.status_in(status, STATUSES))
    if limit := clamp_limit(limit):
        stmt = stmt.limit(limit)
    rows = []
    for notification, then in session.execute(stmt):
        session.expunge(notification)  # a copy to show, never written back
        notification.status = then
        rows.append(notification)
    return rows


def counts(session: Session, known_at: datetime | None = None) -> dict[str, int]:
    """Number of notifications per status (as known at ``known_at``)."""
    shown = col(N.status) if known_at is None else status_known_at(known_at)
    stmt = select(shown, func.count())
    if known_at is not None:
        stmt = stmt.where(col(N.created_at) <= known_at)
    return {status: n for status, n in session.execute(stmt.group_by(shown))}


#: Audit actions on an assignment after which its undelivered reminders are superseded.
SUPERSEDING = ("assignment.complete", "assignment.approve", "assignment.submit",
               "assignment.cancel", "assignment.decide")


def status_known_at(moment: datetime) -> Any:
    """A notification's status as known at ``moment`` (SQL): sent if it was sent by then,
    digested if its digest was written by then, failed or dead if its last attempt was made by
    then, superseded if what superseded it (a completion, submission, cancellation or extension
    decision of its assignment) was recorded by then; otherwise pending."""
    digest = aliased(N)
    written = select(col(digest.created_at)).where(col(digest.id) == N.digest_id)
    last_try = select(func.max(col(Delivery.last_attempt_at))).where(
        col(Delivery.notification_id) == N.id)
    superseder = select(col(AuditEvent.id)).where(
        col(AuditEvent.target_type) == "assignment",
        col(AuditEvent.target_id) == cast(N.assignment_id, String),
        col(AuditEvent.action).in_(SUPERSEDING),
        col(AuditEvent.at) >= N.created_at, col(AuditEvent.at) <= moment)
    return case(
        (and_(col(N.sent_at).is_not(None), col(N.sent_at) <= moment), "sent"),
        (and_(col(N.status) == "digested", written.scalar_subquery() <= moment), "digested"),
        (and_(col(N.status).in_(("failed", "dead")), last_try.scalar_subquery() <= moment),
         col(N.status)),
        (and_(col(N.status) == "superseded", superseder.exists()), "superseded"),
        else_="pending")


def _targets(session: Session, ids: Sequence[int] | None, all_dead: bool) -> list[Notification]:
    if all_dead:
        return list(session.execute(select(N).where(col(N.status) == "dead")).scalars())
    if not ids:
        raise ValidationError(_("name the notifications to retry (IDs) or ask for all dead ones"))
    found = [i for i in ids if storable(i)]
    rows = {n.id: n for n in session.execute(select(N).where(col(N.id).in_(found))).scalars()}
    for nid in ids:
        row = rows.get(nid)
        if row is None:
            raise NotFound(_("notification {id} does not exist").format(id=nid))
        if row.status not in RETRYABLE:
            raise ValidationError(_("notification {id} is {status}: only dead or failed "
                                    "notifications can be retried").format(
                id=nid, status=words("outbox", row.status)))
    return [rows[nid] for nid in ids]


def retry(session: Session, *, ids: Sequence[int] | None = None, all_dead: bool = False,
          now: datetime, actor: str = "system") -> list[int]:
    """Queue dead (or failed) notifications again, due at ``now`` with a fresh attempt budget;
    return their ids. One audit event records the ids and their previous attempts and errors."""
    rows = _targets(session, ids, all_dead)
    if not rows:
        return []
    before = {str(n.id): {"status": n.status, "attempts": n.attempts, "last_error": n.last_error}
              for n in rows}
    chosen = [n.id for n in rows]
    session.execute(update(N).where(col(N.id).in_(chosen)).values(
        status="pending", attempts=0, next_attempt_at=now, lease_owner=None, lease_until=None))
    audit.record(session, now=now, actor=actor, action="notification.retry",
                 target_type="notification", target_id=",".join(map(str, chosen))[:100],
                 before=before, after={"status": "pending", "ids": chosen})
    return [int(i) for i in chosen if i is not None]


def retry_as(session: Session, actor: Actor, *, ids: Sequence[int] | None = None,
             all_dead: bool = False, now: datetime) -> list[int]:
    """:func:`retry` for a user, who must be allowed to administer notifications
    (coordinators; the CLI and the API both come this way)."""
    require(actor, Action.NOTIFY_ADMIN, target=_("notifications"))
    return retry(session, ids=ids, all_dead=all_dead, now=now, actor=actor.username)


def agency_tags(session: Session) -> dict[str, list[str]]:
    """Notification tag (an agency's first tag) → codes of the agencies using it."""
    out: dict[str, list[str]] = {}
    stmt = select(col(Agency.code), col(Agency.tags)).order_by(col(Agency.code))
    for code, tags in session.execute(stmt):
        tag = (tags or [code.lower()])[0]
        if code not in out.setdefault(tag, []):
            out[tag].append(code)
    return out


def check_channels(notifier: Notifier, session: Session) -> list[str]:
    """Tags of agencies that match no channel (sorted); empty when every agency is reachable."""
    tags = sorted(agency_tags(session))
    missing = getattr(notifier, "missing_tags", None)
    if callable(missing):  # apprise: services tagged "always" do not count as coverage
        return list(missing(tags))
    return [tag for tag in tags if not notifier.channels(tag)]
