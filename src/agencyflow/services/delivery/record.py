"""Recording what a send did: one delivery row per channel, and the notification's new state.

Used by :mod:`agencyflow.services.delivery.dispatch`. Writes are guarded by ``lease_owner``: a
worker
whose lease expired (and whose rows another worker took over) cannot overwrite their state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, bindparam, func, update
from sqlalchemy.dialects import postgresql, sqlite

from agencyflow.models import Delivery, DeliveryAttempt, Notification
from agencyflow.models.types import utcnow
from agencyflow.notifications.base import ChannelResult, Message
from agencyflow.services.writes import write_transaction

if TYPE_CHECKING:
    from agencyflow.services.delivery.results import DispatchResult, Job

_N = Notification.__table__  # type: ignore[attr-defined]
_D = Delivery.__table__  # type: ignore[attr-defined]
_A = DeliveryAttempt.__table__  # type: ignore[attr-defined]
_MAX_ERROR = 1000


@dataclass(frozen=True)
class RetryPolicy:
    """How often to try: ``max_attempts`` in all, waiting ``backoff · 2^(attempts-1)`` seconds."""

    max_attempts: int
    backoff_seconds: int

    def next_attempt(self, now: datetime, attempts: int) -> datetime:
        """When to try again after the ``attempts``-th failed attempt."""
        return now + timedelta(seconds=self.backoff_seconds * 2 ** max(attempts - 1, 0))


@dataclass(frozen=True)
class Outcome:
    """The result of trying one job: the tag's channels, this attempt's results, the message
    rendered (None if rendering failed) and an error that concerns the whole notification."""

    job: Job
    channels: list[str]
    results: list[ChannelResult]
    message: Message | None
    error: str | None

    def ok(self) -> bool:
        """True when every channel of the tag has now delivered the notification."""
        if self.error is not None:
            return False
        done = set(self.job.delivered) | {r.channel for r in self.results if r.ok}
        return all(c in done for c in self.channels)

    def error_text(self) -> str | None:
        """The error to keep on the notification: the whole-notification error or the channels'."""
        if self.error is not None:
            return self.error[:_MAX_ERROR]
        failed = [f"{r.channel}: {r.error or 'failed'}" for r in self.results if not r.ok]
        return "; ".join(failed)[:_MAX_ERROR] or None


_STATE = (
    update(_N)
    .where(_N.c.id == bindparam("nid"), _N.c.lease_owner == bindparam("worker"))
    .values(status=bindparam("st"), attempts=bindparam("att"), last_error=bindparam("err"),
            next_attempt_at=bindparam("nxt"), sent_at=bindparam("sent"),
            subject=bindparam("subj"), body=bindparam("txt"), html=bindparam("htm"),
            lease_owner=None, lease_until=None)
)


_UPSERTS: dict[str, Any] = {}


def _delivery_statement(conn: Connection) -> Any:
    """The delivery upsert of the connection's dialect, built once: built for every group of
    results, it and its ``excluded`` proxies took a quarter of the CPU that sending took."""
    name = conn.dialect.name
    if name not in _UPSERTS:
        _UPSERTS[name] = _upsert(postgresql if name == "postgresql" else sqlite)
    return _UPSERTS[name]


def _upsert(dialect: Any) -> Any:
    stmt = dialect.insert(_D)
    return stmt.on_conflict_do_update(
        index_elements=["notification_id", "channel"],
        set_={
            "status": stmt.excluded.status,
            "attempts": _D.c.attempts + 1,
            "last_error": stmt.excluded.last_error,
            "last_attempt_at": stmt.excluded.last_attempt_at,
            "sent_at": func.coalesce(stmt.excluded.sent_at, _D.c.sent_at),
        },
    )


def _delivery_rows(outcome: Outcome, now: datetime) -> list[dict[str, Any]]:
    return [{"notification_id": outcome.job.row["id"], "channel": r.channel,
             "status": "sent" if r.ok else "failed", "attempts": 1,
             "last_error": None if r.ok else (r.error or "failed")[:_MAX_ERROR],
             "last_attempt_at": now, "sent_at": now if r.ok else None}
            for r in outcome.results]


def _attempt_rows(outcome: Outcome, worker_id: str, at: datetime) -> list[dict[str, Any]]:
    """One attempt-history row per channel tried (or one without a channel when the whole
    notification failed before any channel was tried)."""
    nid = outcome.job.row["id"]
    if not outcome.results:
        if outcome.error is None:
            return []
        return [{"notification_id": nid, "channel": None, "ok": False,
                 "error": outcome.error[:_MAX_ERROR], "worker": worker_id, "at": at}]
    return [{"notification_id": nid, "channel": r.channel, "ok": r.ok,
             "error": None if r.ok else (r.error or "failed")[:_MAX_ERROR],
             "worker": worker_id, "at": at} for r in outcome.results]


def _state(outcome: Outcome, now: datetime, worker_id: str, policy: RetryPolicy
           ) -> tuple[str, dict[str, Any]]:
    attempts = outcome.job.row["attempts"] + 1
    message = outcome.message
    if outcome.ok():
        status, error, following = "sent", None, now
    else:
        error = outcome.error_text()
        dead = attempts >= policy.max_attempts
        status = "dead" if dead else "failed"
        following = now if dead else policy.next_attempt(now, attempts)
    return status, {
        "nid": outcome.job.row["id"], "worker": worker_id, "st": status, "att": attempts,
        "err": error, "nxt": following, "sent": now if status == "sent" else None,
        "subj": message.subject if message else None, "txt": message.text if message else None,
        "htm": message.html if message else None,
    }


def record(engine: Engine, outcomes: Sequence[Outcome], *, now: datetime, worker_id: str,
           policy: RetryPolicy, result: DispatchResult) -> None:
    """Store the deliveries, the attempt history and the new states of ``outcomes`` in one
    transaction; count them."""
    if not outcomes:
        return
    deliveries = [d for o in outcomes for d in _delivery_rows(o, now)]
    attempts = [a for o in outcomes for a in _attempt_rows(o, worker_id, utcnow())]
    states = [_state(o, now, worker_id, policy) for o in outcomes]
    with write_transaction(engine) as conn:
        if deliveries:
            conn.execute(_delivery_statement(conn), deliveries)
        if attempts:
            conn.execute(_A.insert(), attempts)
        conn.execute(_STATE, [params for _, params in states])
    for outcome, (status, _) in zip(outcomes, states, strict=True):
        result.count(outcome.job.row["recipient_code"], status)
