"""`audit log` and `audit export` as an inspector uses them, and offline re-verification."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.domain.permissions import Actor, Role
from agencyflow.models import Assignment
from agencyflow.services.assignments import moves as assignments
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at, start_cycle, store_plan

BOSS = Actor("boss", Role.COORDINATOR, "NN")


@pytest.fixture
def trail(engine: Engine) -> tuple[Engine, int]:
    """A plan, a cycle, three users and one started assignment (led by NN)."""
    version = store_plan(engine)
    cycle = start_cycle(engine, version, 2021)
    with session_scope(engine) as session:
        users.add_user(session, username="boss", role="coordinator", agency_code="NN",
                       now=at(2021, 1, 5), actor=SYSTEM)
        users.add_user(session, username="insp", role="inspector", now=at(2021, 1, 5),
                       actor=BOSS)
        users.add_user(session, username="an", role="officer", agency_code="XA-A",
                       now=at(2021, 1, 5), actor=BOSS, full_name="Nguyễn Văn An")
        plan_id = session.execute(select(Assignment.id).where(
            Assignment.cycle_id == cycle.id, Assignment.step_id == "PLAN")).scalar_one()
        assignments.start(session, assignment_id=plan_id, actor=BOSS, now=at(2021, 1, 6))
    return engine, plan_id


@pytest.fixture
def cli(trail: tuple[Engine, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
        ) -> Iterator[Invoke]:
    """The CLI on the trail's database."""
    yield cli_for(trail[0], monkeypatch, tmp_path)
    get_settings.cache_clear()


def test_log_filters_by_assignment_and_actor(trail: tuple[Engine, int], cli: Invoke) -> None:
    _, plan_id = trail
    result = cli("audit", "log", "--assignment", str(plan_id), "--format", "json", "--as", "insp")
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [(e["actor"], e["action"], e["target_id"]) for e in events] == [
        ("boss", "assignment.start", str(plan_id))]
    assert len(events[0]["hash"]) == 64 and events[0]["at"].endswith("Z")
    by_boss = json.loads(cli("audit", "log", "--actor", "boss", "--format", "json",
                             "--as", "insp").output)
    assert [e["action"] for e in by_boss] == ["user.add", "user.add", "assignment.start"]
    table = cli("audit", "log", "--limit", "2", "--as", "boss")
    assert table.exit_code == 0 and "start an assignment" in table.output


def test_reading_the_audit_trail_needs_the_right_role(cli: Invoke) -> None:
    anonymous = cli("audit", "log")
    assert anonymous.exit_code == 1 and "act as one with --as USER" in anonymous.output
    officer = cli("audit", "verify", "--as", "an")
    assert officer.exit_code == 1 and "may not read the audit trail" in officer.output


def recipe(lines: list[str]) -> tuple[int, str]:
    """The standard-library recipe of services/audit/trail.py:export, as an inspector would run
    it."""
    fields = ("seq", "at", "actor", "action", "target_type", "target_id", "before", "after",
              "reason", "prev_hash")
    optional = ("recorded_at", "claim", "claim_reason")
    prev, n = "0" * 64, 0
    for line in lines:
        e, n = json.loads(line), n + 1
        data = {k: e[k] for k in fields} | {k: e[k] for k in optional if e.get(k) is not None}
        body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert e["seq"] == n and e["prev_hash"] == prev
        assert hashlib.sha256(body.encode()).hexdigest() == e["hash"]
        prev = e["hash"]
    return n, prev


def test_export_can_be_verified_offline(cli: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "audit.jsonl"
    result = cli("audit", "export", "--format", "jsonl", "--output", str(out), "--as", "insp")
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    count, head = recipe(lines)
    assert count == 6 and f"head #6 sha256 {head}" in result.output
    assert "Nguyễn Văn An" in lines[4]
    offline = cli("audit", "verify", "--file", str(out))
    assert offline.exit_code == 0 and "6 events, chain intact" in offline.output
    out.write_text("".join(line.replace("Nguyễn Văn An", "Nguyễn Văn Ân") + "\n"
                           for line in lines), encoding="utf-8")
    tampered = cli("audit", "verify", "--file", str(out))
    assert tampered.exit_code == 1 and "event #5" in tampered.output


def test_csv_export_keeps_every_field(cli: Invoke) -> None:
    result = cli("audit", "export", "--format", "csv", "--as", "boss")
    assert result.exit_code == 0, result.output
    assert "6 events exported" in result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "seq", "at", "actor", "action", "target_type", "target_id",
                             "before", "after", "reason", "prev_hash", "recorded_at", "claim",
                             "claim_reason", "hash"]
    assert [r["seq"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert json.loads(rows[0]["reason"]) is None
    assert json.loads(rows[2]["after"])["role"] == "coordinator"
