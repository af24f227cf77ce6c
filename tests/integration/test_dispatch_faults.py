"""The dispatcher under faults, on real databases: every attempt kept, a bug of ours is not a
delivery failure, and two live dispatchers never send one row twice even when a call outlasts
its lease."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Collection
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.notifications.base import ChannelResult, Message
from agencyflow.services.delivery import dispatch
from tests.reminder_world import notifications, queue_opened, vn

T0 = vn(2027, 1, 18)


def _attempts(engine: Engine) -> list[dict]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(
            "SELECT notification_id, channel, ok, error, worker FROM delivery_attempt "
            "ORDER BY id"))]


def test_every_attempt_is_kept_with_its_error(engine: Engine) -> None:
    queue_opened(engine)
    notifier = RecordingNotifier(failing={"recording://nn"}, error="HTTP 503: busy")
    options = {"worker_id": "w1", "max_attempts": 3, "backoff_seconds": 60, "concurrency": 4}
    dispatch.dispatch(engine, notifier, Renderer, now=T0, **options)
    notifier.failing.clear()
    dispatch.dispatch(engine, notifier, Renderer, now=T0 + timedelta(seconds=60), **options)
    [plan] = notifications(engine, "recipient_code = 'NN' AND assignment_id = 1")
    assert plan["status"] == "sent" and plan["last_error"] is None
    history = [(a["channel"], bool(a["ok"]), a["error"]) for a in _attempts(engine)
               if a["notification_id"] == plan["id"]]
    assert history == [("recording://nn", False, "HTTP 503: busy"),
                       ("recording://nn", True, None)]
    assert {a["worker"] for a in _attempts(engine)} == {"w1"}


def test_an_attempt_that_reached_no_channel_is_kept_too(engine: Engine) -> None:
    queue_opened(engine)
    notifier = RecordingNotifier(routes={"nn": ["recording://nn"]})
    dispatch.dispatch(engine, notifier, Renderer, now=T0, worker_id="w1", concurrency=4)
    [survey_b] = notifications(engine, "recipient_code = 'XA-B' AND assignment_id = 3")
    history = [(a["channel"], bool(a["ok"]), a["error"]) for a in _attempts(engine)
               if a["notification_id"] == survey_b["id"]]
    assert history == [(None, False, "no channel for tag xa-b")]


class _BuggyNotifier(RecordingNotifier):
    """Raises a programming error (not a delivery failure) on the third send."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def send(self, tag: str, message: Message, only: Collection[str] | None = None
             ) -> list[ChannelResult]:
        self.calls += 1
        if self.calls == 3:
            raise TypeError("a bug of ours")
        return super().send(tag, message, only)


def test_a_bug_of_ours_fails_the_run_loudly_and_leaves_the_rows_pending(engine: Engine) -> None:
    queued = queue_opened(engine)
    notifier = _BuggyNotifier()
    with pytest.raises(TypeError, match="a bug of ours"):
        dispatch.dispatch(engine, notifier, Renderer, now=T0, worker_id="w1", concurrency=1)
    rows = notifications(engine)
    unsent = [r for r in rows if r["status"] in ("pending", "failed")]
    assert unsent, "the rows not recorded stay to be sent"
    assert all(r["status"] == "pending" and r["attempts"] == 0 for r in unsent)
    assert all(r["lease_owner"] is None for r in unsent), "released, not held until the lease"
    assert len(notifier.delivered) == 2
    # The next run (the bug fixed) sends each of the rest exactly once.
    fixed = RecordingNotifier()
    dispatch.dispatch(engine, fixed, Renderer, now=T0, worker_id="w2", concurrency=1)
    done = {r["status"] for r in notifications(engine) if r["digest_id"] is None}
    assert done <= {"sent", "failed"} and queued == 6


class _SlowNotifier(RecordingNotifier):
    """Every channel delivery takes ``delay`` seconds (a slow webhook), recorded per thread."""

    def __init__(self, delay: float) -> None:
        super().__init__(routes={"nn": ["slow://nn"]})
        self.delay = delay

    def send_to_channel(self, channel: str, message: Message) -> ChannelResult:
        time.sleep(self.delay)
        return super().send_to_channel(channel, message)


def _sends_per_notification(engine: Engine) -> Counter[int]:
    return Counter(a["notification_id"] for a in _attempts(engine)
                   if a["channel"] == "slow://nn")


def test_a_call_longer_than_its_lease_beside_a_second_dispatcher_sends_no_row_twice(
        engine: Engine) -> None:
    """Dispatcher A's call takes ~4 s with a 2 s lease, in chunks of 4 rows (0.4 s each); B
    runs after A's first lease would have run out. A renews its lease before each chunk, so B
    takes none of A's rows and every NN notice is sent exactly once. (With the lease taken once
    per call, B took A's unsent rows at 2.5 s and both sent them.)"""
    queue_opened(engine, copies=40)
    slow_a, slow_b = _SlowNotifier(0.1), _SlowNotifier(0.1)
    options = {"max_attempts": 3, "backoff_seconds": 60, "concurrency": 1, "lease_seconds": 2,
               "chunk_size": 4}
    first = threading.Thread(target=dispatch.dispatch, args=(engine, slow_a, Renderer),
                             kwargs={"now": T0, "worker_id": "A", **options})
    first.start()
    time.sleep(2.5)
    dispatch.dispatch(engine, slow_b, Renderer, now=T0, worker_id="B", **options)
    first.join(timeout=60)
    assert not first.is_alive()
    nn = notifications(engine, "recipient_code = 'NN'")
    assert len(nn) == 42 and {r["status"] for r in nn} == {"sent"}
    sends = _sends_per_notification(engine)
    assert len(sends) == 42 and set(sends.values()) == {1}
    assert len(slow_a.delivered) + len(slow_b.delivered) == 42
