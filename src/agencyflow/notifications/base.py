"""The notifier contract: messages, per-channel results and the ``Notifier`` protocol.

A *tag* names an audience (an agency code such as ``"nn"``, or ``"reminders"``); a notifier
maps a tag to zero or more *channels* (one delivery endpoint each: a webhook, a mailbox, an
MQTT topic). Sending returns one :class:`ChannelResult` per matched channel, so the dispatcher
can record delivery per channel and later retry only the channels that failed::

    results = notifier.send("nn", message)
    failed = {r.channel for r in results if not r.ok}
    if failed:
        notifier.send("nn", message, only=failed)   # the others are not sent twice
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: apprise notification types, from the calmest: what a receiving system can filter on.
NOTIFY_TYPES = ("info", "success", "warning", "failure")


@dataclass(frozen=True)
class Message:
    """A rendered notification: a one-line subject, a plain-text body, an optional HTML body,
    and what machine channels carry besides.

    Channels that can show HTML (email) receive ``html`` when it is set; all others ``text``.
    ``key`` is the notification's stable key (``a12:overdue:2027-03-10``): each channel's
    delivery carries :func:`delivery_key` of it (e-mail ``Message-ID``, webhook
    ``Idempotency-Key``, MQTT payload). ``notify_type`` is one of :data:`NOTIFY_TYPES`;
    ``data`` is the structured ``notification`` object of machine payloads (see
    :mod:`agencyflow.notifications.payload`).
    """

    subject: str
    text: str
    html: str | None = None
    key: str | None = None
    notify_type: str = "info"
    data: Mapping[str, Any] | None = field(default=None, compare=False)
    #: Files sent along (paths): e-mail channels attach them; other channels send the text.
    attachments: tuple[str, ...] = ()


def channel_id(channel: str) -> str:
    """A short, stable, secret-free id of a channel name: 12 hex digits of its sha256."""
    return hashlib.sha256(channel.encode("utf-8")).hexdigest()[:12]


def delivery_key(notification_key: str, channel: str) -> str:
    """The identity of one notification's delivery to one channel, the same on every retry
    and from every dispatcher: ``agencyflow:<notification key>:<channel id>``."""
    return f"agencyflow:{notification_key}:{channel_id(channel)}"


@dataclass(frozen=True)
class ChannelResult:
    """The outcome of delivering one message to one channel.

    ``channel`` is the channel's stable, secret-free name (for apprise, the privacy-masked URL);
    it is the key to pass back in ``only=`` or to :meth:`Notifier.send_to_channel` for a retry.
    ``error`` is a short human-readable reason when ``ok`` is False (e.g. ``"HTTP 500"``).
    """

    channel: str
    ok: bool
    error: str | None = None


SendItem = tuple[str, Message] | tuple[str, Message, Collection[str] | None]
"""One entry for :meth:`Notifier.send_many`: ``(tag, message)`` or ``(tag, message, only)``."""


@runtime_checkable
class Notifier(Protocol):
    """Delivers rendered messages to the channels a tag selects.

    Implementations never raise for a failed channel: failures come back as
    ``ChannelResult(ok=False, error=...)``. An empty result list means no channel matched.
    """

    def channels(self, tag: str) -> list[str]:
        """Names of the channels the tag selects, in configuration order (may be empty)."""
        ...

    def wants_html(self, tag: str) -> bool:
        """True when some channel of ``tag`` shows ``Message.html`` (so it is worth rendering)."""
        ...

    def send(
        self, tag: str, message: Message, only: Collection[str] | None = None
    ) -> list[ChannelResult]:
        """Send to every channel of ``tag`` (restricted to ``only`` when given), one result each."""
        ...

    def send_to_channel(self, channel: str, message: Message) -> ChannelResult:
        """Send to one channel by name, regardless of tags (used to retry a failed channel)."""
        ...

    def send_many(
        self, items: Iterable[SendItem], concurrency: int = 32
    ) -> list[list[ChannelResult]]:
        """Send many messages concurrently; results are returned in the order of ``items``."""
        ...

    def send_iter(
        self, items: Sequence[SendItem], concurrency: int = 32
    ) -> Iterator[tuple[int, list[ChannelResult]]]:
        """Send like :meth:`send_many`, yielding ``(index in items, results)`` as each item
        completes, so that the caller can record every result as soon as it is known."""
        ...


def split_item(item: SendItem) -> tuple[str, Message, Collection[str] | None]:
    """Normalise a :data:`SendItem` to ``(tag, message, only)``."""
    if len(item) == 2:
        tag, message = item  # type: ignore[misc]
        return tag, message, None
    tag, message, only = item  # type: ignore[misc]
    return tag, message, only


def run_concurrently(
    send: Callable[[str, Message, Collection[str] | None], list[ChannelResult]],
    items: Iterable[SendItem],
    concurrency: int,
) -> list[list[ChannelResult]]:
    """Call ``send(tag, message, only)`` for each item on a thread pool, keeping item order.

    Shared by every notifier's ``send_many``; ``concurrency <= 1`` sends sequentially.
    """
    normalised: Sequence[tuple[str, Message, Collection[str] | None]] = [
        split_item(item) for item in items
    ]
    if concurrency <= 1 or len(normalised) <= 1:
        return [send(*item) for item in normalised]
    workers = min(concurrency, len(normalised))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify") as pool:
        return list(pool.map(lambda item: send(*item), normalised))


def iter_concurrently(
    send: Callable[[str, Message, Collection[str] | None], list[ChannelResult]],
    items: Sequence[SendItem],
    concurrency: int,
) -> Iterator[tuple[int, list[ChannelResult]]]:
    """Call ``send(tag, message, only)`` for each item on ``concurrency`` threads and yield
    ``(index, results)`` in completion order (the streaming twin of :func:`run_concurrently`).

    Items are submitted as threads free up, never all at once: when the consumer stops
    (an exception, a closed generator) at most ``concurrency`` sends are still in flight, and
    no further item is started.
    """
    normalised = [split_item(item) for item in items]
    if concurrency <= 1 or len(normalised) <= 1:
        for index, item in enumerate(normalised):
            yield index, send(*item)
        return
    workers = min(concurrency, len(normalised))
    pending: dict[Future[list[ChannelResult]], int] = {}
    following = iter(enumerate(normalised))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notify") as pool:
        try:
            for index, item in following:
                pending[pool.submit(send, *item)] = index
                if len(pending) >= workers:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                finished = [(pending.pop(future), future) for future in done]
                for _ in finished:  # refill the threads before the consumer takes its time
                    nxt = next(following, None)
                    if nxt is not None:
                        pending[pool.submit(send, *nxt[1])] = nxt[0]
                for index, future in sorted(finished, key=lambda pair: pair[0]):
                    yield index, future.result()
        finally:
            for future in pending:
                future.cancel()
