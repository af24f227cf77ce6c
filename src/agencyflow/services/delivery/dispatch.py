"""The dispatcher: claim due outbox rows with a lease, fold digests, render, send, record.

One batch goes through four short steps:

1. **claim** — ``UPDATE … SET lease_owner, lease_until WHERE id IN (SELECT … FOR UPDATE SKIP
   LOCKED)`` (PostgreSQL; on SQLite the same statement under ``BEGIN IMMEDIATE``) takes up to
   ``batch_size`` rows that are pending or failed, due (``next_attempt_at <= now``) and not leased.
   Leases are taken from the **real clock** (``clock``), never from the decision time ``now``:
   ``lease_until = clock() + lease_seconds``. A worker that dies leaves its rows leased until
   ``lease_until``; then anyone may claim them.
   Claimed *reminder-type* notices (opened, reminder, due_today, overdue, escalation) about an
   assignment that no longer awaits work (done, cancelled, submitted) become ``superseded``;
   news about an event (``completed``, ``extension_decided``) is sent whatever the state.
2. **fold** — a recipient's claimed *digest* rows (two or more) become one ``digest``
   notification (key ``digest:{recipient}:{lowest item id}``, deterministic) in the same
   transaction that marks the items ``digested``; a lone digest row is sent as it is.
3. **send** — the batch is sent chunk by chunk (``_RECORD_EVERY`` rows). Right before a chunk
   is sent its lease is **renewed** from the real clock, and only the rows still leased to this
   worker are sent: a row whose lease ran out and that another dispatcher claimed is never sent
   by both (``lease_seconds`` must exceed the time one *chunk* takes, not the whole call). Each
   row is rendered in its language at this moment (templates may have changed since the sweep;
   the HTML part only when the tag has a channel that shows it) and sent with
   ``notifier.send_iter`` as ``(tag, message, only)``, ``only`` being the channels that have not
   yet delivered it: a retry never repeats a channel. While a chunk is sent the next is rendered.
   The message carries the notification's key (each channel's delivery key derives from it),
   its apprise type and the machine payload (:mod:`agencyflow.notifications.payload`), all
   from the row and its context: no query.
4. **record** — results are recorded **as they arrive**, in transactions of at most
   ``RECORD_GROUP`` notifications (or every ``_RECORD_SECONDS``): one
   :class:`~agencyflow.models.Delivery` row per channel (attempts, last error, sent time), one
   :class:`~agencyflow.models.DeliveryAttempt` per attempt (the history, errors included) and the
   notification's new state: ``sent`` when every channel has delivered; otherwise ``failed`` with
   ``next_attempt_at = now + backoff · 2^(attempts-1)``, or ``dead`` after ``max_attempts``. No
   matching channel is a failure ("no channel for tag X"): nothing is dropped silently.

A dispatcher killed outright can therefore send again only what it had *in flight*: the messages
being sent at that moment and the results not yet recorded (see README, "Delivery guarantees").

A bug of ours (an exception that is not a delivery failure) is not recorded as one: the rows of
the batch that were not recorded yet are released (still pending, no attempt counted) and the
exception propagates, so that the run fails loudly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import Engine, or_, select, update
from sqlmodel import col

from agencyflow.domain.lifecycle import ACTIVE
from agencyflow.domain.reminders import NoticeKind
from agencyflow.models import Assignment, Delivery, Notification
from agencyflow.models.types import utcnow
from agencyflow.notifications import payload
from agencyflow.notifications.base import Message, Notifier
from agencyflow.services.delivery import digests
from agencyflow.services.delivery import record as dispatch_record
from agencyflow.services.delivery.results import DispatchResult, Job
from agencyflow.services.reminders.notice_context import RenderContexts
from agencyflow.services.writes import write_transaction

N = Notification
_RECORD_EVERY = 200
RECORD_GROUP = 16
"""At most this many results wait for their record (README, "Delivery guarantees")."""
_RECORD_SECONDS = 0.1
_ACTIVE = sorted(s.value for s in ACTIVE)
#: The kinds a sweep schedules; only these are superseded when the assignment stops awaiting work.
REMINDER_KINDS = tuple(k.value for k in NoticeKind)


class Renderer(Protocol):
    """What the dispatcher needs from :class:`agencyflow.notifications.Renderer`."""

    def render(self, kind: str, context: Mapping[str, Any], html: bool = True) -> Message: ...

    def link_for(self, assignment_id: object) -> str | None: ...


RendererFactory = Callable[[str], Renderer]
"""Language → renderer (the composition root decides templates directory and base URL)."""
Clock = Callable[[], datetime]
"""The real clock (aware UTC); leases are taken from it, tests may pass their own."""


def claim(engine: Engine, *, now: datetime, worker_id: str, limit: int,
          lease_seconds: int, clock: Clock = utcnow) -> list[int]:
    """Lease up to ``limit`` rows due at ``now`` to ``worker_id`` until ``clock() +
    lease_seconds``; return their ids (oldest first)."""
    real = clock()
    due = (select(col(N.id)).where(col(N.status).in_(("pending", "failed")),
                                   col(N.next_attempt_at) <= now,
                                   or_(col(N.lease_until).is_(None), col(N.lease_until) < real))
           .order_by(col(N.id)).limit(limit).with_for_update(skip_locked=True))
    stmt = (update(N).where(col(N.id).in_(due.scalar_subquery()))
            .values(lease_owner=worker_id, lease_until=real + timedelta(seconds=lease_seconds))
            .returning(col(N.id)))
    with write_transaction(engine) as conn:
        # ``id`` is Optional only on an unsaved model; a returned primary key is never NULL.
        ids = sorted(cast(Sequence[int], conn.execute(stmt).scalars().all()))
        if ids:
            conn.execute(_supersede(ids))
    return ids


def renew(engine: Engine, ids: Sequence[int], *, worker_id: str, lease_seconds: int,
          clock: Clock = utcnow) -> set[int]:
    """Extend the lease of ``ids`` that are still leased to ``worker_id`` and unsent; return
    those. A row missing from the answer was taken over by another dispatcher after this
    worker's lease ran out (or was superseded meanwhile): it must not be sent from here."""
    if not ids:
        return set()
    stmt = (update(N).where(col(N.id).in_(ids), col(N.lease_owner) == worker_id,
                            col(N.status).in_(("pending", "failed")))
            .values(lease_until=clock() + timedelta(seconds=lease_seconds))
            .returning(col(N.id)))
    with write_transaction(engine) as conn:
        return set(cast(Sequence[int], conn.execute(stmt).scalars().all()))


def release(engine: Engine, ids: Sequence[int], *, worker_id: str) -> None:
    """Give back the leases of ``ids`` still held by ``worker_id`` and unsent (after a bug of
    ours): they stay pending, with no attempt counted, for the next run."""
    if not ids:
        return
    with write_transaction(engine) as conn:
        conn.execute(update(N).where(col(N.id).in_(ids), col(N.lease_owner) == worker_id,
                                     col(N.status).in_(("pending", "failed")))
                     .values(lease_owner=None, lease_until=None))


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


def _outcomes(prepared: list[_Prepared], notifier: Notifier, concurrency: int
              ) -> Iterator[dispatch_record.Outcome]:
    """Outcomes as they become known: first those with nothing to send (an error, or every
    channel already delivered), then each sent job as its channels answer."""
    todo = [p for p in prepared if p.missing and p.message is not None]
    for p in prepared:
        if not (p.missing and p.message is not None):
            yield dispatch_record.Outcome(p.job, p.channels, [], p.message, p.error)
    items = [(p.job.row["tag"], cast(Message, p.message), p.missing) for p in todo]
    for index, results in notifier.send_iter(items, concurrency=concurrency):
        p = todo[index]
        yield dispatch_record.Outcome(p.job, p.channels, results, p.message, p.error)


@dataclass
class _Sender:
    """Sends one batch chunk by chunk, renewing the lease before each chunk and recording
    results in small groups as they arrive (see the module docstring)."""

    engine: Engine
    notifier: Notifier
    renderers: Mapping[str, Renderer]
    concurrency: int
    worker_id: str
    lease_seconds: int
    clock: Clock
    record: Callable[[list[dispatch_record.Outcome]], None]
    chunk_size: int = _RECORD_EVERY

    def prepare(self, jobs: list[Job]) -> list[_Prepared]:
        """Render ``jobs`` (in the render thread, while the previous chunk is sent)."""
        return [_prepare(j, self.notifier, self.renderers) for j in jobs]

    def send(self, jobs: list[Job]) -> None:
        """Send and record every job of the batch that is still leased to this worker.

        Before each chunk the lease of every row of the batch not yet sent is renewed: a live
        dispatcher keeps its batch, and a row it lost (its lease ran out first) is skipped."""
        size = self.chunk_size
        chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
        if not chunks:
            return
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch-render") as renders:
            following: Future[list[_Prepared]] = renders.submit(self.prepare, chunks[0])
            for k in range(len(chunks)):
                prepared = following.result()
                if k + 1 < len(chunks):
                    following = renders.submit(self.prepare, chunks[k + 1])
                ours = renew(self.engine, [j.row["id"] for c in chunks[k:] for j in c],
                             worker_id=self.worker_id, lease_seconds=self.lease_seconds,
                             clock=self.clock)
                self._send_chunk([p for p in prepared if p.job.row["id"] in ours])

    def _send_chunk(self, prepared: list[_Prepared]) -> None:
        group: list[dispatch_record.Outcome] = []
        started = time.monotonic()
        for outcome in _outcomes(prepared, self.notifier, self.concurrency):
            group.append(outcome)
            if len(group) >= RECORD_GROUP or time.monotonic() - started >= _RECORD_SECONDS:
                self.record(group)
                group, started = [], time.monotonic()
        if group:
            self.record(group)


def dispatch(engine: Engine, notifier: Notifier, renderer_factory: RendererFactory, *,
             now: datetime, worker_id: str, max_attempts: int = 5, backoff_seconds: int = 60,
             concurrency: int = 32, batch_size: int = 500, lease_seconds: int = 300,
             max_batches: int | None = None, limit: int | None = None,
             clock: Clock = utcnow, chunk_size: int = _RECORD_EVERY) -> DispatchResult:
    """Deliver every notification due at ``now``, batch after batch, until none is left (or
    ``max_batches`` batches, or about ``limit`` notifications claimed); see the module
    docstring. ``clock`` is the real clock the leases are taken from; ``chunk_size`` the rows
    sent between two renewals of the lease (``lease_seconds`` must exceed one chunk's time)."""
    started = time.perf_counter()
    result = DispatchResult()
    policy = dispatch_record.RetryPolicy(max_attempts, backoff_seconds)
    renderers: dict[str, Renderer] = {}
    contexts = RenderContexts()

    def record(outcomes: list[dispatch_record.Outcome]) -> None:
        dispatch_record.record(engine, outcomes, now=now, worker_id=worker_id,
                               policy=policy, result=result)

    sender = _Sender(engine, notifier, renderers, concurrency, worker_id, lease_seconds,
                     clock, record, max(1, chunk_size))
    while max_batches is None or result.batches < max_batches:
        size = batch_size if limit is None else min(batch_size, limit - result.claimed)
        if size <= 0:
            break
        ids = claim(engine, now=now, worker_id=worker_id, limit=size,
                    lease_seconds=lease_seconds, clock=clock)
        if not ids:
            break
        result.batches += 1
        result.claimed += len(ids)
        try:
            ids = digests.fold(engine, ids, now=now, worker_id=worker_id, result=result,
                               contexts=contexts)
            jobs = _jobs(engine, ids, worker_id, contexts)
            for lang in {j.row["lang"] for j in jobs} - renderers.keys():
                renderers[lang] = renderer_factory(lang)
            sender.send(jobs)
        except BaseException:
            release(engine, ids, worker_id=worker_id)
            raise
    result.seconds = time.perf_counter() - started
    return result
