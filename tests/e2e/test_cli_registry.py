"""The command table: what `agencyflow --help` lists is what each command says of itself, and
a help listing or showing an assignment, in a fresh process, loads no database toolkit, Prefect
nor apprise."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from sqlalchemy import Engine
from typer.testing import CliRunner

from agencyflow import locations
from agencyflow.cli import ASSIGNMENT, COMMANDS, app
from agencyflow.cli.registry import load
from tests.e2e.test_board_fast_path import PYDANTIC, import_chains
from tests.factories import start_cycle, store_plan

#: What a help listing and `assignment show` must not load (the last three are ours: the full
#: path of the settings, the engine and the tables).
NOT_LOADED = ("sqlalchemy", "sqlmodel", "alembic", "prefect", "apprise", "jinja2",
              "pydantic_settings", "agencyflow.config", "agencyflow.db", "agencyflow.models")


def _first_paragraph(help_text: str | None) -> str:
    return " ".join(inspect.cleandoc(help_text or "").split("\n\n")[0].split())


@pytest.mark.parametrize("path", [[name] for name in COMMANDS]
                         + [["assignment", name] for name in ASSIGNMENT], ids=" ".join)
def test_each_entry_says_what_its_command_says(path: list[str]) -> None:
    entry = COMMANDS[path[0]] if len(path) == 1 else ASSIGNMENT[path[1]]
    command = load(COMMANDS, path)
    assert command is not None and command.name == path[-1]
    if not entry.commands:
        assert entry.help == _first_paragraph(command.help)


def test_the_assignment_table_lists_every_assignment_command() -> None:
    from agencyflow.cli import assignment_cmds

    changing = typer.main.get_group(assignment_cmds.app).commands
    assert set(ASSIGNMENT) == {"show", *changing}
    assert COMMANDS["assignment"].help == _first_paragraph(assignment_cmds.app.info.help)


def test_the_help_lists_every_command_with_its_words() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    for name, entry in COMMANDS.items():
        line = next(ln for ln in result.output.splitlines() if ln.startswith(f"│ {name} "))
        assert entry.help[:60] in " ".join(line.split()), line  # (a long one wraps)
    listed = CliRunner().invoke(app, ["assignment", "--help"], env={"COLUMNS": "400"})
    assert all(ASSIGNMENT[n].help in listed.output for n in ASSIGNMENT), listed.output


def test_an_unknown_command_is_named_with_the_nearest(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["assignment", "sho", "1"])
    assert result.exit_code == 2
    assert "No such command 'sho'" in result.output and "'show'" in result.output


def fresh_imports(args: list[str], env: dict[str, str], code: int = 0
                  ) -> tuple[str, dict[str, list[str]]]:
    """The output of `agencyflow ARGS` run by the installed console script in a new process
    (exiting with ``code``), and what it imported (module → its importers)."""
    script = Path(sys.executable).with_name("agencyflow")
    done = subprocess.run([sys.executable, "-X", "importtime", str(script), *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code, done.stderr[-3000:]
    return done.stdout, import_chains(done.stderr)


def loaded(chains: dict[str, list[str]]) -> list[str]:
    """The modules of :data:`NOT_LOADED` among ``chains``."""
    return [m for m in chains if any(m == n or m.startswith(n + ".") for n in NOT_LOADED)]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment without any AGENCYFLOW_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(locations.PREFIX)}
    return env | {"AGENCYFLOW_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200", **extra}


@pytest.mark.parametrize("args", [["--help"], [], ["assignment", "--help"]],
                         ids=lambda a: " ".join(a) or "(nothing)")
def test_a_help_listing_loads_no_command_module(tmp_path: Path, args: list[str]) -> None:
    out, chains = fresh_imports(args, clean_env(tmp_path), code=0 if args else 2)  # click's
    assert "Cách dùng: agencyflow" in out and "assignment" in out  # Vietnamese by default
    assert loaded(chains) == []
    ours = sorted(m for m in chains if m.startswith("agencyflow.cli.")
                  and m not in ("agencyflow.cli.registry", "agencyflow.cli.chrome"))
    assert ours == [], ours


@pytest.mark.parametrize("args", [[], ["--format", "json"],
                                  ["--now", "2021-03-15", "--lang", "en"]],
                         ids=lambda a: " ".join(a) or "(table)")
def test_showing_an_assignment_loads_no_database_toolkit(
        sqlite_engine: Engine, tmp_path: Path, args: list[str]) -> None:
    start_cycle(sqlite_engine, store_plan(sqlite_engine), 2021)
    env = clean_env(tmp_path, AGENCYFLOW_DATABASE_URL=sqlite_engine.url.render_as_string())
    out, chains = fresh_imports(["assignment", "show", "1", *args], env)
    assert "PLAN" in out and "2021" in out
    # (modules loaded by importlib.import_module, as the command table and the services'
    # public names load theirs, are not listed by -X importtime; what they import is)
    assert "agencyflow.services.board.asof" in chains and "agencyflow.dbapi" in chains
    assert loaded(chains) == []
    # typer validates command-line values with pydantic; nothing of ours imports it.
    assert not [m for m, importers in chains.items() if m.split(".")[0] in PYDANTIC
                and any(i.startswith("agencyflow") for i in importers)]
