"""`agencyflow assignment start|progress|complete|submit` write without SQLAlchemy, SQLModel or
pydantic-settings when the database is ready as it is, and do what the full path does: the same
rows, audit events that verify, dependents opened, the coordinator's notice, the same output and
refusals. Evidence takes the full path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from agencyflow import locations
from agencyflow.db import session_scope
from agencyflow.models import AuditEvent, Notification
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users
from tests.cli_helpers import cli_for
from tests.e2e.test_board_fast_path import import_chains
from tests.factories import SYSTEM, at
from tests.lifecycle_plan import assignment_id, get, setup_cycle

#: What a quick write must not load (our last three would mean the full path ran).
NOT_LOADED = ("sqlalchemy", "sqlmodel", "pydantic_settings", "alembic", "prefect",
              "agencyflow.config", "agencyflow.db", "agencyflow.models")
PEOPLE = [("dieu.phoi", "coordinator", "NN"), ("can.bo.nn", "officer", "NN"),
          *((f"can.bo.{c.lower()}", "officer", c) for c in ("XA-A", "XA-B", "XA-C"))]


def _people(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, role, agency in PEOPLE:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=SYSTEM)


def _fresh(engine: Engine, tmp_path: Path, *args: str) -> tuple[str, list[str]]:
    """Run `agencyflow assignment ARGS` in a fresh process; its output and the modules it
    loaded of :data:`NOT_LOADED`."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(locations.PREFIX)}
    env.update(AGENCYFLOW_DATABASE_URL=engine.url.render_as_string(hide_password=False),
               AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), AGENCYFLOW_SIMULATION="true",
               COLUMNS="200")
    script = Path(sys.executable).with_name("agencyflow")
    done = subprocess.run([sys.executable, "-X", "importtime", str(script), "assignment", *args,
                           "--lang", "en"], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    chains = import_chains(done.stderr)
    return done.stdout, [m for m in chains if any(m == n or m.startswith(n + ".")
                                                 for n in NOT_LOADED)]


def test_moves_in_fresh_processes_write_what_the_full_path_writes(
        engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    _people(engine)
    plan = str(assignment_id(engine, "PLAN"))
    out, loaded = _fresh(engine, tmp_path, "start", plan, "--as", "can.bo.nn", "--now",
                         "2027-02-01")
    assert "is now in progress (version 2)" in out
    assert loaded == []
    out, loaded = _fresh(engine, tmp_path, "progress", plan, "--as", "can.bo.nn", "--now",
                         "2027-02-15", "--note", "Đã họp", "--output", "budget=40")
    assert "(version 3)" in out and loaded == []
    assert get(engine, int(plan)).outputs == {"budget": 40}
    out, loaded = _fresh(engine, tmp_path, "submit", plan, "--as", "can.bo.nn", "--now",
                         "2027-03-01", "--output", "plan_document=https://nn.gov.vn/kh.pdf",
                         "--output", "budget=50", "--note", "Xong")
    assert "(version 4)" in out and loaded == []
    _fresh(engine, tmp_path, "approve", plan, "--as", "dieu.phoi", "--now", "2027-03-02")
    evals = {m: assignment_id(engine, "EVAL", m) for m in ("XA-A", "XA-B", "XA-C")}
    for day, (member, ident) in enumerate(evals.items(), start=3):
        out, loaded = _fresh(engine, tmp_path, "complete", str(ident), "--as",
                             f"can.bo.{member.lower()}", "--now", f"2027-03-0{day}", "--output",
                             f'products=[{{"product": "Mắm {member}", "producer": "HTX", '
                             '"score": 75}]')
        assert f"{ident} (EVAL {member})" in out and loaded == []
    done = get(engine, evals["XA-A"])
    assert (done.status, done.completed_by, done.version) == ("done", "can.bo.xa-a", 3)
    assert done.outputs["products"][0]["stars"] == 4  # derived by the shared validation
    report = get(engine, assignment_id(engine, "REPORT"))  # opened by the last EVAL
    assert (report.status, report.opened_on.isoformat(), report.due_current.isoformat()) == (
        "open", "2027-03-05", "2027-03-12")  # 5 working days after 5 March
    with Session(engine) as session:
        assert audit.verify(session) > 8
        events = session.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.claim)
                                 .where(AuditEvent.target_id == str(report.id))).all()
        keys = set(session.execute(select(Notification.key)).scalars())
    assert ("assignment.open", "can.bo.xa-c", "simulated") in events
    assert {f"a{i}:completed:NN" for i in evals.values()} <= keys


def test_the_quick_and_the_full_path_answer_the_same(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke = cli_for(engine, monkeypatch, tmp_path)
    setup_cycle(engine)
    _people(engine)
    plan = str(assignment_id(engine, "PLAN"))
    cases = [("complete", plan, "--as", "can.bo.nn"),  # needs the coordinator's review
             ("start", plan, "--as", "can.bo.xa-a"),  # not theirs
             ("start", plan, "--as", "can.bo.nn", "--version", "7"),  # a conflict
             ("start", "99999", "--as", "can.bo.nn"),
             ("start", plan, "--as", "nobody"),
             ("submit", plan, "--as", "can.bo.nn", "--output", "budget=-1"),
             ("progress", plan, "--as", "can.bo.nn"),  # nothing reported
             ("progress", plan, "--as", "can.bo.nn", "--output", "nope=1"),
             ("start", plan, "--as", "can.bo.nn", "--now", "2099-01-01")]
    assert locations.from_environment() is not None
    quick = [invoke("assignment", *case) for case in cases]
    monkeypatch.setenv("agencyflow_data_dir", os.environ["AGENCYFLOW_DATA_DIR"])
    assert locations.from_environment() is None  # only Settings may judge it: the full path
    full = [invoke("assignment", *case) for case in cases]
    for case, q, f in zip(cases, quick, full, strict=True):
        assert (q.exit_code, q.output) == (f.exit_code, f.output), case
        assert q.exit_code == 1 and "Traceback" not in q.output, q.output
    started = invoke("assignment", "start", plan, "--as", "can.bo.nn", "--now", "2027-02-01")
    assert started.exit_code == 0 and "(version 2)" in started.output
    assert get(engine, int(plan)).status == "in_progress"


def test_evidence_takes_the_full_path(engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    _people(engine)
    plan = str(assignment_id(engine, "PLAN"))
    out, loaded = _fresh(engine, tmp_path, "submit", plan, "--as", "can.bo.nn", "--now",
                         "2027-03-01", "--output", "plan_document=https://nn.gov.vn/kh.pdf",
                         "--output", "budget=50", "--link", "https://nn.gov.vn/bien-ban")
    assert "(version 2)" in out and "agencyflow.models" in loaded
    with Session(engine) as session:
        assert audit.verify(session) >= 1
