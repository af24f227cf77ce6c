"""The dispatcher: claim due outbox rows with a lease, fold digests, render, send, record.

One batch goes through four short steps:

1. **claim** — ``UPDATE … SET lease_owner, lease_until WHERE id IN (SELECT … FOR UPDATE SKIP
   LOCKED)`` (PostgreSQL; on SQLite the same statement under ``BEGIN IMMEDIATE``) takes up to
   ``batch_size`` rows that are pending or failed, due (``next_attempt_at <= now``) and not leased.
   A worker that dies leaves its rows leased until ``lease_until``; then anyone may claim them.
   Claimed *reminder-type* notices (opened, reminder, due_today, overdue, escalation) about an
   assignment that no longer awaits work (done, cancelled, submitted) become ``superseded``;
   news about an event (``completed``, ``extension_decided``) is sent whatever the state.
2. **fold** — a recipient's claimed *digest* rows (two or more) become one ``digest``
   notification (key ``digest:{recipient}:{lowest item id}``, deterministic) in the same
   transaction that marks the items ``digested``; a lone digest row is sent as it is.
3. **send** — each row is rendered in its language at this moment (templates may have changed
   since the sweep; the HTML part only when the tag has a channel that shows it) and sent with
   ``notifier.send_many`` in chunks of ``_RECORD_EVERY`` as ``(tag, message, only)``, ``only``
   being the channels that have not yet delivered it: a retry never repeats a channel. While
   a chunk is being sent the next one is rendered. The message carries the notification's key
   (each channel's delivery key derives from it), its apprise type and the machine payload
   (:mod:`agencyflow.notifications.payload`), all from the row and its context: no query.
4. **record** — as each chunk completes, one :class:`~agencyflow.models.Delivery` row per channel
   (attempts, last error, sent time) and the notification's new state: ``sent`` when every
   channel has delivered; otherwise ``failed`` with ``next_attempt_at = now + backoff ·
   2^(attempts-1)``, or ``dead`` after ``max_attempts``. No matching channel is a failure
   ("no channel for tag X"): nothing is dropped silently.

``lease_seconds`` must exceed the time a batch takes, or another worker may send the same rows.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Engine, or_, select, update
from sqlmodel import col

from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.domain.reminders import NoticeKind
from agencyflow.models import Assignment, Delivery, Notification
from agencyflow.notifications import payload
from agencyflow.notifications.base import ChannelResult, Message, Notifier
from agencyflow.services import digests, dispatch_record
from agencyflow.services.notice_context import RenderContexts
from agencyflow.services.writes import write_transaction

N = Notification
_RECORD_EVERY = 200
_ACTIVE = sorted(s.value for s in ACTIVE)
#: The kinds a sweep schedules; only these are superseded when the assignment stops awaiting work.
REMINDER_KINDS = tuple(k.value for k in NoticeKind)


class Renderer(Protocol):
    """What the dispatcher needs from :class:`agencyflow.notifications.Renderer`."""

    def render(self, kind: str, context: Mapping[str, Any], html: bool = True) -> Message: ...

    def link_for(self, assignment_id: object) -> str | None: ...


RendererFactory = Callable[[str], Renderer]
"""Language → renderer (the composition root decides templates directory and base URL)."""


@dataclass
class DispatchResult:
    """What one :func:`dispatch` call did; ``by_agency`` maps recipient → outcome → count."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    digests: int = 0
    digested: int = 0
    batches: int = 0
    by_agency: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The counts as plain JSON-friendly data (for Prefect task results and ``--format``)."""
        return {"claimed": self.claimed, "sent": self.sent, "failed": self.failed,
                "dead": self.dead, "digests": self.digests, "digested": self.digested,
                "batches": self.batches,
                "by_agency": {k: dict(v) for k, v in self.by_agency.items()},
                "seconds": round(self.seconds, 3)}

    def count(self, recipient: str, outcome: str) -> None:
        """Count one notification of ``recipient`` that ended ``outcome`` (sent/failed/dead)."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        agency = self.by_agency.setdefault(recipient, {})
        agency[outcome] = agency.get(outcome, 0) + 1


@dataclass(frozen=True)
class Job:
    """A claimed notification ready to send: its row, its render context (None: its
    assignment could not be read) and the channels that already delivered."""

    row: Mapping[str, Any]
    context: dict[str, Any] | None
    delivered: frozenset[str]


def claim(engine: Engine, *, now: datetime, worker_id: str, limit: int,
          lease_seconds: int) -> list[int]:
    """Lease up to ``limit`` due rows to ``worker_id``; return their ids (oldest first)."""
    due = (select(col(N.id)).where(col(N.status).in_(("pending", "failed")),
                                   col(N.next_attempt_at) <= now,
                                   or_(col(N.lease_until).is_(None), col(N.lease_until) < now))
           .order_by(col(N.id)).limit(limit).with_for_update(skip_locked=True))
    stmt = (update(N).where(col(N.id).in_(due.scalar_subquery()))
            .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
            .returning(col(N.id)))
    with write_transaction(engine) as conn:
        # ``id`` is Optional only on an unsaved model; a returned primary key is never NULL.
        ids = sorted(cast(Sequence[int], conn.execute(stmt).scalars().all()))
        if ids:
            conn.execute(_supersede(ids))
    return ids


def _supersede(ids: Sequence[int]) -> Any:
    """Claimed reminder-type notices about an assignment no longer awaiting work (done,
    cancelled, submitted for review) are ``superseded`` instead of sent. Event notices
    (``completed`` is *about* a done assignment) and digests are left to be sent."""
    idle = select(col(Assignment.id)).where(col(Assignment.status).not_in(_ACTIVE))
    return (update(N).where(col(N.id).in_(ids), col(N.kind).in_(REMINDER_KINDS),
                            col(N.assignment_id).in_(idle))
            .values(status="superseded", lease_owner=None, lease_until=None))


def _jobs(engine: Engine, ids: Sequence[int], worker_id: str, contexts: RenderContexts
          ) -> list[Job]:
    cols = [col(c) for c in (N.id, N.key, N.kind, N.recipient_code, N.tag, N.lang, N.context,
                             N.attempts, N.assignment_id, N.level, N.days_left)]
    with engine.connect() as conn:
        # RowMapping is also keyed by column objects; a job's row is only ever read by name.
        rows = [cast(Mapping[str, Any], r._mapping) for r in conn.execute(
            select(*cols).where(col(N.id).in_(ids), col(N.lease_owner) == worker_id,
                                col(N.status).in_(("pending", "failed"))).order_by(col(N.id)))]
        sent = conn.execute(
            select(col(Delivery.notification_id), col(Delivery.channel)).where(
                col(Delivery.notification_id).in_(ids), col(Delivery.status) == "sent")).all()
        found = contexts.of(conn, rows)
    delivered: dict[int, set[str]] = {}
    for notification_id, channel in sent:
        delivered.setdefault(notification_id, set()).add(channel)
    return [Job(r, c, frozenset(delivered.get(r["id"], ()))) for r, c in
            zip(rows, found, strict=True)]


@dataclass(frozen=True)
class _Prepared:
    """A job rendered and ready to send: the channels still ``missing`` its delivery, or an
    ``error`` concerning the whole notification (render failed, no channel)."""

    job: Job
    channels: list[str]
    message: Message | None
    error: str | None
    missing: list[str]


def _prepare(job: Job, notifier: Notifier, renderers: Mapping[str, Renderer]) -> _Prepared:
    """Render one job; never raises for a broken template (it becomes the job's error)."""
    row = job.row
    channels = notifier.channels(row["tag"])
    if job.context is None:
        return _Prepared(job, channels, None,
                         f"render failed: assignment {row['assignment_id']} not found", [])
    renderer = renderers[row["lang"]]
    try:
        message = renderer.render(row["kind"], job.context, html=notifier.wants_html(row["tag"]))
    except Exception as exc:  # noqa: BLE001 - a broken template must not stop the batch
        return _Prepared(job, channels, None, f"render failed: {exc}", [])
    message = replace(
        message, key=row["key"], notify_type=payload.notify_type(row["kind"], job.context),
        attachments=tuple(job.context.get("attachments") or ()),
        data=payload.notification_payload(
            notification_id=row["id"], key=row["key"], kind=row["kind"], level=row["level"],
            recipient=row["recipient_code"], context=job.context, link_for=renderer.link_for))
    if not channels:
        return _Prepared(job, channels, message, f"no channel for tag {row['tag']}", [])
    return _Prepared(job, channels, message, None,
                     [c for c in channels if c not in job.delivered])


def _send(prepared: list[_Prepared], notifier: Notifier, concurrency: int
          ) -> list[dispatch_record.Outcome]:
    """Send the prepared jobs that still miss a channel with one ``send_many``."""
    todo = [(p, p.message) for p in prepared if p.missing and p.message is not None]
    sent = notifier.send_many([(p.job.row["tag"], message, p.missing) for p, message in todo],
                              concurrency=concurrency)
    results: dict[int, list[ChannelResult]] = {
        id(p): r for (p, _), r in zip(todo, sent, strict=True)}
    return [dispatch_record.Outcome(p.job, p.channels, results.get(id(p), []), p.message,
                                    p.error) for p in prepared]


def _completed(jobs: list[Job], notifier: Notifier, renderers: Mapping[str, Renderer],
               concurrency: int) -> Iterator[list[dispatch_record.Outcome]]:
    """Outcomes chunk by chunk; chunk k+1 is rendered while chunk k is being sent."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch-send") as sender:
        in_flight: Future[list[dispatch_record.Outcome]] | None = None
        for start in range(0, len(jobs), _RECORD_EVERY):
            prepared = [_prepare(j, notifier, renderers) for j in jobs[start:start + _RECORD_EVERY]]
            following = sender.submit(_send, prepared, notifier, concurrency)
            if in_flight is not None:
                yield in_flight.result()
            in_flight = following
        if in_flight is not None:
            yield in_flight.result()


def dispatch(engine: Engine, notifier: Notifier, renderer_factory: RendererFactory, *,
             now: datetime, worker_id: str, max_attempts: int = 5, backoff_seconds: int = 60,
             concurrency: int = 32, batch_size: int = 500, lease_seconds: int = 300,
             max_batches: int | None = None) -> DispatchResult:
    """Deliver every notification due at ``now``, batch after batch, until none is left (or
    ``max_batches``); see the module docstring."""
    started = clock.perf_counter()
    result = DispatchResult()
    policy = dispatch_record.RetryPolicy(max_attempts, backoff_seconds)
    renderers: dict[str, Renderer] = {}
    contexts = RenderContexts()
    while max_batches is None or result.batches < max_batches:
        ids = claim(engine, now=now, worker_id=worker_id, limit=batch_size,
                    lease_seconds=lease_seconds)
        if not ids:
            break
        result.batches += 1
        result.claimed += len(ids)
        ids = digests.fold(engine, ids, now=now, worker_id=worker_id, result=result,
                           contexts=contexts)
        jobs = _jobs(engine, ids, worker_id, contexts)
        for lang in {j.row["lang"] for j in jobs} - renderers.keys():
            renderers[lang] = renderer_factory(lang)
        for outcomes in _completed(jobs, notifier, renderers, concurrency):
            dispatch_record.record(engine, outcomes, now=now, worker_id=worker_id,
                                   policy=policy, result=result)
    result.seconds = clock.perf_counter() - started
    return result
