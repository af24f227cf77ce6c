"""README "Deployment at scale", backup and restore, as the runbook says it (issue 13 part 7):
``pg_dump -Fc`` of the application database, ``pg_restore`` into a new one, and ``agencyflow
audit verify`` on the restored database with the checkpoint file kept outside it. The chain of
the restored database is intact and holds every checkpoint taken before the dump; a checkpoint
taken after the dump tells that events were lost since."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from agencyflow.db import make_engine, session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Assignment
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.people import users
from tests.conftest import PG_URL
from tests.factories import SYSTEM, at, start_cycle, store_plan

pytestmark = pytest.mark.postgres

BIN = Path(sys.executable).parent
BOSS = Actor("boss", Role.COORDINATOR, "NN")


def _libpq(url: str) -> str:
    """The libpq form of a SQLAlchemy URL (what pg_dump and pg_restore take)."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)


def _agencyflow(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"AGENCYFLOW_DATABASE_URL": url, "AGENCYFLOW_SIMULATION": "true",
                        "AGENCYFLOW_LANGUAGE": "en",
                        "AGENCYFLOW_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    return _run([str(BIN / "agencyflow"), *args], env=env)


@pytest.fixture
def restored_db() -> Iterator[str]:
    """The URL of an empty database to restore into (dropped afterwards)."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"af_restore_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{PG_URL.rpartition('/')[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _trail(engine: Engine) -> int:
    """A plan, a cycle, an inspector and one started assignment; the assignment's id."""
    cycle = start_cycle(engine, store_plan(engine), 2021)
    with session_scope(engine) as session:
        users.add_user(session, username="boss", role="coordinator", agency_code="NN",
                       now=at(2021, 1, 5), actor=SYSTEM)
        users.add_user(session, username="insp", role="inspector", now=at(2021, 1, 5),
                       actor=BOSS)
        plan_id = session.execute(select(Assignment.id).where(
            Assignment.cycle_id == cycle.id, Assignment.step_id == "PLAN")).scalar_one()
        assignments.start(session, assignment_id=plan_id, actor=BOSS, now=at(2021, 1, 6))
    return plan_id


def test_a_restored_backup_verifies_and_a_later_checkpoint_shows_what_it_lost(
        pg_engine: Engine, restored_db: str, tmp_path: Path) -> None:
    source = pg_engine.url.render_as_string(hide_password=False)
    plan_id = _trail(pg_engine)
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    taken = _agencyflow(source, tmp_path, "audit", "checkpoint", "--file", str(before),
                        "--as", "insp")
    assert taken.returncode == 0, taken.stderr

    dump = tmp_path / "agencyflow.dump"
    done = _run(["pg_dump", "-Fc", "-f", str(dump), _libpq(source)])
    assert done.returncode == 0, done.stderr
    with session_scope(pg_engine) as session:  # work done after the backup
        other = session.execute(select(Assignment.id).where(
            Assignment.id != plan_id, Assignment.lead_code == "NN")).scalars().first()
        assert other is not None
        assignments.start(session, assignment_id=other, actor=BOSS, now=at(2021, 1, 7))
    assert _agencyflow(source, tmp_path, "audit", "checkpoint", "--file", str(after),
                       "--as", "insp").returncode == 0

    done = _run(["pg_restore", "--no-owner", "-d", _libpq(restored_db), str(dump)])
    assert done.returncode == 0, done.stderr
    ok = _agencyflow(restored_db, tmp_path, "audit", "verify", "--checkpoint", str(before),
                     "--as", "insp")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "chain intact" in ok.stdout and "1 checkpoint holds" in ok.stdout, ok.stdout

    lost = _agencyflow(restored_db, tmp_path, "audit", "verify", "--checkpoint", str(after),
                       "--as", "insp")
    assert lost.returncode == 1, lost.stdout + lost.stderr
    assert "Traceback" not in lost.stderr
    assert str(after) in lost.stdout + lost.stderr, lost.stdout + lost.stderr
