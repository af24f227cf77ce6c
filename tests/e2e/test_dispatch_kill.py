"""`agencyflow dispatch` killed outright (`kill -9`) in the middle of a batch, for real: its
worker processes do not outlive it, a second dispatcher finishes the job after the lease, and
only what was in flight at the kill is delivered twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agencyflow.notifications.apprise_pool import in_flight_bound
from agencyflow.services.delivery import dispatch
from tests.processes import MARK, marked
from tests.reminder_world import queue_opened
from tests.sinks import WebhookSink

BIN = Path(sys.executable).with_name("agencyflow")
CONCURRENCY = 8
LEASE = 5
COPIES = 300


def _env(engine: Engine, tmp_path: Path, sink: WebhookSink, mark: str) -> dict[str, str]:
    channels = tmp_path / "channels.yaml"
    url = sink.json_url("/delay/0.05/hook", cto=2, rto=10)
    channels.write_text(f'urls:\n  - "{url}":\n      - tag: "nn, xa-a, xa-b"\n',
                        encoding="utf-8")
    return os.environ | {
        "AGENCYFLOW_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "AGENCYFLOW_DATA_DIR": str(tmp_path / "data"),
        "AGENCYFLOW_APPRISE_CONFIG": str(channels),
        "AGENCYFLOW_DISPATCH_PROCESSES": "2",
        "AGENCYFLOW_DISPATCH_CONCURRENCY": str(CONCURRENCY),
        "AGENCYFLOW_DISPATCH_LEASE_SECONDS": str(LEASE),
        MARK: mark,
    }


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text(  # type: ignore[arg-type]
            "SELECT status, COUNT(*) FROM notification GROUP BY status")).all())


@pytest.mark.sinks
def test_a_killed_dispatcher_leaves_no_orphan_and_resends_only_what_was_in_flight(
        engine: Engine, tmp_path: Path) -> None:
    queue_opened(engine, copies=COPIES)
    messages = 6 + COPIES - 1  # XA-A's two opening notices travel as one digest
    mark = uuid.uuid4().hex
    with WebhookSink() as sink:
        env = _env(engine, tmp_path, sink, mark)
        first = subprocess.Popen([str(BIN), "dispatch", "--now", "2027-01-18T09:00"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 start_new_session=True)
        try:
            sink.wait_for(60, timeout=120)
            assert len(marked(mark)) >= 3, "the dispatcher and its two worker processes run"
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        deadline = time.monotonic() + 5
        while marked(mark) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marked(mark) == [], "no worker process outlives its dispatcher"
        time.sleep(0.5)  # the sink records a request when its 0.05 s answer delay is over
        at_kill = len(sink.requests)
        assert at_kill < messages, "killed in the middle of the batch"
        time.sleep(1)
        assert len(sink.requests) == at_kill, "nothing is sent after the orphans are gone"

        time.sleep(LEASE)  # the dead dispatcher's leases run out; a second one finishes
        second = subprocess.run([str(BIN), "dispatch", "--now", "2027-01-18T09:00"], env=env,
                                capture_output=True, text=True, timeout=300)
        assert second.returncode == 0, second.stderr
        assert marked(mark) == []
    statuses = _statuses(engine)
    assert statuses == {"sent": messages, "digested": 2}, statuses
    keys = Counter(r.json()["idempotency_key"] for r in sink.requests)
    assert len(keys) == messages, "every message delivered, each under its own key"
    assert all(r.headers.get("Idempotency-Key") == r.json()["idempotency_key"]
               for r in sink.requests)
    assert set(keys.values()) <= {1, 2}, "a duplicate is a resend of the same key"
    duplicates = len(sink.requests) - messages
    assert duplicates == sum(n - 1 for n in keys.values())
    # README "Delivery guarantees": at most what was in flight — the chunks handed to the
    # worker processes and the results waiting for their record.
    bound = in_flight_bound(CONCURRENCY, 2) + dispatch.RECORD_GROUP
    assert 0 <= duplicates <= bound, (duplicates, bound)
    print(f"kill -9 after {at_kill} deliveries: {duplicates} duplicates for {messages} messages")
