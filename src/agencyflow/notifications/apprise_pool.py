"""Sending from worker processes, for :meth:`AppriseNotifier.send_many` with ``processes > 1``.

Delivering one message through apprise costs about 3 ms of *CPU* in Python (apprise's call and
result bookkeeping, then ``requests`` building a session and a connection for every message),
so threads — and apprise's ``async_notify``, which runs the same blocking ``send()`` in a thread
pool — share one core under the GIL and level off near 300 messages/s. A few worker processes,
each holding its own notifier built from the same configuration, use the other cores.

The workers are started (``spawn``) on the first large ``send_many`` and reused until
:meth:`SenderPool.close` or the end of the process. Each receives contiguous chunks of the
items and sends them on its share of the ``concurrency`` threads; results come back in item
order. If a worker dies, the items of its chunks get a failed :class:`ChannelResult` for each
channel they would have gone to ("worker process failed: …") and the pool is rebuilt on the
next call: a failure is reported, never raised, and the dispatcher retries those channels.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from agencyflow.notifications.base import ChannelResult, Message, run_concurrently

log = logging.getLogger(__name__)

Item = tuple[str, Message, Collection[str] | None]
Recipe = tuple[str, Any, float]
"""How to build the notifier again in a worker: ``("urls", entries, call_timeout)`` or
``("config", path, call_timeout)``."""

CHUNKS_PER_PROCESS = 4
MIN_CHUNK = 8

_worker: Any = None


def _start_worker(recipe: Recipe) -> None:
    """Initializer of a worker process: build its notifier (imports apprise once)."""
    global _worker
    from agencyflow.notifications.apprise_notifier import AppriseNotifier

    kind, source, call_timeout = recipe
    if kind == "urls":
        _worker = AppriseNotifier.from_urls(source, call_timeout=call_timeout)
    else:
        _worker = AppriseNotifier.from_config(source, call_timeout=call_timeout)


def _send_chunk(items: Sequence[Item], threads: int) -> list[list[ChannelResult]]:
    """Send one chunk in a worker process on ``threads`` threads, in order."""
    return run_concurrently(_worker.send, items, threads)


def chunks(items: Sequence[Item], processes: int) -> list[Sequence[Item]]:
    """Cut ``items`` into contiguous chunks, a few per process (so a slow one does not hold
    everything up), none smaller than :data:`MIN_CHUNK` unless there are few items."""
    count = max(1, min(processes * CHUNKS_PER_PROCESS, len(items) // MIN_CHUNK))
    size = -(-len(items) // count)
    return [items[i:i + size] for i in range(0, len(items), size)]


class SenderPool:
    """A lazily started pool of ``processes`` worker processes sending apprise notifications."""

    def __init__(self, recipe: Recipe, processes: int) -> None:
        """Remember how to build the workers; nothing starts before the first :meth:`send_many`."""
        self.recipe = recipe
        self.processes = processes
        #: Items handed to the worker processes so far (what a caller or a test can observe).
        self.items_sent = 0
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.recipe,))
        return self._executor

    def send_many(
        self, items: Sequence[Item], concurrency: int,
        channels: Callable[[str], list[str]],
    ) -> list[list[ChannelResult]]:
        """Send ``items`` across the workers; results in item order (see the module docstring).

        ``channels`` names a tag's channels, to report the items of a chunk whose worker failed.
        """
        threads = max(1, concurrency // self.processes)
        pool = self._pool()
        parts = chunks(items, self.processes)
        futures: list[Future[list[list[ChannelResult]]]] = [
            pool.submit(_send_chunk, part, threads) for part in parts]
        results: list[list[ChannelResult]] = []
        broken = False
        for part, future in zip(parts, futures, strict=True):
            try:
                results.extend(future.result())
            except Exception as exc:  # noqa: BLE001 - a dead worker is a failed delivery
                broken = True
                log.error("notification worker process failed: %s: %s", type(exc).__name__, exc)
                results.extend(_failed(part, channels, f"worker process failed: {exc!r}"))
        if broken:
            self.close()
        self.items_sent += len(items)
        return results

    def close(self) -> None:
        """Stop the worker processes (a later :meth:`send_many` starts new ones)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _failed(part: Sequence[Item], channels: Callable[[str], list[str]], error: str
            ) -> list[list[ChannelResult]]:
    return [[ChannelResult(c, ok=False, error=error[:500])
             for c in channels(tag) if only is None or c in only]
            for tag, _, only in part]
