"""`agencyflow board` reads without SQLAlchemy, pydantic-settings or Prefect, and prints what the
full path prints; a database that is not ready, or that fails, is handled as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine
from typer.testing import CliRunner

from agencyflow import dbapi, locations
from agencyflow.cli import app
from agencyflow.config import get_settings
from agencyflow.db import alembic_config
from tests.cli_helpers import cli_for
from tests.factories import start_cycle, store_plan

#: Packages and modules a fresh `agencyflow board` must not load (the last three are ours and
#: would mean the full path was taken).
NOT_LOADED = ("sqlalchemy", "sqlmodel", "pydantic_settings", "alembic", "prefect", "psycopg",
              "agencyflow.config", "agencyflow.db", "agencyflow.models")
PYDANTIC = ("pydantic", "pydantic_core")


def import_chains(importtime: str) -> dict[str, list[str]]:
    """Module → the modules whose import loaded it (outermost first), from `-X importtime`."""
    fields = [line.split("|")[-1].rstrip() for line in importtime.splitlines()
              if line.startswith("import time:") and "imported package" not in line]
    chains: dict[str, list[str]] = {}
    stack: list[tuple[int, str]] = []
    for field in reversed(fields):  # importtime prints a module after what it imported
        depth = len(field) - len(field.lstrip())
        while stack and stack[-1][0] >= depth:
            stack.pop()
        chains.setdefault(field.strip(), [name for _, name in stack])
        stack.append((depth, field.strip()))
    return chains


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_board_in_a_fresh_process_loads_no_database_toolkit_nor_prefect(
        sqlite_engine: Engine, tmp_path: Path, fmt: str) -> None:
    start_cycle(sqlite_engine, store_plan(sqlite_engine), 2021)
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(locations.PREFIX)}
    env.update(AGENCYFLOW_DATABASE_URL=sqlite_engine.url.render_as_string(),
               AGENCYFLOW_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    script = Path(sys.executable).with_name("agencyflow")  # the installed console script
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(script), "board", "--now", "2021-03-15",
         "--format", fmt], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    if fmt == "json":
        rows = json.loads(done.stdout)
        assert {r["step_id"]: r["board_status"] for r in rows if r["period"] == "2021"} == {
            "PLAN": "overdue", "COUNCIL": "overdue", "EVAL": "waiting"}
    else:
        assert "Quá hạn chưa hoàn thành" in done.stdout
    chains = import_chains(done.stderr)
    # (the services' public names load their modules with importlib.import_module, which
    # -X importtime does not list: board.listing is seen by what it imports)
    assert "agencyflow.services.board.asof" in chains and "agencyflow.dbapi" in chains
    loaded = [m for m in chains if any(m == n or m.startswith(n + ".") for n in NOT_LOADED)]
    assert loaded == []
    # typer (0.2x) validates command-line values with pydantic; nothing of ours imports it.
    if "pydantic" in chains:
        assert any(i.startswith("typer.") for i in chains["pydantic"]), chains["pydantic"]
    assert not [m for m, importers in chains.items() if m.split(".")[0] in PYDANTIC
                and any(i.startswith("agencyflow") for i in importers)]


@pytest.mark.parametrize("args", [["--format", "json"], ["--format", "csv", "--agency", "XA-A"],
                                  ["--lang", "en"], ["--status", "waiting", "--limit", "2"],
                                  ["--plan", "tiny-ocop", "--year", "2021", "--commune", "XA-B"]],
                         ids=lambda a: " ".join(a))
def test_the_fast_and_the_full_path_print_the_same_board(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    invoke = cli_for(engine, monkeypatch, tmp_path)
    start_cycle(engine, store_plan(engine), 2021)
    assert locations.from_environment() is not None
    fast = invoke("board", "--now", "2021-03-15", *args)
    # The same variable spelled in lower case: only Settings may judge it, so board takes the
    # full path (SQLAlchemy) on the same database.
    monkeypatch.setenv("agencyflow_data_dir", os.environ["AGENCYFLOW_DATA_DIR"])
    assert locations.from_environment() is None
    full = invoke("board", "--now", "2021-03-15", *args)
    assert fast.exit_code == full.exit_code == 0, fast.output + full.output
    assert fast.output == full.output and "2021" in fast.output


def test_a_database_error_on_the_fast_path_is_reported_clearly(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke = cli_for(engine, monkeypatch, tmp_path)
    start_cycle(engine, store_plan(engine), 2021)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE agency")  # the board names the agencies: that fails
    result = invoke("board", "--now", "2021-03-15")
    assert result.exit_code == 1
    assert "Error: database error: " in result.output and "agency" in result.output
    assert "try `agencyflow db status`" in result.output and "Traceback" not in result.output


def test_a_missing_or_old_embedded_database_takes_the_full_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENCYFLOW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AGENCYFLOW_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    url = f"sqlite:///{tmp_path / 'data' / 'agencyflow.db'}"
    runner = CliRunner()
    for _ in ("missing", "old"):
        result = runner.invoke(app, ["board"], catch_exceptions=False)
        assert result.exit_code == 1 and "`agencyflow cycle start --plan KEY" in result.output
        ready = dbapi.open_current(url)  # the full path created or upgraded it
        assert ready is not None
        ready.close()
        command.downgrade(alembic_config(url), "base")
        assert dbapi.open_current(url) is None
    get_settings.cache_clear()
