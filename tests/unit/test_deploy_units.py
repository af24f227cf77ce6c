"""The systemd units of deploy/systemd run commands that exist, with the options they have, and
read settings that exist: an example that cannot start is worse than none."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from typer import Context
from typer.main import get_command

from agencyflow.cli import app
from agencyflow.config import Settings

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
VENV = "/opt/agencyflow/.venv/bin/"
#: The Prefect commands the cluster test (tests/cluster_world.py) runs, as the units run them.
PREFECT = {("server", "start"), ("worker", "start")}


def _units() -> list[Path]:
    return sorted(UNITS.glob("*.service"))


def _exec_start(unit: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit, encoding="utf-8")
    return shlex.split(parser["Service"]["ExecStart"])


def test_there_is_a_unit_for_each_part_of_the_topology() -> None:
    assert {u.name for u in _units()} == {
        "prefect-server.service", "prefect-worker@.service", "agencyflow-dispatch.service",
        "agencyflow-web.service"}


@pytest.mark.parametrize("unit", _units(), ids=lambda u: u.name)
def test_each_unit_runs_a_real_command_with_real_options(unit: Path) -> None:
    program, *args = _exec_start(unit)
    assert program.startswith(VENV), program
    name = program.removeprefix(VENV)
    if name == "prefect":
        assert tuple(args[:2]) in PREFECT, args
        return
    assert name == "agencyflow"
    group = get_command(app)
    command = group.get_command(Context(group), args[0])  # type: ignore[attr-defined]
    assert command is not None, args[0]
    known = {opt for p in command.params for opt in p.opts}
    given = {a for a in args[1:] if a.startswith("--")}
    assert given <= known, given - known


def test_the_environment_file_sets_only_real_settings() -> None:
    names = {line.split("=", 1)[0] for line in
             (UNITS / "agencyflow.env").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")}
    ours = {n.removeprefix("AGENCYFLOW_").lower() for n in names if n.startswith("AGENCYFLOW_")}
    assert ours - {"repo_dir"} <= set(Settings.model_fields), ours - set(Settings.model_fields)
    assert "AGENCYFLOW_REPO_DIR" in names  # the pull step of prefect.yaml
