"""The application database restarting under a running dispatch, for real: PostgreSQL is
restarted (``pg_ctl restart -m fast``, every connection cut) on a server of the test's own. The
run retries through the engine's pre-ping or fails with a database error; the next run completes;
no notification is lost and only what was in flight is sent twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from agencyflow.db import make_engine, upgrade
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.notifications.apprise_pool import in_flight_bound
from agencyflow.notifications.base import ChannelResult, Message
from agencyflow.services.clock import with_clock
from agencyflow.services.delivery import dispatch
from tests.conftest import SIMULATED
from tests.private_pg import PrivatePostgres
from tests.reminder_world import queue_opened, vn

T0 = vn(2027, 1, 18)
CONCURRENCY = 4
LEASE = 3


class _Slow(RecordingNotifier):
    def send_to_channel(self, channel: str, message: Message) -> ChannelResult:
        time.sleep(0.02)
        return super().send_to_channel(channel, message)


@pytest.fixture
def restartable() -> Iterator[tuple[PrivatePostgres, Engine]]:
    server = PrivatePostgres().start()
    try:
        admin = make_engine(server.url()).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE af"))
        admin.dispose()
        plain = make_engine(server.url("af"))
        upgrade(plain)
        engine = with_clock(plain, SIMULATED)  # the test plays 2027, as the engine fixture does
        yield server, engine
        engine.dispose()
    finally:
        server.stop()


def _deliveries(engine: Engine) -> Counter[int]:
    with engine.connect() as conn:
        return Counter(r[0] for r in conn.execute(text(
            "SELECT notification_id FROM delivery_attempt WHERE ok")))


@pytest.mark.postgres
def test_a_database_restart_during_a_dispatch_loses_nothing(
        restartable: tuple[PrivatePostgres, Engine]) -> None:
    server, engine = restartable
    queue_opened(engine, copies=150)
    messages = 6 + 150 - 1  # XA-A's two items travel as one digest
    slow = _Slow()
    errors: list[BaseException] = []

    def first_run() -> None:
        try:
            dispatch.dispatch(engine, slow, Renderer, now=T0, worker_id="A",
                              concurrency=CONCURRENCY, lease_seconds=LEASE, chunk_size=20)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it below
            errors.append(exc)

    runner = threading.Thread(target=first_run)
    runner.start()
    deadline = time.monotonic() + 60
    while len(slow.delivered) < 30 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert 30 <= len(slow.delivered) < messages, "restarted in the middle of the run"
    server.restart()
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert all(isinstance(e, DBAPIError) for e in errors), errors  # a database error, or none

    time.sleep(LEASE + 0.5)  # rows of a run that died stay leased until then
    second = RecordingNotifier()
    dispatch.dispatch(engine, second, Renderer, now=T0, worker_id="B", concurrency=CONCURRENCY,
                      lease_seconds=LEASE)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text(  # type: ignore[arg-type]
            "SELECT status, COUNT(*) FROM notification GROUP BY status")).all())
    assert statuses == {"sent": messages, "digested": 2}, statuses
    sent = len(slow.delivered) + len(second.delivered)
    duplicates = sent - messages
    assert 0 <= duplicates <= in_flight_bound(CONCURRENCY, 1) + dispatch.RECORD_GROUP, duplicates
    assert len(_deliveries(engine)) == messages
