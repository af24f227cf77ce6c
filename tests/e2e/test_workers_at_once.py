"""Sweepers and dispatchers at once, as processes on PostgreSQL (issue 13 part 5): two
`agencyflow sweep` of different shards started together, then two `agencyflow dispatch`
started together, leave the same outbox and deliver the same messages, each once, as one
sweep and one dispatch on a copy of the same database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agencyflow.db import make_engine, session_scope
from agencyflow.domain.plan_loader import load_plan_text
from agencyflow.services import cycles
from agencyflow.services.plans import store as plans
from tests.commune_plan import commune_plan
from tests.conftest import PG_URL
from tests.reminder_world import ACTOR, CALENDAR, vn
from tests.sinks import WebhookSink

pytestmark = [pytest.mark.postgres, pytest.mark.sinks]

BIN = Path(sys.executable).with_name("agencyflow")
NOW = "2027-01-18T09:00"
COMMUNES = 300


def _env(url: str, channels: Path, tmp_path: Path) -> dict[str, str]:
    return os.environ | {"AGENCYFLOW_DATABASE_URL": url, "AGENCYFLOW_SIMULATION": "true",
                         "AGENCYFLOW_APPRISE_CONFIG": str(channels),
                         "AGENCYFLOW_DATA_DIR": str(tmp_path / "data"),
                         "AGENCYFLOW_DISPATCH_CONCURRENCY": "8"}


def _at_once(env: dict[str, str], *commands: list[str]) -> None:
    """Start every command, then wait for all; each must succeed."""
    procs = [subprocess.Popen([str(BIN), *c], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c in commands]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, out + err


def _outbox(engine: Engine) -> list[tuple[str, str, str, str]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text(  # type: ignore[misc]
            "SELECT key, recipient_code, kind, status FROM notification")))


@pytest.fixture
def twin(pg_engine: Engine) -> Iterator[tuple[Engine, Engine]]:
    """The test's database with a cycle started, and a copy of it made at that moment."""
    with session_scope(pg_engine) as session:
        version, _ = plans.store(session, load_plan_text(commune_plan(COMMUNES), "x.yaml"),
                                 now=vn(2027, 1, 15), actor=ACTOR)
        cycles.start(session, version=version, year=2027, now=vn(2027, 1, 15), actor=ACTOR,
                     calendar=CALENDAR, start_date=vn(2027, 1, 18).date())
    pg_engine.dispose()
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"af_twin_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_engine.url.database}"'))
    copy = make_engine(f"{PG_URL.rpartition('/')[0]}/{name}")
    yield pg_engine, copy
    copy.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_two_sweepers_and_two_dispatchers_at_once_do_what_one_of_each_does(
        twin: tuple[Engine, Engine], tmp_path: Path) -> None:
    together, alone = twin
    with WebhookSink() as sink:
        channels = tmp_path / "channels.yaml"
        channels.write_text(f'urls:\n  - "{sink.json_url("/delay/0.01/hook", cto=3, rto=20)}":'
                            '\n      - tag: "nn, xa"\n', encoding="utf-8")
        env = _env(together.url.render_as_string(hide_password=False), channels, tmp_path)
        _at_once(env, ["sweep", "--now", NOW, "--shard", "0/2"],
                 ["sweep", "--now", NOW, "--shard", "1/2"])
        _at_once(env, ["dispatch", "--now", NOW], ["dispatch", "--now", NOW])
        concurrent = Counter(r.json()["idempotency_key"] for r in sink.requests)
        sink.requests.clear()
        env = _env(alone.url.render_as_string(hide_password=False), channels, tmp_path)
        _at_once(env, ["sweep", "--now", NOW])
        _at_once(env, ["dispatch", "--now", NOW])
        sequential = Counter(r.json()["idempotency_key"] for r in sink.requests)
    outbox = _outbox(together)
    assert outbox == _outbox(alone) and len(outbox) == COMMUNES + 1
    assert {status for *_, status in outbox} == {"sent"}
    assert set(concurrent.values()) == {1} and set(sequential.values()) == {1}
    assert set(concurrent) == set(sequential) and len(concurrent) == COMMUNES + 1
