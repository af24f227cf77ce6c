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
Any other exception raised in a worker is a bug of ours, not a delivery failure: it is raised
in the caller.

:meth:`SenderPool.send_iter` streams: it hands each worker chunks of about as many items as the
worker has threads and yields a chunk's results as soon as the chunk is done, so that the
dispatcher records them at once. A worker process ends by itself within
:data:`ORPHAN_CHECK_SECONDS` when the process that started it is gone — even after a
``kill -9`` of the dispatcher no worker keeps sending.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from agencyflow.notifications.base import ChannelResult, Message, run_concurrently

log = logging.getLogger(__name__)

Item = tuple[str, Message, Collection[str] | None]
Recipe = tuple[str, Any, float]
"""How to build the notifier again in a worker: ``("urls", entries, call_timeout)`` or
``("config", path, call_timeout)``."""
Builder = Callable[[Recipe], Any]
"""Builds a worker's notifier from a recipe; a module-level function (it is pickled by name
into each spawned worker), :func:`agencyflow.notifications.apprise_notifier.from_recipe`."""

CHUNKS_PER_PROCESS = 4
MIN_CHUNK = 8
ORPHAN_CHECK_SECONDS = 0.1
"""How often a worker process checks that its parent (the dispatcher) is still alive."""

_worker: Any = None


def _exit_with_parent(parent: int) -> None:
    """End this process at once when ``parent`` is gone (the worker was re-parented).

    ``PR_SET_PDEATHSIG`` would fire when the *thread* that started the worker ends, which in a
    dispatcher is a short-lived sender thread; watching the parent's pid has no such trap.
    """
    while True:
        time.sleep(ORPHAN_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(70)


def _start_worker(build: Builder, recipe: Recipe, parent: int | None = None) -> None:
    """Initializer of a worker process: build its notifier (imports apprise once) and watch
    the parent process (see :func:`_exit_with_parent`)."""
    global _worker
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True,
                         name="orphan-watch").start()
    _worker = build(recipe)


def _send_chunk(items: Sequence[Item], threads: int) -> list[list[ChannelResult]]:
    """Send one chunk in a worker process on ``threads`` threads, in order."""
    return run_concurrently(_worker.send, items, threads)


def chunks(items: Sequence[Item], processes: int) -> list[Sequence[Item]]:
    """Cut ``items`` into contiguous chunks, a few per process (so a slow one does not hold
    everything up), none smaller than :data:`MIN_CHUNK` unless there are few items."""
    count = max(1, min(processes * CHUNKS_PER_PROCESS, len(items) // MIN_CHUNK))
    size = -(-len(items) // count)
    return [items[i:i + size] for i in range(0, len(items), size)]


def chunk_size(concurrency: int, processes: int) -> int:
    """Items per chunk handed to a worker by :meth:`SenderPool.send_iter`."""
    return max(MIN_CHUNK, concurrency // processes)


def in_flight_bound(concurrency: int, processes: int) -> int:
    """How many items may have been sent whose results the caller of ``send_iter`` has not
    taken yet: the ``processes + 1`` chunks handed out plus the finished one being yielded
    (with threads only: the ``concurrency`` sends under way plus as many being yielded)."""
    if processes <= 1:
        return 2 * concurrency
    return (processes + 2) * chunk_size(concurrency, processes)


class SenderPool:
    """A lazily started pool of ``processes`` worker processes sending apprise notifications."""

    def __init__(self, build: Builder, recipe: Recipe, processes: int) -> None:
        """Remember how to build the workers; nothing starts before the first :meth:`send_many`."""
        self.build = build
        self.recipe = recipe
        self.processes = processes
        #: Items handed to the worker processes so far (what a caller or a test can observe).
        self.items_sent = 0
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(self.build, self.recipe, os.getpid()))
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
            except BrokenProcessPool as exc:  # a dead worker is a failed delivery
                broken = True
                log.error("notification worker process failed: %s: %s", type(exc).__name__, exc)
                results.extend(_failed(part, channels, f"worker process failed: {exc!r}"))
        if broken:
            self.close()
        self.items_sent += len(items)
        return results

    def send_iter(
        self, items: Sequence[Item], concurrency: int,
        channels: Callable[[str], list[str]],
    ) -> Iterator[tuple[int, list[ChannelResult]]]:
        """Send ``items`` across the workers, yielding ``(index, results)`` chunk by chunk as
        the chunks complete (see the module docstring).

        A chunk is one worker's threads' worth of items (at least :data:`MIN_CHUNK`), and at
        most ``processes + 1`` chunks are handed out at a time: a new one only when the caller
        has taken a finished one. So at most :func:`in_flight_bound` items have been sent
        without the caller having seen their results — the bound on what a killed dispatcher
        can send twice."""
        threads = max(1, concurrency // self.processes)
        pool = self._pool()
        size = chunk_size(concurrency, self.processes)
        starts = iter(range(0, len(items), size))
        pending: dict[Future[list[list[ChannelResult]]], int] = {}

        def hand_out() -> None:
            start = next(starts, None)
            if start is not None:
                pending[pool.submit(_send_chunk, items[start:start + size], threads)] = start

        for _ in range(self.processes + 1):
            hand_out()
        broken = False
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                finished = sorted((pending.pop(future), future) for future in done)
                for _ in finished:
                    hand_out()
                for start, future in finished:
                    part = items[start:start + size]
                    try:
                        chunk = future.result()
                    except BrokenProcessPool as exc:
                        broken = True
                        log.error("notification worker process failed: %s", exc)
                        chunk = _failed(part, channels, f"worker process failed: {exc!r}")
                    for offset, results in enumerate(chunk):
                        yield start + offset, results
        finally:
            for future in pending:
                future.cancel()
            if broken:
                self.close()

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
