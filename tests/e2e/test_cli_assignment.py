"""`agencyflow assignment …` as people run it: every command, refusals, conflicts, help."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from agencyflow.db import session_scope
from agencyflow.models import Evidence
from agencyflow.services.audit import trail as audit
from agencyflow.services.people import users
from tests.factories import SYSTEM, at
from tests.lifecycle_plan import assignment_id, get, setup_cycle

COMMANDS = ["show", "start", "progress", "complete", "submit", "approve", "reject", "extend",
            "decide", "reassign", "contribute", "cancel"]
PEOPLE = [("dieu.phoi", "coordinator", "NN"), ("chu.tich", "leader", "UBND-HUYEN"),
          ("can.bo.nn", "officer", "NN"), ("can.bo.xa-a", "officer", "XA-A")]


@pytest.fixture
def run(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `agencyflow assignment ARGS` on the test database (SQLite and PostgreSQL)."""
    monkeypatch.setenv("AGENCYFLOW_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AGENCYFLOW_TOKEN", raising=False)
    monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")  # the tests play 2027
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str) -> Any:
        return runner.invoke(app, ["assignment", *args], catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def _people(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, role, agency in PEOPLE:
            users.add_user(session, username=name, role=role, agency_code=agency,
                           now=at(2027, 1, 4), actor=SYSTEM)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(app, ["assignment", command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output, result.output


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def refused(result: Any, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_office_step_through_the_command_line(run: Any, engine: Engine, tmp_path: Path) -> None:
    setup_cycle(engine)
    _people(engine)
    pid = str(assignment_id(engine, "PLAN"))
    shown = json.loads(ok(run("show", pid, "--format", "json", "--now", "2027-02-01")))
    assert shown["board_status"] == "in_progress" and shown["lead"]["code"] == "NN"
    refused(run("start", pid, "--now", "2027-02-01"), "this database has users")
    refused(run("complete", pid, "--as", "can.bo.nn"), "needs the coordinator's review")
    refused(run("start", pid, "--as", "can.bo.xa-a"), "may not start an assignment")
    assert "in progress (version 2)" in ok(run("start", pid, "--as", "can.bo.nn", "--now",
                                               "2027-02-01", "--version", "1"))
    refused(run("start", pid, "--as", "can.bo.nn", "--version", "1"),
            "someone changed it meanwhile")
    proof = tmp_path / "bien-ban.pdf"
    proof.write_bytes(b"%PDF bien ban")
    ok(run("progress", pid, "--as", "can.bo.nn", "--now", "2027-03-01", "--note", "Đã họp",
           "--output", "budget=12", "--evidence", str(proof), "--link", "https://nn.gov.vn/a"))
    assert "extension request #1" in ok(run("extend", pid, "--to", "30/03/2027", "--reason",
                                            "Chờ số liệu", "--as", "can.bo.nn"))
    refused(run("decide", "1", "--as", "chu.tich"), "--approve or --refuse")
    assert "approved: due 30/03/2027" in ok(run("decide", "1", "--approve", "--as", "chu.tich"))
    _review(run, pid, tmp_path)
    row = get(engine, int(pid))
    assert (row.status, row.due_original.isoformat(), row.due_current.isoformat()) == (
        "done", "2027-03-15", "2027-03-30")
    assert row.outputs == {"budget": 12, "plan_document": "https://nn.gov.vn/kh.pdf"}
    with Session(engine) as session:
        ev = session.execute(select(Evidence).where(Evidence.sha256.is_not(None))).scalar_one()
        assert audit.verify(session) > 10
    store = tmp_path / "data" / "evidence" / ev.sha256[:2] / ev.sha256
    assert store.read_bytes() == b"%PDF bien ban"
    text = ok(run("show", pid, "--as", "chu.tich", "--now", "2027-03-25"))
    assert "send an assignment back" in text and "Done on time" in text


def _review(run: Any, pid: str, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.yaml"
    outputs.write_text("plan_document: https://nn.gov.vn/kh.pdf\n", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    refused(run("submit", pid, "--outputs-file", str(bad), "--as", "can.bo.nn"),
            "expected a mapping")
    refused(run("submit", pid, "--outputs-file", str(outputs), "--output", "plan_document=x",
                "--as", "can.bo.nn"), "given both")
    ok(run("submit", pid, "--outputs-file", str(outputs), "--as", "can.bo.nn", "--now",
           "2027-03-20"))
    missing = run("reject", pid, "--as", "dieu.phoi")
    assert missing.exit_code == 2 and "Missing option '--reason'" in missing.output
    ok(run("reject", pid, "--reason", "Thiếu dự toán", "--as", "dieu.phoi", "--now", "2027-03-21"))
    ok(run("submit", pid, "--as", "can.bo.nn", "--now", "2027-03-22"))
    assert "done" in ok(run("approve", pid, "--as", "dieu.phoi", "--now", "2027-03-24"))


def test_commune_step_through_the_command_line(run: Any, engine: Engine) -> None:
    setup_cycle(engine)
    _people(engine)
    pid = str(assignment_id(engine, "PLAN"))
    refused(run("submit", pid, "--as", "can.bo.nn", "--output", "plan_document=x"),
            "output budget: required", "output plan_document: expected an http(s) link")
    ok(run("submit", pid, "--as", "can.bo.nn", "--now", "2027-03-01", "--output",
           "plan_document=https://nn.gov.vn/kh.pdf", "--output", "budget=50"))
    ok(run("approve", pid, "--as", "dieu.phoi", "--now", "2027-03-02"))
    a, b, c = (str(assignment_id(engine, "EVAL", m)) for m in ("XA-A", "XA-B", "XA-C"))
    refused(run("complete", a, "--as", "can.bo.xa-a", "--output",
                'products=[{"product": "Mắm", "producer": "HTX", "score": 75, "stars": 5}]'),
            "stars are derived")
    ok(run("complete", a, "--as", "can.bo.xa-a", "--now", "2027-03-05", "--output",
           'products=[{"product": "Mắm", "producer": "HTX", "score": 75}]'))
    assert get(engine, int(a)).outputs["products"][0]["stars"] == 4
    refused(run("reassign", b, "--to", "NN", "--reason", "x", "--as", "can.bo.nn"),
            "may not reassign an assignment")
    ok(run("reassign", b, "--to", "NN", "--reason", "Xã thiếu cán bộ", "--as", "dieu.phoi"))
    assert get(engine, int(b)).lead_code == "NN"
    assert "contribution #1 of NN" in ok(run("contribute", c, "--comment", "Đã hướng dẫn",
                                             "--as", "can.bo.nn"))
    ok(run("cancel", c, "--reason", "Sáp nhập", "--as", "dieu.phoi"))
    refused(run("start", c, "--as", "dieu.phoi"), "is cancelled: cannot start")
    refused(run("show", "9999"), "Error: assignment 9999 does not exist")


def test_text_people_typed_is_printed_as_typed_not_read_as_markup(run: Any,
                                                                  engine: Engine) -> None:
    """Notes, reasons and names go to the terminal verbatim: square brackets in them are not
    rich markup (a stray closing tag used to crash `assignment show`, an opening one vanished),
    and an error that quotes them still reads as an error, without a traceback."""
    setup_cycle(engine)
    _people(engine)
    pid = str(assignment_id(engine, "PLAN"))
    ok(run("start", pid, "--as", "can.bo.nn", "--now", "2027-02-01"))
    note = "Đã họp [biên bản số 3] [red]gấp[/red] [/bold]"
    ok(run("progress", pid, "--as", "can.bo.nn", "--now", "2027-03-01", "--note", note))
    reason = "Chờ [số liệu] của [/] xã"
    assert "extension request #1" in ok(run("extend", pid, "--to", "30/03/2027", "--reason",
                                            reason, "--as", "can.bo.nn"))
    shown = ok(run("show", pid, "--as", "chu.tich", "--now", "2027-03-02"))
    assert note in shown and reason in shown
    assert f"#{pid} PLAN" in shown and "[bold]" not in shown  # styled, not markup
    refused(run("start", pid, "--as", "[/bold]ai.do"), "[/bold]ai.do")
