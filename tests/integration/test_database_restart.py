"""The application database restarting under a running sweep and a running dispatch, for real:
PostgreSQL is restarted (``pg_ctl restart -m fast``, every connection cut) on a server of the
test's own. The run retries through the engine's pre-ping or fails with a database error; the
next run completes; no notice is lost or written twice, and only what was in flight is sent
twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from agencyflow.db import make_engine, session_scope, upgrade
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.notifications import RecordingNotifier, Renderer
from agencyflow.notifications.apprise_pool import in_flight_bound
from agencyflow.notifications.base import ChannelResult, Message
from agencyflow.services import cycles
from agencyflow.services.clock import with_clock
from agencyflow.services.delivery import dispatch
from agencyflow.services.plans import store as plans
from agencyflow.services.reminders import sweeps
from tests.commune_plan import commune_plan
from tests.conftest import SIMULATED
from tests.private_pg import PrivatePostgres
from tests.reminder_world import ACTOR, CALENDAR, queue_opened, vn

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


COMMUNES = 2000
#: Each notice written waits this long (a trigger of the test's database): the sweep lasts
#: seconds, so that the restart lands in its middle whatever the machine's speed.
SLOW_INSERT = """
CREATE FUNCTION af_slow() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$;
CREATE TRIGGER af_slow BEFORE INSERT ON notification FOR EACH ROW EXECUTE FUNCTION af_slow();
"""


def _start_communes(engine: Engine) -> None:
    with session_scope(engine) as session:
        version, _ = plans.store(session, load_plan_text(commune_plan(COMMUNES), "x.yaml"),
                                 now=T0, actor=ACTOR)
        cycles.start(session, version=version, year=2027, now=T0, actor=ACTOR,
                     calendar=CALENDAR, start_date=T0.date())


def _outbox(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(  # type: ignore[return-value]
            "SELECT COUNT(*), COUNT(DISTINCT key) FROM notification")).one())


@pytest.mark.postgres
def test_a_database_restart_during_a_sweep_writes_every_notice_once(
        restartable: tuple[PrivatePostgres, Engine]) -> None:
    server, engine = restartable
    _start_communes(engine)
    expected = sweeps.preview(engine, now=T0, calendar=CALENDAR).written
    assert expected == COMMUNES + 1
    with engine.begin() as conn:
        conn.exec_driver_sql(SLOW_INSERT)
    errors: list[BaseException] = []

    def first_run() -> None:
        try:
            sweeps.sweep(engine, now=T0, calendar=CALENDAR, batch_size=50)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it below
            errors.append(exc)

    runner = threading.Thread(target=first_run)
    runner.start()
    deadline = time.monotonic() + 60
    while _outbox(engine)[0] < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    written, _ = _outbox(engine)
    assert 200 <= written < expected, "restarted in the middle of the sweep"
    server.restart()
    runner.join(timeout=120)
    assert not runner.is_alive()
    assert all(isinstance(e, DBAPIError) for e in errors), errors  # a database error, or none

    sweeps.sweep(engine, now=T0, calendar=CALENDAR, batch_size=50)
    assert _outbox(engine) == (expected, expected), "none lost, none twice"
    assert sweeps.sweep(engine, now=T0, calendar=CALENDAR).written == 0
