"""The foundation commands as a user runs them: plan validate/list/show, cycle start/list, board."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agencyflow.cli import app
from agencyflow.config import get_settings
from tests.factories import PLANS
from tests.unit.test_plan_loader import BROKEN  # fixture → (line, field) of its one mistake

BUNDLED = Path(__file__).resolve().parents[2] / "src/agencyflow/plans/kim-thanh-ocop.yaml"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:  # type: ignore[type-arg]
    """Run `agencyflow ARGS` on a fresh embedded database in a temporary data directory."""
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AGENCYFLOW_DATABASE_URL", raising=False)
    monkeypatch.setenv("AGENCYFLOW_SIMULATION", "true")  # cycles of 2021, by a 2026 clock
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), catch_exceptions=False)

    yield invoke
    get_settings.cache_clear()


def test_bundled_plan_validates(run) -> None:  # type: ignore[no-untyped-def]
    result = run("plan", "validate", str(BUNDLED))
    assert result.exit_code == 0, result.output
    assert "kim-thanh-ocop" in result.output


#: Every broken fixture and its mistake; several-problems: the first of its four.
CASES = {**BROKEN, "several-problems": (15, "plan.rating.bands[1].min")}


@pytest.mark.parametrize(("name", "line", "field"), [(n, *v) for n, v in CASES.items()],
                         ids=list(CASES))
def test_every_broken_plan_is_refused_naming_file_line_and_field(  # type: ignore[no-untyped-def]
        run, name: str, line: int, field: str) -> None:
    """Each fixture's own mistake, at its line and field (the table of the loader's tests)."""
    result = run("plan", "validate", str(PLANS / f"{name}.yaml"))
    assert result.exit_code == 2
    found = re.search(rf"{re.escape(name)}\.yaml:{line}:\d+: (\S+): ", result.output)
    assert found and field in found.group(1), result.output
    assert "Traceback" not in result.output


def test_a_broken_plan_writes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("cycle", "start", "--plan", str(PLANS / "dependency-cycle.yaml"),
               "--year", "2021").exit_code == 2
    listed = run("plan", "list", "--format", "json")
    assert [p["key"] for p in json.loads(listed.output) if p["version"]] == []


def test_cycle_start_twice_then_board_in_every_format(run) -> None:  # type: ignore[no-untyped-def]
    valid = str(PLANS / "valid.yaml")
    first = run("cycle", "start", "--plan", valid, "--year", "2021", "--now", "2021-01-04")
    assert first.exit_code == 0 and "8 assignments — 6 open, 2 waiting" in first.output
    again = run("cycle", "start", "--plan", valid, "--year", "2021")
    assert again.exit_code == 1 and "already started" in again.output

    table = run("board", "--now", "15/03/2021", "--lang", "vi")
    assert table.exit_code == 0 and "Quá hạn chưa hoàn thành" in table.output
    rows = json.loads(run("board", "--now", "2021-03-15", "--format", "json").output)
    assert {r["step_id"]: r["board_status"] for r in rows if r["period"] == "2021"} == {
        "PLAN": "overdue", "COUNCIL": "overdue", "EVAL": "waiting"}
    early = json.loads(run("board", "--now", "2021-01-10", "--format", "json",
                           "--status", "in_progress").output)
    assert {r["step_id"] for r in early} == {"PLAN", "COUNCIL", "MARKET"}
    text = run("board", "--now", "2021-03-15", "--format", "csv", "--commune", "XA-A").output
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [(r["step_id"], r["lead"], r["board_status"]) for r in parsed] == [
        ("EVAL", "XA-A", "waiting")]
    bad = run("board", "--now", "2021-13-45")
    assert bad.exit_code == 1 and "2021-13-45" in bad.output


def test_plan_and_cycle_listings(run) -> None:  # type: ignore[no-untyped-def]
    assert run("cycle", "start", "--plan", "kim-thanh-ocop", "--year", "2027").exit_code == 0
    plans = json.loads(run("plan", "list", "--format", "json").output)
    assert [(p["key"], p["version"]) for p in plans] == [("kim-thanh-ocop", 1)]
    shown = run("plan", "show", "kim-thanh-ocop", "--lang", "en", "--format", "json")
    steps = json.loads(shown.output)
    assert {"NN-4", "XA-4"} <= {s["step"] for s in steps}
    cycles = json.loads(run("cycle", "list", "--format", "json").output)
    assert [(c["plan"], c["year"], c["version"]) for c in cycles] == [("kim-thanh-ocop", 2027, 1)]


COMMANDS = [["plan", "validate"], ["plan", "load"], ["plan", "list"], ["plan", "show"],
            ["cycle", "start"], ["cycle", "list"], ["board"], ["db", "upgrade"], ["db", "status"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(run, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Example: agencyflow" in result.output
