"""A notifier that records what it is asked to send; the fake used in tests of the dispatcher."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from agencyflow.notifications.base import (
    ChannelResult,
    Message,
    SendItem,
    iter_concurrently,
    run_concurrently,
)


class RecordingNotifier:
    """Implements :class:`~agencyflow.notifications.base.Notifier` in memory.

    - ``routes`` maps a tag to its channel names. When ``routes`` is None every tag has one
      channel, ``"recording://<tag>"``; when given, an unknown tag matches no channel.
    - ``failing`` is a *mutable* set of channel names that fail with ``error``; remove a name
      to let a later retry succeed.
    - ``sent`` lists ``(tag, message)`` for every :meth:`send` call that matched a channel;
      ``delivered`` lists ``(channel, message)`` for each successful channel delivery;
      ``attempts`` lists ``(channel, message)`` for every attempt, failed or not.
    """

    def __init__(
        self,
        routes: Mapping[str, Iterable[str]] | None = None,
        failing: Iterable[str] = (),
        error: str = "simulated failure",
    ) -> None:
        """Create the fake with optional tag routes and failing channels."""
        self.routes = None if routes is None else {t: list(c) for t, c in routes.items()}
        self.failing: set[str] = set(failing)
        self.error = error
        self.sent: list[tuple[str, Message]] = []
        self.delivered: list[tuple[str, Message]] = []
        self.attempts: list[tuple[str, Message]] = []
        self._lock = threading.Lock()

    def channels(self, tag: str) -> list[str]:
        """Channels of ``tag`` according to ``routes`` (see the class docstring)."""
        if self.routes is None:
            return [f"recording://{tag}"]
        return list(self.routes.get(tag, []))

    def wants_html(self, tag: str) -> bool:
        """Always True: the fake records the HTML part too, so tests can look at it."""
        return True

    def send(
        self, tag: str, message: Message, only: Collection[str] | None = None
    ) -> list[ChannelResult]:
        """Record the message and return one result per matched channel (filtered by ``only``)."""
        targets = [c for c in self.channels(tag) if only is None or c in only]
        if targets:
            with self._lock:
                self.sent.append((tag, message))
        return [self.send_to_channel(channel, message) for channel in targets]

    def send_to_channel(self, channel: str, message: Message) -> ChannelResult:
        """Record one attempt on ``channel``; it fails when the channel is in ``failing``."""
        with self._lock:
            self.attempts.append((channel, message))
            if channel in self.failing:
                return ChannelResult(channel, ok=False, error=self.error)
            self.delivered.append((channel, message))
        return ChannelResult(channel, ok=True)

    def send_many(
        self, items: Iterable[SendItem], concurrency: int = 32
    ) -> list[list[ChannelResult]]:
        """Send each item like :meth:`send`, concurrently, results in item order."""
        return run_concurrently(self.send, items, concurrency)

    def send_iter(
        self, items: Sequence[SendItem], concurrency: int = 32
    ) -> Iterator[tuple[int, list[ChannelResult]]]:
        """Send each item like :meth:`send`, yielding ``(index, results)`` as each completes."""
        return iter_concurrently(self.send, items, concurrency)
