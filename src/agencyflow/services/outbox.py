"""Looking after the outbox: list notifications, send dead ones again, check channel coverage.

Nothing is ever dropped silently: a notification that failed ``max_attempts`` times is ``dead``
with its last error, listed by :func:`list_notifications`, and :func:`retry` puts it back in the
queue (an audit event records who did it and the attempts it had; the per-channel
:class:`~agencyflow.models.Delivery` rows keep their full history).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from agencyflow.domain.ids import clamp_limit, storable
from agencyflow.domain.permissions import Action, Actor, require
from agencyflow.errors import NotFound, ValidationError
from agencyflow.models import Agency, Notification
from agencyflow.notifications.base import Notifier
from agencyflow.services import audit

N = Notification
#: Every notification status (see :mod:`agencyflow.models.outbox`).
STATUSES = ("pending", "sent", "failed", "dead", "superseded", "digested")
#: Statuses that :func:`retry` accepts.
RETRYABLE = ("dead", "failed")


def list_notifications(session: Session, status: str | None = None, limit: int | None = 100
                       ) -> list[Notification]:
    """Notifications, newest first, optionally only those with ``status``."""
    stmt = select(N).order_by(col(N.id).desc())
    if status is not None:
        if status not in STATUSES:
            raise ValidationError(f"unknown status {status!r} (one of: {', '.join(STATUSES)})")
        stmt = stmt.where(col(N.status) == status)
    if limit := clamp_limit(limit):
        stmt = stmt.limit(limit)
    return list(session.execute(stmt).scalars())


def counts(session: Session) -> dict[str, int]:
    """Number of notifications per status."""
    stmt = select(col(N.status), func.count()).group_by(col(N.status))
    return {status: n for status, n in session.execute(stmt)}


def _targets(session: Session, ids: Sequence[int] | None, all_dead: bool) -> list[Notification]:
    if all_dead:
        return list(session.execute(select(N).where(col(N.status) == "dead")).scalars())
    if not ids:
        raise ValidationError("name the notifications to retry (IDs) or ask for all dead ones")
    found = [i for i in ids if storable(i)]
    rows = {n.id: n for n in session.execute(select(N).where(col(N.id).in_(found))).scalars()}
    for nid in ids:
        row = rows.get(nid)
        if row is None:
            raise NotFound(f"notification {nid} does not exist")
        if row.status not in RETRYABLE:
            raise ValidationError(f"notification {nid} is {row.status}: only dead or failed "
                                  "notifications can be retried")
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
    require(actor, Action.NOTIFY_ADMIN, target="notifications")
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
