"""The cluster of README "Deployment at scale", started for real (issue 13 part 4).

A Prefect server on PostgreSQL, the process work pool, the deployments of ``prefect.yaml``, two
workers in separate processes and directories (:mod:`tests.cluster_world`), the application
database on PostgreSQL and a real webhook sink. Cycles are started, swept and dispatched through
the deployments (``run_deployment``: each run is a process a worker starts), then a worker and
its flow-run process are killed (``kill -9``) in the middle of a dispatch.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, text

from agencyflow.notifications.apprise_pool import in_flight_bound
from agencyflow.services.delivery import dispatch
from tests.cluster_world import POOL, Cluster, running_cluster
from tests.commune_plan import commune_plan
from tests.processes import marked
from tests.reminder_world import vn
from tests.sinks import WebhookSink

pytestmark = [pytest.mark.cluster, pytest.mark.postgres, pytest.mark.timeout(900)]

T0 = vn(2027, 1, 18)
CONCURRENCY, PROCESSES, LEASE = 8, 2, 15


@pytest.fixture(scope="module")
def sink() -> Iterator[WebhookSink]:
    """The webhook every channel of the cluster delivers to (0.05 s an answer)."""
    with WebhookSink() as hook:
        yield hook


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, sink: WebhookSink) -> Iterator[Cluster]:
    """The running cluster, and this process pointed at its API."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    root = tmp_path_factory.mktemp("cluster")
    channels = root / "channels.yaml"
    url = sink.json_url("/delay/0.05/hook", cto=3, rto=20)
    channels.write_text(f'urls:\n  - "{url}":\n      - tag: "nn, xa, vp, lanh-dao"\n',
                        encoding="utf-8")
    env = {"AGENCYFLOW_APPRISE_CONFIG": str(channels), "AGENCYFLOW_SIMULATION": "true",
           "AGENCYFLOW_DATA_DIR": str(root / "data"),
           "AGENCYFLOW_DISPATCH_PROCESSES": str(PROCESSES),
           "AGENCYFLOW_DISPATCH_CONCURRENCY": str(CONCURRENCY),
           "AGENCYFLOW_DISPATCH_LEASE_SECONDS": str(LEASE)}
    with running_cluster(root, env) as running, temporary_settings({PREFECT_API_URL: running.api}):
        _wait_online(running)
        yield running


def _wait_online(cluster: Cluster, timeout: float = 120) -> None:
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            online = {w.name for w in client.read_workers_for_work_pool(POOL)
                      if w.status == "ONLINE"}
            if online >= {"worker-1", "worker-2"}:
                return
            if time.monotonic() > deadline:
                logs = "\n".join(w.log() for w in cluster.workers)
                raise AssertionError(f"workers online: {online}\n{logs}")
            time.sleep(1)


def _submit(name: str, **parameters: Any) -> UUID:
    from prefect.deployments import run_deployment

    return run_deployment(f"{name}/{name}", parameters=parameters, timeout=0).id


def _finished(cluster: Cluster, run_id: UUID, timeout: float = 420) -> Any:
    """The flow run once final; AssertionError (with the workers' logs) unless Completed."""
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1)
    if run.state is None or not run.state.is_completed():
        logs = "\n".join(w.log() for w in cluster.workers)
        raise AssertionError(f"flow run {run.name}: {run.state}\n{logs}")
    return run


def _run(cluster: Cluster, name: str, **parameters: Any) -> Any:
    return _finished(cluster, _submit(name, **parameters))


def _start_and_sweep(cluster: Cluster, engine: Engine, tmp_path: Path, communes: int,
                     sweeps: int = 1) -> tuple[str, int]:
    url = engine.url.render_as_string(hide_password=False)
    plan = tmp_path / "cluster.yaml"
    plan.write_text(commune_plan(communes), encoding="utf-8")
    _run(cluster, "start-cycle", plan=str(plan), year=2027, now=T0,
         start_date=date(2027, 1, 18), database_url=url)
    for run_id in [_submit("reminder-sweep", now=T0, database_url=url) for _ in range(sweeps)]:
        _finished(cluster, run_id)
    assert _statuses(engine) == {"pending": communes + 1}, "one outbox, however many sweeps"
    return url, communes + 1


def _statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text(  # type: ignore[arg-type]
            "SELECT status, COUNT(*) FROM notification GROUP BY status")).all())


def _delivered_once(engine: Engine) -> Counter[int]:
    with engine.connect() as conn:
        return Counter(r[0] for r in conn.execute(text(
            "SELECT notification_id FROM delivery_attempt WHERE ok")))


def _keys(sink: WebhookSink) -> list[str]:
    keys = [r.json()["idempotency_key"] for r in sink.requests]
    assert all(r.headers.get("Idempotency-Key") == r.json()["idempotency_key"]
               for r in sink.requests)
    return keys


def test_sweeps_and_dispatches_through_the_deployments_deliver_every_notification(
        cluster: Cluster, sink: WebhookSink, pg_engine: Engine, tmp_path: Path) -> None:
    sink.requests.clear()
    url, messages = _start_and_sweep(cluster, pg_engine, tmp_path, communes=40, sweeps=2)
    for run_id in [_submit("dispatch-notifications", now=T0, database_url=url)
                   for _ in range(2)]:
        _finished(cluster, run_id)
    assert _statuses(pg_engine) == {"sent": messages}
    keys = Counter(_keys(sink))
    assert len(keys) == messages and set(keys.values()) == {1}, "two live dispatchers: no resend"
    assert set(_delivered_once(pg_engine).values()) == {1}


def _running_pid(run_id: UUID, timeout: float = 60) -> int:
    """The pid of the flow-run process (the worker records it as the infrastructure pid)."""
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            pid = client.read_flow_run(run_id).infrastructure_pid
            if pid:
                return int(str(pid).rpartition(":")[2])
            time.sleep(0.2)
    raise AssertionError(f"flow run {run_id} has no process")


def _wait_crashed(run_id: UUID, timeout: float = 300) -> Any:
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            state = client.read_flow_run(run_id).state
            if (state is not None and state.is_crashed()) or time.monotonic() > deadline:
                return state
            time.sleep(2)


def _only_the_worker_left(mark: str, pid: int, timeout: float = 60) -> None:
    """Wait until the worker ``pid`` is the only process carrying ``mark`` (its flow-run
    processes and theirs have ended); fail naming those that did not."""
    deadline = time.monotonic() + timeout
    while (left := [p for p in marked(mark) if p != pid]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not left, [_cmdline(p) for p in left]


def _cmdline(pid: int) -> str:
    try:
        raw = (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return f"{pid} (gone)"
    return f"{pid}: " + raw.replace(b"\0", b" ").decode(errors="replace")[:300]


def test_a_worker_killed_during_a_dispatch_loses_nothing_and_its_run_is_shown_crashed(
        cluster: Cluster, sink: WebhookSink, pg_engine: Engine, tmp_path: Path) -> None:
    sink.requests.clear()
    url, messages = _start_and_sweep(cluster, pg_engine, tmp_path, communes=500)
    doomed = _submit("dispatch-notifications", now=T0, database_url=url)
    sink.wait_for(100, timeout=300)
    pid = _running_pid(doomed)
    victim = cluster.worker_of(pid)
    survivor = next(w for w in cluster.workers if w is not victim)
    victim.kill(pid)
    deadline = time.monotonic() + 5
    while marked(victim.mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked(victim.mark) == [], "no process of the killed worker outlives it"
    time.sleep(0.5)  # the sink records a request when its 0.05 s answer delay is over
    at_kill = len(sink.requests)
    assert at_kill < messages, "killed in the middle of the dispatch"
    time.sleep(1)
    assert len(sink.requests) == at_kill, "nothing is sent after the kill"

    time.sleep(LEASE)  # the dead run's leases run out; the next run is the survivor's
    rerun = _run(cluster, "dispatch-notifications", now=T0, database_url=url)
    assert str(rerun.id) in survivor.log() or rerun.name in survivor.log()
    assert _statuses(pg_engine) == {"sent": messages}
    assert set(_delivered_once(pg_engine).values()) == {1}
    keys = _keys(sink)
    counts = Counter(keys)
    assert len(counts) == messages, "every notification delivered, each under its own key"
    assert set(counts.values()) <= {1, 2}, "a duplicate is a resend of the same key"
    twice = {k for k, n in counts.items() if n == 2}
    before, after = Counter(keys[:at_kill]), Counter(keys[at_kill:])
    assert all(before[k] == 1 and after[k] == 1 for k in twice), "resent: the killed run's"
    assert len(twice) <= in_flight_bound(CONCURRENCY, PROCESSES) + dispatch.RECORD_GROUP

    state = _wait_crashed(doomed)
    assert state is not None and state.is_crashed(), state
    assert survivor.process is not None
    _only_the_worker_left(survivor.mark, survivor.process.pid)
    print(f"kill -9 of {victim.name} after {at_kill} of {messages} deliveries: "
          f"{len(twice)} duplicates; the run {state.name}: {state.message}")
