"""The Prefect flows for real, under one shared Prefect test harness (never skipped).

``start_cycle`` must show one task run per plan step (named by step, lead and deadline, tagged
with the agency) and be idempotent; ``reminder_sweep`` runs one task per agency batch;
``dispatch_notifications`` delivers to a real webhook sink through the apprise configuration.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from agencyflow.config import get_settings
from agencyflow.db import make_engine, upgrade
from tests.reminder_world import PLAN, vn
from tests.sinks import WebhookSink

pytestmark = pytest.mark.prefect

T0 = vn(2027, 1, 18)
STEP_NAMES = {
    "PLAN · NN · hạn 29/01/2027", "SURVEY · group:communes · hạn 19/02/2027",
    "REPORT · group:communes · hạn 26/02/2027", "MODEL · NN · hạn 12/02/2027",
}


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole session, heartbeat off (notes/prefect.md)."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with (prefect_test_harness(server_startup_timeout=120),
          temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})):
        yield


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A migrated SQLite database, the plan file, and settings pointing at a webhook sink."""
    url = f"sqlite:///{tmp_path / 'flows.db'}"
    upgrade(make_engine(url))
    plan = tmp_path / "tet.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with WebhookSink() as hook:
        channels = tmp_path / "channels.yaml"
        lines = ["urls:"] + [f"  - {hook.json_url('/' + t)}:\n      - tag: {t}"
                             for t in ("nn", "xa-a", "xa-b", "vp", "lanh-dao")]
        channels.write_text("\n".join(lines) + "\n", encoding="utf-8")
        monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("AGENCYFLOW_APPRISE_CONFIG", str(channels))
        monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")  # the world plays 2027
        get_settings.cache_clear()
        yield {"url": url, "plan": str(plan), "hook": hook}
    get_settings.cache_clear()


def _task_runs(flow_run_id: UUID, count: int, timeout: float = 20.0) -> list:
    """The flow run's task runs once the server has recorded ``count`` of them (it records
    them from events, a moment after the flow returns; under load, seconds later)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            if len(runs) >= count or time.monotonic() > deadline:
                return runs
            time.sleep(0.2)


def test_start_cycle_shows_one_task_per_plan_step_and_is_idempotent(
        prefect_harness: None, world: dict) -> None:
    from agencyflow.flows.start_cycle import start_cycle

    state = start_cycle(plan=world["plan"], year=2027, now=T0, start_date=date(2027, 1, 18),
                        database_url=world["url"], return_state=True)
    result = state.result()
    assert result["created"] and result["assignments"] == 6
    assert [s["step"] for s in result["steps"]] == ["PLAN", "SURVEY", "REPORT", "MODEL"]
    runs = _task_runs(state.state_details.flow_run_id, 5)
    step_runs = [r for r in runs if r.name in STEP_NAMES]
    assert {r.name for r in step_runs} == STEP_NAMES and len(step_runs) == 4
    assert len(runs) == 5  # the steps and the one transaction that created the cycle
    plan_run = next(r for r in step_runs if r.name.startswith("PLAN"))
    assert "agency:NN" in plan_run.tags
    survey = next(r for r in step_runs if r.name.startswith("SURVEY"))
    assert {"agency:XA-A", "agency:XA-B"} <= set(survey.tags)

    again = start_cycle(plan=world["plan"], year=2027, now=T0, database_url=world["url"])
    assert not again["created"] and again["cycle_id"] == result["cycle_id"]
    assert again["assignments"] == 6


def test_sweep_then_dispatch_flows_deliver_to_the_sink(prefect_harness: None,
                                                      world: dict) -> None:
    from agencyflow.flows.dispatch_notifications import dispatch_notifications
    from agencyflow.flows.reminder_sweep import reminder_sweep
    from agencyflow.flows.start_cycle import start_cycle

    start_cycle(plan=world["plan"], year=2027, now=T0, start_date=date(2027, 1, 18),
                database_url=world["url"])
    state = reminder_sweep(now=T0, database_url=world["url"], agencies_per_task=2,
                           return_state=True)
    swept = state.result()
    assert swept["written"] == 6 and swept["tasks"] == 2
    names = sorted(r.name for r in _task_runs(state.state_details.flow_run_id, 2))
    assert names == ["sweep NN…XA-A (2 agencies, 4 due)", "sweep XA-B (1 agencies, 2 due)"]
    assert reminder_sweep(now=T0, database_url=world["url"])["written"] == 0

    sent = dispatch_notifications(now=T0, database_url=world["url"])
    assert (sent["sent"], sent["digests"], sent["failed"]) == (5, 1, 0)
    paths = sorted(r.path for r in world["hook"].wait_for(5))
    assert paths == ["/nn", "/nn", "/xa-a", "/xa-b", "/xa-b"]
    assert dispatch_notifications(now=T0, database_url=world["url"])["claimed"] == 0


def test_monthly_report_flow_queues_once_and_sends_to_the_leader(prefect_harness: None,
                                                                 world: dict) -> None:
    from agencyflow.flows.monthly_report import monthly_report
    from agencyflow.flows.start_cycle import start_cycle

    start_cycle(plan=world["plan"], year=2027, now=T0, start_date=date(2027, 1, 18),
                database_url=world["url"])
    assert "skipped" in monthly_report(now=vn(2027, 2, 2, 8), database_url=world["url"])
    first = monthly_report(now=vn(2027, 2, 1, 8), database_url=world["url"])
    assert [q["written"] for q in first["queued"]] == [True]
    assert first["queued"][0]["key"].endswith(":2027-01")
    leader = [r for r in world["hook"].wait_for(1) if r.path == "/lanh-dao"]
    assert leader and "Báo cáo tháng" in leader[0].json()["title"]
    again = monthly_report(now=vn(2027, 2, 1, 10), database_url=world["url"])
    assert [q["written"] for q in again["queued"]] == [False]


def test_a_run_that_cannot_succeed_is_not_retried(prefect_harness: None, world: dict,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without channels the dispatch task fails with the configuration error at once: retrying
    it (5, 30 and 120 s) would only keep one of `serve`'s run slots busy for minutes. A failure
    that may pass (here a database that cannot be opened) keeps its retries."""
    from agencyflow.errors import ConfigError
    from agencyflow.flows.dispatch_notifications import dispatch_notifications
    from agencyflow.tasks import reminder_tasks
    from agencyflow.tasks.retries import worth_retrying

    monkeypatch.delenv("AGENCYFLOW_APPRISE_CONFIG")
    get_settings.cache_clear()
    state = dispatch_notifications(now=T0, database_url=world["url"], return_state=True)
    assert state.is_failed()
    with pytest.raises(ConfigError, match="AGENCYFLOW_APPRISE_CONFIG"):
        state.result()
    [run] = _task_runs(state.state_details.flow_run_id, 1)
    assert run.run_count == 1

    from prefect.states import Failed
    from sqlalchemy.exc import OperationalError

    def retried(error: BaseException) -> bool:
        return worth_retrying(reminder_tasks.dispatch_batch, run,
                                             Failed(data=error))

    assert not retried(ConfigError("no channels"))
    assert retried(OperationalError("UPDATE …", {}, Exception("database is locked")))
    assert retried(ConnectionError("sink unreachable"))


def test_a_cycle_that_cannot_start_is_not_retried(prefect_harness: None, world: dict) -> None:
    """An unknown plan is refused at once: the create-cycle task is not retried (5 s later)."""
    from agencyflow.errors import NotFound
    from agencyflow.flows.start_cycle import start_cycle

    state = start_cycle(plan="no-such-plan", year=2027, now=T0, database_url=world["url"],
                        return_state=True)
    assert state.is_failed()
    with pytest.raises(NotFound, match="no-such-plan"):
        state.result()
    [run] = _task_runs(state.state_details.flow_run_id, 1)
    assert run.run_count == 1


def test_prefect_yaml_entrypoints_resolve_to_the_flows() -> None:
    """Every deployment in prefect.yaml points at a real flow, from the repository root."""
    import importlib.util

    import yaml
    from prefect import Flow

    root = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((root / "prefect.yaml").read_text(encoding="utf-8"))
    names = set()
    for deployment in config["deployments"]:
        path, function = deployment["entrypoint"].split(":")
        spec = importlib.util.spec_from_file_location(f"entry_{function}", root / path)
        assert spec is not None and spec.loader is not None, path
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        flow = getattr(module, function)
        assert isinstance(flow, Flow), deployment["entrypoint"]
        names.add(flow.name)
        assert deployment["work_pool"]["name"] == "agencyflow"
    assert names == {"reminder-sweep", "dispatch-notifications", "start-cycle", "monthly-report",
                     "audit-checkpoint"}
