"""Issue 9's findings as a user meets them through the CLI, on SQLite and PostgreSQL: four eyes,
the action a refusal names, and evidence that is not the user's own file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import Engine

from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.services.people import users
from tests.cli_helpers import Invoke, cli_for
from tests.factories import SYSTEM, at
from tests.lifecycle_plan import assignment_id, get, setup_cycle

PEOPLE = [("dieu.phoi", "coordinator", "NN"), ("pho.phong", "coordinator", "NN"),
          ("chu.tich", "leader", "UBND-HUYEN"), ("can.bo.nn", "officer", "NN")]


@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Invoke]:
    """The walk plan's 2027 cycle, four people, and the CLI on that database."""
    setup_cycle(engine)
    with session_scope(engine) as session:
        for name, role, agency in PEOPLE:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=SYSTEM)
    yield cli_for(engine, monkeypatch, tmp_path)
    get_settings.cache_clear()


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_nobody_decides_their_own_extension_request(cli: Invoke, engine: Engine) -> None:
    pid = str(assignment_id(engine, "PLAN"))
    ok(cli("assignment", "extend", pid, "--to", "30/03/2027", "--reason", "Chờ số liệu",
           "--as", "dieu.phoi"))
    for decision in ("--approve", "--refuse"):
        refused(cli("assignment", "decide", "1", decision, "--reason", "Đồng ý", "--as",
                    "dieu.phoi"),
                "may not decide an extension", "four eyes")
    assert get(engine, int(pid)).due_current.isoformat() == "2027-03-15"
    assert "approved: due 30/03/2027" in ok(cli("assignment", "decide", "1", "--approve",
                                                "--as", "chu.tich"))


def test_nobody_approves_their_own_submission(cli: Invoke, engine: Engine) -> None:
    pid = str(assignment_id(engine, "PLAN"))
    ok(cli("assignment", "submit", pid, "--as", "dieu.phoi", "--output",
           "plan_document=https://nn.gov.vn/kh.pdf", "--output", "budget=5"))
    refused(cli("assignment", "approve", pid, "--as", "dieu.phoi"),
            "may not approve an assignment", "four eyes")
    assert get(engine, int(pid)).status == "submitted"
    assert "is now done" in ok(cli("assignment", "approve", pid, "--as", "pho.phong"))


def test_nobody_disables_the_last_active_coordinator(cli: Invoke) -> None:
    ok(cli("user", "disable", "pho.phong", "--as", "dieu.phoi"))
    refused(cli("user", "disable", "dieu.phoi", "--as", "dieu.phoi"),
            "may not manage users", "would leave no active coordinator")


def test_a_refused_cycle_start_names_cycle_start(cli: Invoke) -> None:
    for plan in ("walk-ocop", "kim-thanh-ocop"):  # stored, and bundled (would be loaded first)
        refused(cli("cycle", "start", "--plan", plan, "--year", "2028", "--as", "can.bo.nn"),
                "may not start a cycle")


@pytest.mark.parametrize(("path", "why"), [
    ("/proc/self/environ", "is a system file"),
    ("/etc/passwd", "is a system file"),
    ("/dev/zero", "is not a regular file"),
])
def test_system_files_are_not_evidence(cli: Invoke, engine: Engine, path: str, why: str) -> None:
    pid = str(assignment_id(engine, "PLAN"))
    refused(cli("assignment", "progress", pid, "--note", "x", "--evidence", path,
                "--as", "can.bo.nn"), path, why)
    assert get(engine, int(pid)).version == 1  # nothing was written


def test_system_files_behind_a_symlinked_directory_are_refused(cli: Invoke, engine: Engine,
                                                               tmp_path: Path) -> None:
    (tmp_path / "docs").symlink_to("/proc/self")
    pid = str(assignment_id(engine, "PLAN"))
    refused(cli("assignment", "progress", pid, "--note", "x", "--evidence",
                str(tmp_path / "docs" / "environ"), "--as", "can.bo.nn"), "is a system file")
    mine = tmp_path / "bien-ban.pdf"
    mine.write_bytes(b"%PDF")
    ok(cli("assignment", "progress", pid, "--note", "x", "--evidence", str(mine),
           "--as", "can.bo.nn"))


#: Commands that only read, each with an argument list; an invalid token must fail every one.
READS = [
    ["board", "--now", "2027-03-01"],
    ["board", "--format", "json"],
    ["plan", "list"],
    ["cycle", "list"],
    ["targets", "--plan", "walk-ocop", "--year", "2027"],
    ["notifications"],
    ["user", "list"],
    ["assignment", "show", "1"],
    ["remind", "--dry-run", "--now", "2027-03-01"],
    ["audit", "log"],
]


def bad_tokens(engine: Engine) -> dict[str, str]:
    """A forged token, a revoked one and one of a disabled user."""
    with session_scope(engine) as session:
        boss = users.actor_for(session, "dieu.phoi")
        revoked = users.create_token(session, "chu.tich", now=at(2027, 1, 5), actor=boss)
        users.revoke_token(session, revoked.token.id or 0, now=at(2027, 1, 5), actor=boss)
        gone = users.create_token(session, "can.bo.nn", now=at(2027, 1, 5), actor=boss)
        users.disable_user(session, "can.bo.nn", now=at(2027, 1, 5), actor=boss)
    return {"forged": "af_" + "x" * 43, "revoked": revoked.secret, "disabled": gone.secret}


WHY = {"forged": "no such token", "revoked": "was revoked on", "disabled": "who is disabled"}


@pytest.mark.parametrize("args", READS, ids=lambda a: " ".join(a[:2]))
def test_an_invalid_token_is_an_error_for_every_command(cli: Invoke, engine: Engine,
                                                        args: list[str]) -> None:
    tokens = bad_tokens(engine)
    for kind, token in tokens.items():
        refused(cli(*args, token=token), WHY[kind])
    if args[0] != "audit":  # the anonymous read: no token at all
        ok(cli(*args))


def test_board_in_a_fresh_process_refuses_a_forged_token(sqlite_engine: Engine,
                                                         tmp_path: Path) -> None:
    """The board's fast path (no SQLAlchemy) checks the token too."""
    import os
    import subprocess
    import sys

    setup_cycle(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        users.add_user(session, username="dieu.phoi", role="coordinator", agency_code="NN",
                       now=at(2027, 1, 4), actor=SYSTEM)
        good = users.create_token(session, "dieu.phoi", now=at(2027, 1, 4),
                                  actor=users.actor_for(session, "dieu.phoi")).secret
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("AGENCYFLOW_")}
    env.update(AGENCYFLOW_DATABASE_URL=sqlite_engine.url.render_as_string(),
               AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), AGENCYFLOW_LANGUAGE="en")
    script = Path(sys.executable).with_name("agencyflow")
    code = ("import sys, runpy; sys.argv = [sys.argv[1], 'board', '--format', 'json'];"
            "\ntry: runpy.run_path(sys.argv[0], run_name='__main__')"
            "\nfinally: print('sqlalchemy' in sys.modules, file=sys.stderr)")
    for token, exit_code, text in ((good, 0, "False"), ("af_forged", 1, "no such token")):
        done = subprocess.run([sys.executable, "-c", code, str(script)],
                              env={**env, "AGENCYFLOW_TOKEN": token}, capture_output=True,
                              text=True, timeout=120, check=False)
        assert done.returncode == exit_code, done.stderr[-2000:]
        assert text in done.stderr and done.stderr.rstrip().endswith("False"), done.stderr
